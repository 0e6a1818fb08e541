{#-
    cs_parse(expression, data_type): the value of a raw text expression as data_type,
    or null where the text is not a valid value of that type. Stricter than
    try_cast, which reads '2024/01/13' as a date and rounds '12.5' into an integer:
    the contract asks for ISO dates and plain numbers.

    The formats (a pattern per type, the words a boolean may be) are declared once,
    in the raw contract: `meta.formats` of the source `raw` in
    models/staging/raw/_raw__sources.yml. cs_warehouse.contract reads the same
    block for the great-expectations suites.
-#}
{% macro cs_parse(expression, data_type) %}
    {%- set kind = cs_type_kind(data_type) -%}
    {%- set text = "nullif(trim(cast(" ~ expression ~ " as " ~ dbt.type_string() ~ ")), '')" -%}
    {%- if kind == 'text' -%}
        {{- return(text) -}}
    {%- endif -%}
    {%- set format = cs_formats()[kind] -%}
    {%- if kind == 'boolean' -%}
        {{- return("case when lower(" ~ text ~ ") in (" ~ cs_sql_list(format.true_values) ~ ") then true"
            ~ " when lower(" ~ text ~ ") in (" ~ cs_sql_list(format.false_values) ~ ") then false end") -}}
    {%- endif -%}
    {{- return("case when " ~ cs_regexp_full_match(text, format.pattern) ~ " then "
        ~ cs_try_cast(text, data_type) ~ " end") -}}
{% endmacro %}


{#- The kind of a contract data_type: text, date, integer, decimal or boolean. -#}
{% macro cs_type_kind(data_type) %}
    {%- set type_name = data_type | lower -%}
    {%- if type_name == 'varchar' -%}{{ return('text') }}
    {%- elif type_name == 'date' -%}{{ return('date') }}
    {%- elif type_name in ('bigint', 'integer') -%}{{ return('integer') }}
    {%- elif type_name.startswith('decimal') or type_name == 'double' -%}{{ return('decimal') }}
    {%- elif type_name == 'boolean' -%}{{ return('boolean') }}
    {%- else -%}
        {{ exceptions.raise_compiler_error('The raw contract uses an unsupported data_type: ' ~ data_type) }}
    {%- endif -%}
{% endmacro %}


{#- The formats block of the raw contract (source-level meta of source `raw`). -#}
{% macro cs_formats() %}
    {%- for node in graph.sources.values() if node.source_name == 'raw' -%}
        {%- set formats = (node.source_meta or {}).get('formats') or (node.meta or {}).get('formats') -%}
        {%- if formats -%}{{ return(formats) }}{%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error('The raw contract (_raw__sources.yml) declares no meta.formats for source raw') }}
{% endmacro %}


{#- A SQL list of string literals: 'a', 'b'. -#}
{% macro cs_sql_list(values) %}
    {%- set literals = [] -%}
    {%- for value in values -%}{%- do literals.append(cs_sql_string(value)) -%}{%- endfor -%}
    {{- return(literals | join(', ')) -}}
{% endmacro %}


{#- The human name of a type, for error messages (the contract's format label). -#}
{% macro cs_type_label(data_type) %}
    {%- set kind = cs_type_kind(data_type) -%}
    {%- if kind == 'text' -%}{{ return('text') }}{%- endif -%}
    {{- return(cs_formats()[kind].label) -}}
{% endmacro %}


{#- The range a numeric data_type holds, from the raw contract (source-level
    meta.limits of source `raw`), worded for messages:
    'decimal(18,4) (-99999999999999.9999 to 99999999999999.9999)'. -#}
{% macro cs_limit_label(data_type) %}
    {%- for node in graph.sources.values() if node.source_name == 'raw' -%}
        {%- set limits = (node.source_meta or {}).get('limits') or (node.meta or {}).get('limits') -%}
        {%- if limits -%}
            {%- for name, limit in limits.items() if name | lower | replace(' ', '') == data_type | lower | replace(' ', '') -%}
                {{- return(data_type ~ ' (' ~ limit.min ~ ' to ' ~ limit.max ~ ')') -}}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error('The raw contract (_raw__sources.yml) declares no meta.limits for ' ~ data_type) }}
{% endmacro %}


{#- True where the raw text of an integer or decimal column has its format (so
    that, where cs_parse still gives null, the number is out of its type's range). -#}
{% macro cs_has_number_format(expression, data_type) %}
    {{- return("coalesce(" ~ cs_regexp_full_match("nullif(trim(cast(" ~ expression ~ " as " ~ dbt.type_string() ~ ")), '')",
        cs_formats()[cs_type_kind(data_type)].pattern) ~ ", false)") -}}
{% endmacro %}
