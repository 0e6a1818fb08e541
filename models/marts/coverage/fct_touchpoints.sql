-- One row per accepted touchpoint dated in a reporting month, on or before that
-- month's snapshot day (so none after the as-of date, and none before the first
-- reporting month). It flags what touches per account counts (metrics.md "Tiers
-- and coverage"): a touch whose channel is not `automated`, of an account that is
-- a customer in the touch's month.
with

touchpoints as (
    select * from {{ ref('stg_raw__touchpoints') }}
),

months as (
    select * from {{ ref('int_months') }}
),

account_months as (
    select * from {{ ref('int_account_months_classified_by_movement') }}
),

touchpoints_in_reporting_months as (
    select
        touchpoints.touch_id,
        touchpoints.account_id,
        touchpoints.csm_id,
        touchpoints.touched_at,
        months.month,
        touchpoints.channel,
        touchpoints.purpose
    from touchpoints
    inner join months
        on months.month = cast({{ dbt.date_trunc('month', 'touchpoints.touched_at') }} as date)
        and touchpoints.touched_at <= months.snapshot_date
),

final as (
    select
        touchpoints_in_reporting_months.touch_id,
        touchpoints_in_reporting_months.account_id,
        touchpoints_in_reporting_months.csm_id,
        touchpoints_in_reporting_months.touched_at,
        touchpoints_in_reporting_months.month,
        touchpoints_in_reporting_months.channel,
        touchpoints_in_reporting_months.purpose,
        touchpoints_in_reporting_months.channel = 'automated' as is_automated,
        coalesce(account_months.is_customer, false) as is_customer
    from touchpoints_in_reporting_months
    left join account_months
        on account_months.account_id = touchpoints_in_reporting_months.account_id
        and account_months.month = touchpoints_in_reporting_months.month
)

select * from final
