{#-
    The contract's reject rules (models/staging/raw/_raw__sources.yml), as the base
    models apply them:

    cs_row_reason(raw, rules_in_model=[])
        The rules a row of `typed` breaks on its own, joined with '; ' (null when it
        breaks none), in the contract's order:
          column meta   not_null, min, min_exclusive, max, accepted_values,
                        references {source|seed, column}: the model left-joins the
                        accepted keys as known_<source|seed> (e.g. known_accounts,
                        with column account_id);
          table meta    row_rules not_before {column, other}, range_when {column,
                        when_column, ranges}, first_of_month {column}, not_in_future
                        {column} (not after the build day).
        The row rules that need other rows (no_overlap, fx_rate_for_active_months)
        are written in the model that has them, which lists them in rules_in_model
        with the parameters its SQL uses ({'rule': 'no_overlap', 'partition':
        'account_id', ...}). Compiling stops when a declared rule is applied by
        nobody, when a model applies a rule the contract does not declare, or when
        the parameters differ from the contract's.

    cs_duplicate_key_rule(raw, rows)
        CTEs from `rows` (which has row_reason) to rows_with_key_reasons, which adds
        key_reason: a row whose key (table meta `unique`) an earlier row without a
        row_reason already has is rejected; the first in file order is kept.
-#}
{% macro cs_row_reason(raw, rules_in_model=[]) %}
    {%- if not execute -%}{{ return('cast(null as ' ~ dbt.type_string() ~ ')') }}{%- endif -%}
    {%- set contract = cs_contract(raw.source_name) -%}
    {%- set checks = [] -%}

    {%- for column in contract.columns.values() -%}
        {%- set meta = column.meta -%}
        {%- set name = 'typed.' ~ column.name -%}
        {%- if meta.get('not_null') -%}
            {%- do checks.append("case when " ~ name ~ " is null then '" ~ column.name ~ " is null' end") -%}
        {%- endif -%}
        {%- if meta.get('min') is not none -%}
            {%- do checks.append("case when " ~ name ~ " < " ~ meta.min ~ " then '" ~ column.name ~ " below " ~ meta.min ~ "' end") -%}
        {%- endif -%}
        {%- if meta.get('min_exclusive') is not none -%}
            {%- do checks.append("case when " ~ name ~ " <= " ~ meta.min_exclusive ~ " then '" ~ column.name ~ " not above " ~ meta.min_exclusive ~ "' end") -%}
        {%- endif -%}
        {%- if meta.get('max') is not none -%}
            {%- do checks.append("case when " ~ name ~ " > " ~ meta.max ~ " then '" ~ column.name ~ " above " ~ meta.max ~ "' end") -%}
        {%- endif -%}
        {%- if meta.get('accepted_values') -%}
            {%- set values = meta.accepted_values -%}
            {%- do checks.append("case when " ~ name ~ " not in ('" ~ values | join("', '") ~ "') then '"
                ~ column.name ~ " not one of " ~ values | join(', ') ~ "' end") -%}
        {%- endif -%}
        {%- if meta.get('references') -%}
            {%- set reference = meta.references -%}
            {%- set target = reference.get('seed') or reference.source -%}
            {%- do checks.append("case when " ~ name ~ " is not null and known_" ~ target ~ "." ~ reference.column
                ~ " is null then '" ~ column.name ~ " not in " ~ target ~ "." ~ reference.column ~ "' end") -%}
        {%- endif -%}
    {%- endfor -%}

    {%- set declared = [] -%}
    {%- set in_model = {} -%}
    {%- for rule in rules_in_model -%}
        {%- do in_model.update({rule.rule: rule}) -%}
    {%- endfor -%}
    {%- for rule in contract.meta.get('row_rules', []) -%}
        {%- do declared.append(rule.rule) -%}
        {%- if rule.rule == 'not_before' -%}
            {%- do checks.append("case when typed." ~ rule.column ~ " < typed." ~ rule.other ~ " then '"
                ~ rule.column ~ " before " ~ rule.other ~ "' end") -%}
        {%- elif rule.rule == 'range_when' -%}
            {%- for when_value, bounds in rule.ranges.items() -%}
                {%- do checks.append("case when typed." ~ rule.when_column ~ " = '" ~ when_value ~ "' and (typed." ~ rule.column
                    ~ " < " ~ bounds[0] ~ " or typed." ~ rule.column ~ " > " ~ bounds[1] ~ ") then '"
                    ~ rule.column ~ " outside " ~ bounds[0] ~ "-" ~ bounds[1] ~ " for " ~ when_value ~ "' end") -%}
            {%- endfor -%}
        {%- elif rule.rule == 'first_of_month' -%}
            {%- do checks.append("case when typed." ~ rule.column ~ " <> date_trunc('month', typed." ~ rule.column ~ ") then '"
                ~ rule.column ~ " not the first day of a month' end") -%}
        {%- elif rule.rule == 'not_in_future' -%}
            {%- do checks.append("case when typed." ~ rule.column ~ " > current_date then '"
                ~ rule.column ~ " after the build day' end") -%}
        {%- elif rule.rule not in in_model -%}
            {{ exceptions.raise_compiler_error('The raw contract declares row rule ' ~ rule.rule ~ ' for ' ~ raw.source_name
                ~ ', which base_raw__' ~ raw.source_name ~ ' does not apply') }}
        {%- elif in_model[rule.rule] != rule -%}
            {{ exceptions.raise_compiler_error('base_raw__' ~ raw.source_name ~ ' applies row rule ' ~ rule.rule
                ~ ' as ' ~ tojson(in_model[rule.rule]) ~ ', but the raw contract declares ' ~ tojson(rule)
                ~ ': the SQL of the model and the contract must say the same') }}
        {%- endif -%}
    {%- endfor -%}
    {%- for rule in in_model if rule not in declared -%}
        {{ exceptions.raise_compiler_error('base_raw__' ~ raw.source_name ~ ' applies row rule ' ~ rule
            ~ ', which the raw contract does not declare for ' ~ raw.source_name) }}
    {%- endfor -%}

    {%- if not checks -%}{{ return('cast(null as ' ~ dbt.type_string() ~ ')') }}{%- endif -%}
    {{- return("nullif(concat_ws('; ',\n            " ~ checks | join(',\n            ') ~ "\n        ), '')") -}}
{% endmacro %}


{% macro cs_duplicate_key_rule(raw, rows) %}
    {%- set keys = cs_contract(raw.source_name).meta.get('unique', []) if execute else [] -%}
    {%- if not keys %}
rows_with_key_reasons as (
    select
        *,
        cast(null as {{ dbt.type_string() }}) as key_reason
    from {{ rows }}
)
    {%- else %}
-- hashes of the keys that more than one valid row has: one 64-bit value per row,
-- so that the work over every row needs a fraction of the memory of the keys
-- themselves (cs_sorted_repeats)
duplicated_hashes as (
    {{ cs_sorted_repeats("select " ~ cs_hash_key(keys) ~ " as key_hash from " ~ rows ~ " where row_reason is null", 'key_hash') | indent(4) }}
),

-- keys that more than one valid row has, with the first such row; the aggregate on
-- the keys themselves, over the few rows whose hash is repeated, keeps the result
-- exact when two keys share a hash
duplicated_keys as (
    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        min(source_row_number) as first_row_number
    from {{ rows }}
    where row_reason is null
        and {{ cs_hash_key(keys) }} in (select key_hash from duplicated_hashes)
    group by {{ keys | join(', ') }}
    having count(*) > 1
),

-- a key already taken by an earlier valid row
rows_with_key_reasons as (
    select
        {{ rows }}.*,
        case
            when {{ rows }}.row_reason is null
                and {{ rows }}.source_row_number > duplicated_keys.first_row_number
                then 'duplicate {{ keys | join(", ") }}'
        end as key_reason
    from {{ rows }}
    left join duplicated_keys
        on {% for key in keys %}duplicated_keys.{{ key }} = {{ rows }}.{{ key }}{{ '\n        and ' if not loop.last }}{% endfor %}
)
    {%- endif %}
{%- endmacro %}


{#-
    cs_sorted_repeats(relation_sql, column, partition_by=none): the distinct values of
    `column` that occur more than once in the rows of `relation_sql`. The values are
    sorted and each is compared with the one before it, so equal values meet: on tens of
    millions of mostly distinct 64-bit hashes this is faster, and spills less, than an
    aggregate with one group per value (DECISIONLOG.md, "Duplicate keys by a 64-bit hash
    first"). With `partition_by` (a column of `relation_sql`), only values repeated
    within one value of it count, and each partition is sorted on its own: for the hash
    of a key that holds that column, the same answer, with many small sorts instead of
    one sort of every row (on Spark, instead of moving every row to one task).
-#}
{% macro cs_sorted_repeats(relation_sql, column, partition_by=none) -%}
select distinct {{ column }}
from (
    select
        {{ column }},
        lag({{ column }}) over (
            {%- if partition_by %}partition by {{ partition_by }} {% endif -%}
            order by {{ column }}) as previous_{{ column }}
    from ({{ relation_sql }})
)
where {{ column }} = previous_{{ column }}
{%- endmacro %}
