-- Every row of the touchpoints file, typed, with reject_reason (null = accepted).
-- The file, its types and its rules are declared in the raw contract
-- (_raw__sources.yml); the macros in macros/raw/ read them from there.
{%- set raw = cs_raw_source('touchpoints') %}

with

source as (
    {{ cs_source_rows(raw) | indent(4) }}
),

-- the typed values, and the values as read (raw__<n>) for the JSON of a rejected row
typed as (
    select
        source_row_number,
        {{ cs_typed(raw, 'touch_id') }} as touch_id,
        {{ cs_typed(raw, 'account_id') }} as account_id,
        {{ cs_typed(raw, 'csm_id') }} as csm_id,
        {{ cs_typed(raw, 'touched_at') }} as touched_at,
        {{ cs_typed(raw, 'channel') }} as channel,
        {{ cs_typed(raw, 'purpose') }} as purpose,
        {{ cs_as_read(raw) }}
    from source
),

known_accounts as (
    select distinct account_id
    from {{ ref('base_raw__accounts') }}
    where reject_reason is null
),

-- the rules a row breaks on its own, and its references
rows_with_row_reasons as (
    select
        typed.*,
        {{ cs_row_reason(raw) }} as row_reason
    from typed
    left join known_accounts
        on known_accounts.account_id = typed.account_id
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
        touch_id,
        account_id,
        csm_id,
        touched_at,
        channel,
        purpose,
        {{ cs_source_file(raw) }} as source_file,
        {{ cs_row_as_read(raw, 'reject_reason is not null') }} as source_row,
        reject_reason
    from rows_with_reasons
)

select * from final
