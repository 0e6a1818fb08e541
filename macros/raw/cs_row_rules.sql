{#-
    cs_row_rule_expressions(source_name, contract): CTEs from `typed` to
    `rows_with_reasons`, which adds `reject_reason`: every contract rule the row
    breaks, joined with '; ' (null when the row is accepted).

    Rules come from the contract (models/staging/raw/_raw__sources.yml):
      column meta   not_null, min, min_exclusive, max, accepted_values,
                    references {source|seed, column}
      table meta    unique: a row whose key an earlier valid row already has is
                    rejected (the first in file order is kept); skipped with
                    check_keys=false (base_raw__usage_duplicates does it for usage);
                    row_rules:
                      not_before {column, other}       column >= other where both are set
                      range_when {column, when_column, ranges}
                      first_of_month {column}
                      not_in_future {column}           not after the build day
                      no_overlap {partition, from, to} intervals of one key do not overlap
                      fx_rate_for_active_months        a non-reporting currency has a rate
                                                       for every month the line is active
-#}
{% macro cs_row_rule_expressions(source_name, contract, check_keys=true) %}
    {%- set table_meta = contract.meta -%}
    {%- set columns = contract.columns.values() | list -%}
    {%- set row_checks = [] -%}
    {%- set joins = [] -%}

    {%- for column in columns -%}
        {%- set meta = column.meta -%}
        {%- set name = 'typed.' ~ column.name -%}
        {%- if meta.get('not_null') -%}
            {%- do row_checks.append("case when " ~ name ~ " is null then '" ~ column.name ~ " is null' end") -%}
        {%- endif -%}
        {%- if meta.get('min') is not none -%}
            {%- do row_checks.append("case when " ~ name ~ " < " ~ meta.min ~ " then '" ~ column.name ~ " below " ~ meta.min ~ "' end") -%}
        {%- endif -%}
        {%- if meta.get('min_exclusive') is not none -%}
            {%- do row_checks.append("case when " ~ name ~ " <= " ~ meta.min_exclusive ~ " then '" ~ column.name ~ " not above " ~ meta.min_exclusive ~ "' end") -%}
        {%- endif -%}
        {%- if meta.get('max') is not none -%}
            {%- do row_checks.append("case when " ~ name ~ " > " ~ meta.max ~ " then '" ~ column.name ~ " above " ~ meta.max ~ "' end") -%}
        {%- endif -%}
        {%- if meta.get('accepted_values') -%}
            {%- set values = meta.accepted_values -%}
            {%- do row_checks.append("case when " ~ name ~ " not in ('" ~ values | join("', '") ~ "') then '"
                ~ column.name ~ " not one of " ~ values | join(', ') ~ "' end") -%}
        {%- endif -%}
        {%- if meta.get('references') -%}
            {%- set reference = meta.references -%}
            {%- set alias = 'known_' ~ column.name -%}
            {%- if reference.get('seed') -%}
                {%- set relation = ref(reference.seed) -%}
                {%- set label = reference.seed ~ '.' ~ reference.column -%}
                {%- set filter = '' -%}
            {%- else -%}
                {%- set relation = ref('base_raw__' ~ reference.source) -%}
                {%- set label = reference.source ~ '.' ~ reference.column -%}
                {%- set filter = ' where reject_reason is null' -%}
            {%- endif -%}
            {%- do joins.append('left join (select distinct ' ~ reference.column ~ ' as key_value from ' ~ relation ~ filter ~ ') as ' ~ alias
                ~ '\n        on ' ~ alias ~ '.key_value = ' ~ name) -%}
            {%- do row_checks.append("case when " ~ name ~ " is not null and " ~ alias ~ ".key_value is null then '"
                ~ column.name ~ " not in " ~ label ~ "' end") -%}
        {%- endif -%}
    {%- endfor -%}

    {%- set later_rules = [] -%}
    {%- for rule in table_meta.get('row_rules', []) -%}
        {%- if rule.rule == 'not_before' -%}
            {%- do row_checks.append("case when typed." ~ rule.column ~ " < typed." ~ rule.other ~ " then '"
                ~ rule.column ~ " before " ~ rule.other ~ "' end") -%}
        {%- elif rule.rule == 'range_when' -%}
            {%- for when_value, bounds in rule.ranges.items() -%}
                {%- do row_checks.append("case when typed." ~ rule.when_column ~ " = '" ~ when_value ~ "' and (typed." ~ rule.column
                    ~ " < " ~ bounds[0] ~ " or typed." ~ rule.column ~ " > " ~ bounds[1] ~ ") then '"
                    ~ rule.column ~ " outside " ~ bounds[0] ~ "-" ~ bounds[1] ~ " for " ~ when_value ~ "' end") -%}
            {%- endfor -%}
        {%- elif rule.rule == 'first_of_month' -%}
            {%- do row_checks.append("case when typed." ~ rule.column ~ " <> date_trunc('month', typed." ~ rule.column ~ ") then '"
                ~ rule.column ~ " not the first day of a month' end") -%}
        {%- elif rule.rule == 'not_in_future' -%}
            {%- do row_checks.append("case when typed." ~ rule.column ~ " > current_date then '"
                ~ rule.column ~ " after the build day' end") -%}
        {%- else -%}
            {%- do later_rules.append(rule) -%}
        {%- endif -%}
    {%- endfor -%}

-- the rules a row breaks on its own, and its references
rows_with_row_reasons as (
    select
        typed.*,
        nullif(concat_ws('; ',
            {%- for check in row_checks %}
            {{ check }}{{ ',' if not loop.last }}
            {%- endfor %}
            {%- if not row_checks %} null {%- endif %}
        ), '') as row_reason
    from typed
    {%- for join in joins %}
    {{ join }}
    {%- endfor %}
),

{%- set keys = table_meta.get('unique', []) if check_keys else [] %}
{%- if keys %}
-- hashes of the keys that more than one valid row has: one 64-bit value per row,
-- so that the work over every row needs a fraction of the memory of the keys
-- themselves. The hashes are sorted and each compared with the one before it: a
-- repeated hash is next to its twin, and no aggregate builds a group per row
-- (cs_sorted_repeats)
duplicated_hashes as (
    {{ cs_sorted_repeats("select " ~ cs_hash_key(keys) ~ " as key_hash from rows_with_row_reasons where row_reason is null", 'key_hash') | indent(4) }}
),

-- keys that more than one valid row has, with the first such row (an aggregate and a
-- join: far cheaper than a window partitioned by the key on a large file); the
-- aggregate on the keys themselves, over the few rows whose hash is repeated, keeps
-- the result exact when two keys share a hash
duplicated_keys as (
    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        min(source_row_number) as first_row_number
    from rows_with_row_reasons
    where row_reason is null
        and {{ cs_hash_key(keys) }} in (select key_hash from duplicated_hashes)
    group by {{ keys | join(', ') }}
    having count(*) > 1
),

-- a key already taken by an earlier valid row
rows_with_key_reasons as (
    select
        rows_with_row_reasons.*,
        case
            when rows_with_row_reasons.row_reason is null
                and rows_with_row_reasons.source_row_number > duplicated_keys.first_row_number
                then 'duplicate {{ keys | join(", ") }}'
        end as key_reason
    from rows_with_row_reasons
    left join duplicated_keys
        on {% for key in keys %}duplicated_keys.{{ key }} = rows_with_row_reasons.{{ key }}{{ '\n        and ' if not loop.last }}{% endfor %}
),
{%- else %}
rows_with_key_reasons as (
    select
        *,
        cast(null as varchar) as key_reason
    from rows_with_row_reasons
),
{%- endif %}

{%- set later_names = [] %}
{%- for rule in later_rules %}
    {%- if rule.rule == 'no_overlap' %}
        {%- do later_names.append('overlap_reason') %}
-- an interval that starts before an earlier valid interval of the same key ends
rows_with_overlap_reasons as (
    select
        *,
        case
            when row_reason is null and key_reason is null
                and {{ rule.from }} <= max(coalesce({{ rule.to }}, date '9999-12-31')) over (
                    partition by {{ rule.partition }}, (row_reason is null and key_reason is null)
                    order by {{ rule.from }}, source_row_number
                    rows between unbounded preceding and 1 preceding
                )
                then '{{ rule.from }}-{{ rule.to }} overlaps another row of the same {{ rule.partition }}'
        end as overlap_reason
    from rows_with_key_reasons
),
    {%- elif rule.rule == 'fx_rate_for_active_months' %}
        {%- do later_names.append('fx_reason') %}
as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

fx_rates as (
    select currency, month from {{ ref('stg_raw__fx_rates') }}
),

-- each month a foreign-currency line is active, up to the as-of month
foreign_line_months as (
    select
        typed.source_row_number,
        typed.currency,
        cast(unnest(generate_series(
            date_trunc('month', typed.start_date),
            date_trunc('month', least(coalesce(typed.end_date, as_of.as_of_date), as_of.as_of_date)),
            interval 1 month
        )) as date) as month
    from typed
    cross join as_of
    where typed.currency <> {{ cs_sql_string(var('reporting_currency')) }}
        and typed.start_date <= as_of.as_of_date
        and typed.start_date <= coalesce(typed.end_date, typed.start_date)
),

lines_missing_rates as (
    select
        foreign_line_months.source_row_number,
        min(foreign_line_months.currency) as currency,
        count(*) as months_missing,
        min(foreign_line_months.month) as first_month_missing
    from foreign_line_months
    left join fx_rates
        on fx_rates.currency = foreign_line_months.currency
        and fx_rates.month = foreign_line_months.month
    where fx_rates.month is null
    group by foreign_line_months.source_row_number
),

rows_with_fx_reasons as (
    select
        {{ 'rows_with_overlap_reasons' if 'overlap_reason' in later_names else 'rows_with_key_reasons' }}.*,
        case when lines_missing_rates.source_row_number is not null then
            'currency ' || lines_missing_rates.currency || ' has no fx_rates rate for '
            || strftime(lines_missing_rates.first_month_missing, '%Y-%m')
            || case when lines_missing_rates.months_missing > 1
                then ' and ' || (lines_missing_rates.months_missing - 1) || ' more month(s)' else '' end
        end as fx_reason
    from {{ 'rows_with_overlap_reasons' if 'overlap_reason' in later_names else 'rows_with_key_reasons' }}
    left join lines_missing_rates
        on lines_missing_rates.source_row_number = {{ 'rows_with_overlap_reasons' if 'overlap_reason' in later_names else 'rows_with_key_reasons' }}.source_row_number
),
    {%- else %}
        {{ exceptions.raise_compiler_error('Unknown row rule ' ~ rule.rule ~ ' in the contract of ' ~ source_name) }}
    {%- endif %}
{%- endfor %}

{%- set last_cte = 'rows_with_fx_reasons' if 'fx_reason' in later_names else ('rows_with_overlap_reasons' if 'overlap_reason' in later_names else 'rows_with_key_reasons') %}

rows_with_reasons as (
    select
        *,
        nullif(concat_ws('; ', row_reason, key_reason
            {%- for name in later_names %}, {{ name }}{% endfor %}), '') as reject_reason
    from {{ last_cte }}
)
{%- endmacro %}


{#-
    cs_sorted_repeats(relation_sql, column): the distinct values of `column` that occur
    more than once in the rows of `relation_sql`. The values are sorted and each is
    compared with the one before it, so equal values meet: on tens of millions of
    mostly distinct 64-bit hashes this is faster, and spills less, than an aggregate
    with one group per value (DECISIONLOG.md, "Duplicate keys by a 64-bit hash first").
-#}
{% macro cs_sorted_repeats(relation_sql, column) -%}
select distinct {{ column }}
from (
    select
        {{ column }},
        lag({{ column }}) over (order by {{ column }}) as previous_{{ column }}
    from ({{ relation_sql }})
)
where {{ column }} = previous_{{ column }}
{%- endmacro %}
