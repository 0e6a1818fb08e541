-- One row per month, ticket category and feature with at least one ticket
-- (metrics.md "Product feedback"; Sansan's 4 categories x feature). A ticket with
-- no feature is counted under the feature '(none)'.
with

tickets as (
    select * from {{ ref('stg_raw__tickets') }}
),

months as (
    select * from {{ ref('int_months') }}
),

tickets_in_months as (
    select
        months.month,
        tickets.category,
        coalesce(tickets.feature, '(none)') as feature,
        tickets.ticket_id,
        tickets.account_id
    from tickets
    inner join months
        on months.month = cast({{ dbt.date_trunc('month', 'tickets.opened_at') }} as date)
        and tickets.opened_at <= months.snapshot_date
),

final as (
    select
        month,
        category,
        feature,
        cast(count(*) as bigint) as tickets,
        cast(count(distinct account_id) as bigint) as accounts
    from tickets_in_months
    group by month, category, feature
)

select * from final
