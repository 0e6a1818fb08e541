{#-
    Generic test: every accepted row of a staging model keeps every rule that the
    raw contract (models/staging/raw/_raw__sources.yml) declares for its source:
    grain (unique key), not null, ranges, accepted values and relationships to the
    other staging models and seeds. Returns one row per broken rule and value.
    The rules are read from the contract, so they are declared once.
-#}
{% test raw_contract_holds(model, source_name) %}
    {#- every relation a contract rule can point at, named here so that dbt knows the dependencies -#}
    {%- set parents = {'accounts': ref('stg_raw__accounts'), 'csms': ref('stg_raw__csms'), 'tier_policy': ref('tier_policy')} -%}
    {%- if not execute -%}
        select 1 as broken_rule where false
    {%- else -%}
    {%- set contract = cs_contract(source_name) -%}
    {%- set checks = [] -%}
    {%- set keys = contract.meta.get('unique', []) -%}
    {%- if keys -%}
        {#- the keys whose hash repeats first (64-bit hashes sorted, cs_sorted_repeats), then the exact check on those rows -#}
        {%- set key_hash = cs_hash_key(keys) -%}
        {%- do checks.append("select 'unique (" ~ keys | join(', ') ~ ")' as broken_rule, cast(" ~ keys | join(" || '|' || ") ~ " as " ~ dbt.type_string() ~ ") as value"
            ~ " from " ~ model ~ " where " ~ key_hash ~ " in (" ~ cs_sorted_repeats("select " ~ key_hash ~ " as key_hash from " ~ model, 'key_hash') ~ ")"
            ~ " group by " ~ keys | join(', ') ~ " having count(*) > 1") -%}
    {%- endif -%}
    {%- for column in contract.columns.values() -%}
        {%- set meta = column.meta -%}
        {%- set select_from = "select '" ~ column.name ~ " ~rule~' as broken_rule, cast(" ~ column.name ~ " as " ~ dbt.type_string() ~ ") as value from " ~ model ~ " where " -%}
        {%- if meta.get('not_null') -%}
            {%- do checks.append(select_from.replace('~rule~', 'not null') ~ column.name ~ ' is null') -%}
        {%- endif -%}
        {%- if meta.get('min') is not none -%}
            {%- do checks.append(select_from.replace('~rule~', '>= ' ~ meta.min) ~ column.name ~ ' < ' ~ meta.min) -%}
        {%- endif -%}
        {%- if meta.get('min_exclusive') is not none -%}
            {%- do checks.append(select_from.replace('~rule~', '> ' ~ meta.min_exclusive) ~ column.name ~ ' <= ' ~ meta.min_exclusive) -%}
        {%- endif -%}
        {%- if meta.get('max') is not none -%}
            {%- do checks.append(select_from.replace('~rule~', '<= ' ~ meta.max) ~ column.name ~ ' > ' ~ meta.max) -%}
        {%- endif -%}
        {%- if meta.get('accepted_values') -%}
            {%- do checks.append(select_from.replace('~rule~', 'accepted values') ~ column.name ~ " not in ('" ~ meta.accepted_values | join("', '") ~ "')") -%}
        {%- endif -%}
        {%- if meta.get('references') -%}
            {%- set reference = meta.references -%}
            {%- set parent = parents[reference.get('seed') or reference.source] -%}
            {#- an anti-join: `not in (subquery)` is slow on a large model -#}
            {%- do checks.append("select '" ~ column.name ~ " relationship' as broken_rule, cast(child." ~ column.name ~ " as " ~ dbt.type_string() ~ ") as value"
                ~ ' from ' ~ model ~ ' as child left join (select distinct ' ~ reference.column ~ ' as key_value from ' ~ parent
                ~ ') as parent on parent.key_value = child.' ~ column.name
                ~ ' where child.' ~ column.name ~ ' is not null and parent.key_value is null') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if checks -%}
        {{ checks | join('\nunion all\n') }}
    {%- else -%}
        select 'none' as broken_rule, null as value where false
    {%- endif -%}
    {%- endif -%}
{% endtest %}
