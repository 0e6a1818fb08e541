-- One row per customer-month with what tier coverage needs: the tier and its
-- policy (seed tier_policy), the required FTE, the CSM assigned on the snapshot
-- day (fct_account_monthly.csm_id) and the touch flags (metrics.md "Tiers and
-- coverage").
with

account_months as (
    select * from {{ ref('int_customer_months_joined_to_health') }}
),

tier_policy as (
    select * from {{ ref('tier_policy') }}
),

latest_activity as (
    select * from {{ ref('int_customer_months_joined_to_latest_activity') }}
),

joined as (
    select
        account_months.account_id,
        account_months.month,
        latest_activity.snapshot_date,
        account_months.arr,
        account_months.tier,
        tier_policy.tier_rank,
        tier_policy.accounts_per_csm,
        tier_policy.cadence_days,
        account_months.csm_id,
        latest_activity.last_touch_date,
        latest_activity.last_automated_touch_date
    from account_months
    inner join latest_activity
        on latest_activity.account_id = account_months.account_id
        and latest_activity.month = account_months.month
    left join tier_policy
        on tier_policy.tier = account_months.tier
),

final as (
    select
        account_id,
        month,
        snapshot_date,
        arr,
        tier,
        cast(tier_rank as integer) as tier_rank,
        cast(accounts_per_csm as integer) as accounts_per_csm,
        cast(cadence_days as integer) as cadence_days,
        -- a tech-touch tier (no accounts-per-CSM target) needs no CSM time
        coalesce(1.0 / accounts_per_csm, 0.0) as required_fte,
        csm_id,
        csm_id is not null as is_assigned,
        accounts_per_csm is not null and csm_id is null as is_unassigned,
        last_touch_date,
        cast({{ dbt.datediff('last_touch_date', 'snapshot_date', 'day') }} as integer) as days_since_touch,
        -- on cadence: a touch that is not automated in the cadence_days days that
        -- end on the snapshot day (a touch exactly cadence_days before is outside)
        case
            when cadence_days is not null
                then coalesce({{ dbt.datediff('last_touch_date', 'snapshot_date', 'day') }} < cadence_days, false)
        end as is_touch_compliant,
        last_automated_touch_date,
        -- tiers without a cadence (tech touch): reached by automation in the month
        case
            when cadence_days is null
                then coalesce(last_automated_touch_date >= month, false)
        end as has_automated_touch_in_month
    from joined
)

select * from final
