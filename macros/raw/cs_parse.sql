{#-
    cs_parse(expression, data_type): the value of a raw text expression as data_type,
    or null where the text is not a valid value of that type. Stricter than
    try_cast, which reads '2024/01/13' as a date and rounds '12.5' into an integer:
    the contract asks for ISO dates and plain numbers.
-#}
{% macro cs_parse(expression, data_type) %}
    {%- set type_name = data_type | lower -%}
    {%- set text = "nullif(trim(cast(" ~ expression ~ " as varchar)), '')" -%}
    {%- if type_name == 'varchar' -%}
        {{- return(text) -}}
    {%- elif type_name == 'date' -%}
        {{- return("case when regexp_full_match(" ~ text ~ ", '\\d{4}-\\d{2}-\\d{2}') then try_cast(" ~ text ~ " as date) end") -}}
    {%- elif type_name in ('bigint', 'integer') -%}
        {{- return("case when regexp_full_match(" ~ text ~ ", '[+-]?\\d+') then try_cast(" ~ text ~ " as " ~ type_name ~ ") end") -}}
    {%- elif type_name.startswith('decimal') or type_name == 'double' -%}
        {{- return("case when regexp_full_match(" ~ text ~ ", '[+-]?(\\d+(\\.\\d*)?|\\.\\d+)') then try_cast(" ~ text ~ " as " ~ type_name ~ ") end") -}}
    {%- elif type_name == 'boolean' -%}
        {{- return("case lower(" ~ text ~ ") when 'true' then true when 't' then true when '1' then true when 'yes' then true"
            ~ " when 'false' then false when 'f' then false when '0' then false when 'no' then false end") -}}
    {%- else -%}
        {{ exceptions.raise_compiler_error('cs_parse: unsupported type ' ~ data_type) }}
    {%- endif -%}
{% endmacro %}


{#- The human name of a type, for error messages. -#}
{% macro cs_type_label(data_type) %}
    {%- set type_name = data_type | lower -%}
    {%- if type_name == 'date' -%}{{ return('an ISO date (YYYY-MM-DD)') }}
    {%- elif type_name in ('bigint', 'integer') -%}{{ return('an integer') }}
    {%- elif type_name.startswith('decimal') -%}{{ return('a decimal number (digits and a dot, no separators or currency signs)') }}
    {%- elif type_name == 'boolean' -%}{{ return('a boolean (true/false)') }}
    {%- else -%}{{ return(type_name) }}{%- endif -%}
{% endmacro %}
