-- One row per customer-month (a, M): the account's health, its components, its
-- condition, tier, stage and tenure at M, and what was observed after M within the
-- backtest horizon (metrics.md "Health backtest"). The public name and contract of
-- int_health_backtest_observations, where the columns are derived.
with

observations as (
    select * from {{ ref('int_health_backtest_observations') }}
),

final as (
    select
        account_id,
        month,
        snapshot_date,
        tier,
        stage,
        stage_rank,
        tenure_months,
        health_score,
        condition,
        license_utilization,
        stickiness,
        breadth,
        trend,
        weakest_component,
        health_decile,
        horizon_months,
        horizon_month,
        is_observable,
        backtest_period,
        is_churned_within_horizon,
        is_contracted_within_horizon,
        next_renewal_month,
        renewal_outcome
    from observations
)

select * from final
