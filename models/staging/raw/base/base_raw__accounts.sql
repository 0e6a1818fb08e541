-- Every row of the accounts file, typed, with reject_reason (null = accepted).
-- The file, its types and its rules are declared in the raw contract
-- (_raw__sources.yml); the macros in macros/raw/ read them from there.
{%- set raw = cs_raw_source('accounts') %}

with

source as (
    {{ cs_source_rows(raw) | indent(4) }}
),

-- the typed values, and the values as read (raw__<n>) for the JSON of a rejected row
typed as (
    select
        source_row_number,
        {{ cs_typed(raw, 'account_id') }} as account_id,
        {{ cs_typed(raw, 'account_name') }} as account_name,
        {{ cs_typed(raw, 'created_at') }} as created_at,
        {{ cs_typed(raw, 'industry') }} as industry,
        {{ cs_typed(raw, 'employee_count') }} as employee_count,
        {{ cs_typed(raw, 'region') }} as region,
        {{ cs_typed(raw, 'is_advocate') }} as is_advocate,
        {{ cs_typed(raw, 'tier_override') }} as tier_override,
        {{ cs_as_read(raw) }}
    from source
),

known_tier_policy as (
    select distinct tier
    from {{ ref('tier_policy') }}
),

-- the rules a row breaks on its own, and its references
rows_with_row_reasons as (
    select
        typed.*,
        {{ cs_row_reason(raw) }} as row_reason
    from typed
    left join known_tier_policy
        on known_tier_policy.tier = typed.tier_override
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
        account_id,
        account_name,
        created_at,
        industry,
        employee_count,
        region,
        is_advocate,
        tier_override,
        {{ cs_source_file(raw) }} as source_file,
        {{ cs_row_as_read(raw, 'reject_reason is not null') }} as source_row,
        reject_reason
    from rows_with_reasons
)

select * from final
