-- One row per customer-month (MRR > 0 on the month's snapshot day): the hub of the
-- account figures. Revenue and tier come from fct_mrr_monthly and
-- int_account_tiers_monthly; the CSM is the one assigned on the snapshot day; health,
-- condition and stage are computed on the snapshot day over the trailing usage
-- window (metrics.md "Usage, health and stages"); the tenure phase follows from the
-- months since the cohort month (age_months).
with

account_months as (
    select * from {{ ref('fct_mrr_monthly') }}
),

tiers as (
    select * from {{ ref('int_account_tiers_monthly') }}
),

csms as (
    select * from {{ ref('int_account_csms_at_snapshots') }}
),

health as (
    select * from {{ ref('int_account_health_monthly') }}
),

stages as (
    select * from {{ ref('int_account_stages_monthly') }}
),

customer_months as (
    select *
    from account_months
    where is_customer
),

final as (
    select
        customer_months.account_id,
        customer_months.month,
        health.snapshot_date,
        customer_months.mrr,
        customer_months.arr,
        tiers.tier,
        tiers.tier_rank,
        csms.csm_id,
        health.seats,
        health.daily_active_users,
        health.license_utilization,
        health.stickiness,
        health.breadth,
        health.trend,
        health.health_score,
        health.condition,
        stages.stage,
        stages.stage_rank,
        customer_months.age_months,
        {{ cs_tenure_phase('customer_months.age_months') }} as tenure_phase,
        stages.is_advocate
    from customer_months
    left join tiers
        on tiers.account_id = customer_months.account_id
        and tiers.month = customer_months.month
    left join csms
        on csms.account_id = customer_months.account_id
        and csms.month = customer_months.month
    left join health
        on health.account_id = customer_months.account_id
        and health.month = customer_months.month
    left join stages
        on stages.account_id = customer_months.account_id
        and stages.month = customer_months.month
)

select * from final
