-- One row per weighting of the health score, `fixed` (the documented weights) and
-- `fitted` (int_health_weights_fitted): the four weights, which one the health
-- score uses (var health_weights), and the ROC AUC with DeLong's 95% interval of
-- each for churn within the backtest horizon on the holdout customer-months, which
-- the fit never saw (metrics.md "Health backtest"). Both scores are 100 x the
-- weighted mean of the present components, computed from the same components.
with

components as (
    select * from {{ ref('int_account_health_components_monthly') }}
),

outcomes as (
    select * from {{ ref('int_health_backtest_outcomes') }}
),

fit as (
    select * from {{ ref('int_health_weights_fitted') }}
),

weightings as (
    select
        'fixed' as weighting,
        max(case when component = 'license_utilization' then fixed_weight end) as weight_utilization,
        max(case when component = 'stickiness' then fixed_weight end) as weight_stickiness,
        max(case when component = 'breadth' then fixed_weight end) as weight_breadth,
        max(case when component = 'trend' then fixed_weight end) as weight_trend
    from fit
    union all
    select
        'fitted' as weighting,
        max(case when component = 'license_utilization' then fitted_weight end) as weight_utilization,
        max(case when component = 'stickiness' then fitted_weight end) as weight_stickiness,
        max(case when component = 'breadth' then fitted_weight end) as weight_breadth,
        max(case when component = 'trend' then fitted_weight end) as weight_trend
    from fit
),

fit_summary as (
    select
        max(fit_status) as fit_status,
        max(training_observations) as training_observations,
        max(training_churned) as training_churned,
        max(l2_penalty) as l2_penalty
    from fit
),

holdout as (
    select
        components.license_utilization,
        components.stickiness,
        components.breadth,
        components.trend,
        outcomes.is_churned_within_horizon
    from components
    inner join outcomes
        on outcomes.account_id = components.account_id
        and outcomes.month = components.month
    where outcomes.backtest_period = 'holdout'
),

scored as (
    select
        weightings.weighting,
        100 * {{ cs_weighted_mean_of_present([
            ('holdout.license_utilization', 'weightings.weight_utilization'),
            ('holdout.stickiness', 'weightings.weight_stickiness'),
            ('holdout.breadth', 'weightings.weight_breadth'),
            ('holdout.trend', 'weightings.weight_trend'),
        ]) }} as score,
        case when holdout.is_churned_within_horizon then 1 else 0 end as pos_churn,
        case when not holdout.is_churned_within_horizon then 1 else 0 end as neg_churn
    from holdout
    cross join weightings
),

scored_present as (
    select * from scored
    where score is not null
),

{{ cs_auc_delong('scored_present', ['weighting'], ['churn']) }},

final as (
    select
        weightings.weighting,
        weightings.weighting = '{{ var("health_weights") }}' as is_active,
        weightings.weight_utilization,
        weightings.weight_stickiness,
        weightings.weight_breadth,
        weightings.weight_trend,
        fit_summary.fit_status,
        cast(fit_summary.training_observations as bigint) as training_observations,
        cast(fit_summary.training_churned as bigint) as training_churned,
        fit_summary.l2_penalty,
        coalesce(auc_final.observations, 0) as holdout_observations,
        coalesce(auc_final.positives, 0) as holdout_churned,
        auc_final.auc as holdout_auc,
        auc_final.auc_std_error as holdout_auc_std_error,
        auc_final.auc_ci_low as holdout_auc_ci_low,
        auc_final.auc_ci_high as holdout_auc_ci_high
    from weightings
    cross join fit_summary
    left join auc_final
        on auc_final.weighting = weightings.weighting
)

select * from final
