-- One row per customer-month (MRR > 0 on the month's snapshot day): the hub of the
-- account figures. Revenue and tier come from int_account_months_classified_by_movement and
-- int_account_tiers_monthly; the CSM is the one assigned on the snapshot day; health,
-- condition and stage are computed on the snapshot day over the trailing usage
-- window (metrics.md "Usage, health and stages"); the tenure phase follows from the
-- months since the cohort month (age_months).
with

account_months as (
    select * from {{ ref('int_account_months_classified_by_movement') }}
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

customer_months as {{ cs_cte_materialized() }} (
    select *
    from account_months
    where is_customer
),

-- One join per step, each step materialized. Written as one statement with four
-- left joins, DuckDB's join order optimizer (which cannot know that every right
-- side has one row per account and month) built hash tables on the large sides
-- and ran out of memory on large warehouses; one join at a time, each hash table
-- fits or spills.
with_tiers as {{ cs_cte_materialized() }} (
    select
        customer_months.account_id,
        customer_months.month,
        customer_months.mrr,
        customer_months.arr,
        customer_months.age_months,
        tiers.tier,
        tiers.tier_rank
    from customer_months
    left join tiers
        on tiers.account_id = customer_months.account_id
        and tiers.month = customer_months.month
),

with_csms as {{ cs_cte_materialized() }} (
    select
        with_tiers.*,
        csms.csm_id
    from with_tiers
    left join csms
        on csms.account_id = with_tiers.account_id
        and csms.month = with_tiers.month
),

with_health as {{ cs_cte_materialized() }} (
    select
        with_csms.*,
        health.snapshot_date,
        health.seats,
        health.daily_active_users,
        health.license_utilization,
        health.stickiness,
        health.breadth,
        health.trend,
        health.health_score,
        health.condition
    from with_csms
    left join health
        on health.account_id = with_csms.account_id
        and health.month = with_csms.month
),

with_stages as (
    select
        with_health.*,
        stages.stage,
        stages.stage_rank,
        stages.is_advocate
    from with_health
    left join stages
        on stages.account_id = with_health.account_id
        and stages.month = with_health.month
),

final as (
    select
        account_id,
        month,
        snapshot_date,
        mrr,
        arr,
        tier,
        tier_rank,
        csm_id,
        seats,
        daily_active_users,
        license_utilization,
        stickiness,
        breadth,
        trend,
        health_score,
        condition,
        stage,
        stage_rank,
        age_months,
        {{ cs_tenure_phase('age_months') }} as tenure_phase,
        is_advocate
    from with_stages
)

select * from final
