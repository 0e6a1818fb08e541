-- One row per customer-month: the account's latest touchpoint that is not
-- automated, its latest automated touchpoint and its latest community activity,
-- each on or before the month's snapshot day. Tier coverage (touch cadence) and
-- community impact read these dates.
with

account_months as (
    select * from {{ ref('int_account_months_classified_by_movement') }}
),

months as (
    select * from {{ ref('int_months') }}
),

touchpoints as (
    select * from {{ ref('stg_raw__touchpoints') }}
),

community_activity as (
    select * from {{ ref('stg_raw__community') }}
),

customer_snapshots as (
    select
        account_months.account_id,
        account_months.month,
        months.snapshot_date
    from account_months
    inner join months
        on months.month = account_months.month
    where account_months.is_customer
),

-- One timeline per account: its activity and its snapshot days. A running max
-- over it gives the latest activity on or before each snapshot day without
-- joining every activity to every month. Activity sorts before a snapshot of the
-- same day, so activity on the snapshot day counts.
timeline as (
    select
        account_id,
        touched_at as event_date,
        0 as event_order,
        cast(null as date) as month,
        case when channel <> 'automated' then touched_at end as touch_date,
        case when channel = 'automated' then touched_at end as automated_touch_date,
        cast(null as date) as community_activity_date
    from touchpoints

    union all

    select
        account_id,
        activity_date as event_date,
        0 as event_order,
        cast(null as date) as month,
        cast(null as date) as touch_date,
        cast(null as date) as automated_touch_date,
        activity_date as community_activity_date
    from community_activity

    union all

    select
        account_id,
        snapshot_date as event_date,
        1 as event_order,
        month,
        cast(null as date) as touch_date,
        cast(null as date) as automated_touch_date,
        cast(null as date) as community_activity_date
    from customer_snapshots
),

latest_before_each_event as (
    select
        account_id,
        month,
        event_order,
        event_date,
        max(touch_date) over account_timeline as last_touch_date,
        max(automated_touch_date) over account_timeline as last_automated_touch_date,
        max(community_activity_date) over account_timeline as last_community_activity_date
    from timeline
    window account_timeline as (
        partition by account_id
        order by event_date, event_order
        rows between unbounded preceding and current row
    )
),

final as (
    select
        account_id,
        month,
        event_date as snapshot_date,
        last_touch_date,
        last_automated_touch_date,
        last_community_activity_date
    from latest_before_each_event
    where event_order = 1
)

select * from final
