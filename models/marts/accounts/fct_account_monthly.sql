-- The public customer-month hub: int_customer_months_joined_to_health as published,
-- with the account's plan in the month (int_account_plans_monthly; a customer has a
-- line active on the snapshot day, so every row has one).
with

customer_months as (
    select * from {{ ref('int_customer_months_joined_to_health') }}
),

plans as (
    select * from {{ ref('int_account_plans_monthly') }}
),

final as (
    select
        customer_months.account_id,
        customer_months.month,
        customer_months.snapshot_date,
        customer_months.mrr,
        customer_months.arr,
        customer_months.tier,
        customer_months.tier_rank,
        customer_months.csm_id,
        customer_months.seats,
        customer_months.daily_active_users,
        customer_months.license_utilization,
        customer_months.stickiness,
        customer_months.breadth,
        customer_months.trend,
        customer_months.health_score,
        customer_months.condition,
        customer_months.stage,
        customer_months.stage_rank,
        customer_months.age_months,
        customer_months.tenure_phase,
        customer_months.is_advocate,
        plans.plan
    from customer_months
    left join plans
        on plans.account_id = customer_months.account_id
        and plans.month = customer_months.month
)

select * from final
