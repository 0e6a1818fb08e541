-- The public customer-month hub: int_customer_months_joined_to_health as published.
with

customer_months as (
    select * from {{ ref('int_customer_months_joined_to_health') }}
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
        tenure_phase,
        is_advocate
    from customer_months
)

select * from final
