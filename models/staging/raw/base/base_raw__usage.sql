{{ config(materialized='view') }}
-- Every row of the usage file, typed, with reject_reason (null = accepted) for the
-- rules a row breaks on its own. A view, not a table: usage is the big file. Two
-- models read it, each in one scan of the file: base_raw__usage_valid (the valid
-- rows, the table every other usage model reads; on a refresh only the days after
-- the cutoff) and base_raw__usage_rejects. The one rule that is not local to a row,
-- the duplicate key (account_id, usage_date, feature), is applied by
-- base_raw__usage_duplicates and stg_raw__usage.
-- The file, its types and its rules are declared in the raw contract
-- (_raw__sources.yml); the macros in macros/raw/ read them from there.
{%- set raw = cs_raw_source('usage') %}

with

source as (
    {{ cs_source_rows(raw) | indent(4) }}
),

-- the typed values, and the values as read (raw__<n>) for the JSON of a rejected row
typed as (
    select
        source_row_number,
        {{ cs_typed(raw, 'account_id') }} as account_id,
        {{ cs_typed(raw, 'usage_date') }} as usage_date,
        {{ cs_typed(raw, 'feature') }} as feature,
        {{ cs_typed(raw, 'active_users') }} as active_users,
        {{ cs_typed(raw, 'events') }} as events,
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

rows_with_reasons as (
    select
        *,
        row_reason as reject_reason
    from rows_with_row_reasons
),

final as (
    select
        source_row_number,
        account_id,
        usage_date,
        feature,
        active_users,
        events,
        {{ cs_source_file(raw) }} as source_file,
        -- a valid row can still be rejected for its key: its JSON is kept (a view
        -- computes it only where it is read)
        {{ cs_row_as_read(raw, 'true') }} as source_row,
        reject_reason
    from rows_with_reasons
)

select * from final
