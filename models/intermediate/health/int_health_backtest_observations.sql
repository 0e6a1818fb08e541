-- One row per customer-month (a, M): the account's health, its components, its
-- condition, tier, stage and tenure at M, and what was observed after M within the
-- backtest horizon (int_health_backtest_outcomes; metrics.md "Health backtest"),
-- published as mart_health_backtest.
-- Every input is as of M's snapshot day; every outcome is in M+1 .. M+H and is
-- null where that window is not complete by the as-of date (right-censored).
--   weakest_component  the component with the largest weighted shortfall
--                      w_k x (1 - c_k) under the weights the score uses: what pulled
--                      the score down most (ties: utilization, stickiness, breadth,
--                      trend, in that order);
--   health_decile      1 + the decile of the health score among the observable rows
--                      (ceil(10 x cume_dist)), 1 = least healthy; ties share a decile.
with

health as (
    select * from {{ ref('int_account_health_monthly') }}
),

stages as (
    select * from {{ ref('int_account_stages_monthly') }}
),

tiers as (
    select * from {{ ref('int_account_tiers_monthly') }}
),

outcomes as (
    select * from {{ ref('int_health_backtest_outcomes') }}
),

weights as (
    select * from {{ cs_health_weights_relation() }} as active_weights
),

joined as (
    select
        health.account_id,
        health.month,
        health.snapshot_date,
        tiers.tier,
        stages.stage,
        stages.stage_rank,
        outcomes.age_months,
        health.health_score,
        health.condition,
        health.license_utilization,
        health.stickiness,
        health.breadth,
        health.trend,
        weights.weight_utilization * (1 - health.license_utilization) as shortfall_utilization,
        weights.weight_stickiness * (1 - health.stickiness) as shortfall_stickiness,
        weights.weight_breadth * (1 - health.breadth) as shortfall_breadth,
        weights.weight_trend * (1 - health.trend) as shortfall_trend,
        outcomes.horizon_months,
        outcomes.horizon_month,
        outcomes.is_observable,
        outcomes.backtest_period,
        outcomes.is_churned_within_horizon,
        outcomes.is_contracted_within_horizon,
        outcomes.next_renewal_month,
        outcomes.renewal_outcome
    from health
    inner join outcomes
        on outcomes.account_id = health.account_id
        and outcomes.month = health.month
    left join stages
        on stages.account_id = health.account_id
        and stages.month = health.month
    left join tiers
        on tiers.account_id = health.account_id
        and tiers.month = health.month
    cross join weights
),

explained as (
    select
        *,
        greatest(
            coalesce(shortfall_utilization, -1), coalesce(shortfall_stickiness, -1),
            coalesce(shortfall_breadth, -1), coalesce(shortfall_trend, -1)
        ) as largest_shortfall
    from joined
),

deciles as (
    select
        account_id,
        month,
        cast(ceiling(10 * cume_dist() over (order by health_score)) as integer) as health_decile
    from explained
    where is_observable
        and health_score is not null
),

final as (
    select
        explained.account_id,
        explained.month,
        explained.snapshot_date,
        explained.tier,
        explained.stage,
        cast(explained.stage_rank as integer) as stage_rank,
        cast(explained.age_months as integer) as tenure_months,
        explained.health_score,
        explained.condition,
        explained.license_utilization,
        explained.stickiness,
        explained.breadth,
        explained.trend,
        case
            when explained.largest_shortfall < 0 then null
            when explained.shortfall_utilization = explained.largest_shortfall then 'license_utilization'
            when explained.shortfall_stickiness = explained.largest_shortfall then 'stickiness'
            when explained.shortfall_breadth = explained.largest_shortfall then 'breadth'
            when explained.shortfall_trend = explained.largest_shortfall then 'trend'
        end as weakest_component,
        deciles.health_decile,
        cast(explained.horizon_months as integer) as horizon_months,
        explained.horizon_month,
        explained.is_observable,
        explained.backtest_period,
        explained.is_churned_within_horizon,
        explained.is_contracted_within_horizon,
        explained.next_renewal_month,
        explained.renewal_outcome
    from explained
    left join deciles
        on deciles.account_id = explained.account_id
        and deciles.month = explained.month
)

select * from final
