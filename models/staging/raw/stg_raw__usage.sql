{{ config(materialized='view') }}
-- The accepted rows of the usage file: the rows that break no rule on their own
-- (base_raw__usage_valid) and whose key no earlier row has (base_raw__usage_duplicates).
-- Rejected rows are in raw_rejects. A view over the table base_raw__usage_valid: the
-- aggregates in models/intermediate/usage read it.
{#- the first key of each duplicated key is kept: a valid row in the base view is an accepted row -#}
{{ cs_reject_gate('usage', ref('base_raw__usage_rejects'), rows=ref('base_raw__usage')) }}

with

usage as (
    select * from {{ ref('base_raw__usage_valid') }}
),

duplicates as (
    select source_row_number from {{ ref('base_raw__usage_duplicates') }}
),

final as (
    select
        usage.account_id,
        usage.usage_date,
        usage.feature,
        usage.active_users,
        usage.events
    from usage
    left join duplicates
        on duplicates.source_row_number = usage.source_row_number
    where duplicates.source_row_number is null
)

select * from final
