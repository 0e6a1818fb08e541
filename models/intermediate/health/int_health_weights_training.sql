-- One row per training customer-month with every health component present: the
-- observations the weight fit reads (metrics.md "Health backtest", fitted weights),
-- as each component's shortfall (1 - component) and whether the account churned
-- within the backtest horizon (1 or 0). Training months are those whose whole
-- outcome window ends on or before the first holdout month
-- (int_health_backtest_outcomes), so the fit sees nothing of the holdout period.
-- A table of its own because int_health_weights_fitted scans it once per step.
with

components as (
    select * from {{ ref('int_account_health_components_monthly') }}
),

outcomes as (
    select * from {{ ref('int_health_backtest_outcomes') }}
),

final as (
    select
        components.account_id,
        components.month,
        cast(1 - components.license_utilization as double) as shortfall_utilization,
        cast(1 - components.stickiness as double) as shortfall_stickiness,
        cast(1 - components.breadth as double) as shortfall_breadth,
        cast(1 - components.trend as double) as shortfall_trend,
        cast(case when outcomes.is_churned_within_horizon then 1 else 0 end as double) as churned
    from components
    inner join outcomes
        on outcomes.account_id = components.account_id
        and outcomes.month = components.month
    where
        outcomes.backtest_period = 'training'
        and components.license_utilization is not null
        and components.stickiness is not null
        and components.breadth is not null
        and components.trend is not null
)

select * from final
