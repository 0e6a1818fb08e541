-- Every rejected row of the usage file, with its reason, file, row number and the
-- row as read (JSON): the rows that break a rule on their own, and those rejected
-- for a duplicate key (base_raw__usage_duplicates). One scan of the file, which
-- keeps only the rejected rows.
with

usage as (
    select * from {{ ref('base_raw__usage') }}
),

duplicates as (
    select * from {{ ref('base_raw__usage_duplicates') }}
),

final as (
    select
        usage.source_row_number,
        usage.account_id,
        usage.usage_date,
        usage.feature,
        usage.active_users,
        usage.events,
        usage.source_file,
        usage.source_row,
        coalesce(usage.reject_reason, duplicates.reject_reason) as reject_reason
    from usage
    left join duplicates
        on duplicates.source_row_number = usage.source_row_number
    where usage.reject_reason is not null
        or duplicates.source_row_number is not null
)

select * from final
