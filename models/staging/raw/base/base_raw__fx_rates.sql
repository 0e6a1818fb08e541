-- Every row of the fx_rates file, typed, with reject_reason (null = accepted).
-- The file, its types and its rules are declared in the raw contract
-- (_raw__sources.yml); the macros in macros/raw/ read them from there.
{%- set raw = cs_raw_source('fx_rates') %}

with

source as (
    {{ cs_source_rows(raw) | indent(4) }}
),

-- the typed values, and the values as read (raw__<n>) for the JSON of a rejected row
typed as (
    select
        source_row_number,
        {{ cs_typed(raw, 'currency') }} as currency,
        {{ cs_typed(raw, 'month') }} as month,
        {{ cs_typed(raw, 'rate') }} as rate,
        {{ cs_as_read(raw) }}
    from source
),

-- the rules a row breaks on its own, and its references
rows_with_row_reasons as (
    select
        typed.*,
        {{ cs_row_reason(raw) }} as row_reason
    from typed
),

{{ cs_duplicate_key_rule(raw, 'rows_with_row_reasons') | trim }},

rows_with_reasons as (
    select
        *,
        nullif(concat_ws('; ', row_reason, key_reason), '') as reject_reason
    from rows_with_key_reasons
),

final as (
    select
        source_row_number,
        currency,
        month,
        rate,
        {{ cs_source_file(raw) }} as source_file,
        {{ cs_row_as_read(raw, 'reject_reason is not null') }} as source_row,
        reject_reason
    from rows_with_reasons
)

select * from final
