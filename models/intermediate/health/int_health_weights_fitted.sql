-- One row per health component: the weight fitted to churn, beside the fixed one
-- (metrics.md "Health backtest", fitted weights). On the training observations
-- (int_health_weights_training), a logistic regression of churn within the horizon on
-- the components' shortfalls s_k = 1 - c_k:
--
--     P(churn) = 1 / (1 + exp(-(b0 + sum_k b_k s_k))),   b_k >= 0,
--
-- maximising the log-likelihood minus `health_fit_l2_penalty` / 2 x sum_k b_k^2 (the
-- intercept is not penalised). Fitted weight_k = b_k / sum_k b_k: non-negative and
-- summing to 1, so the fitted health score is still 100 x a weighted mean of
-- components. The fit itself (projected Newton steps, each two aggregate queries over
-- the training rows) is macros/health/cs_health_fit.sql; this model publishes its
-- result. Where the fit cannot be made (no training month, no churn or no stay in it,
-- every b_k = 0, no convergence) fit_status says why and fitted_weight is null; with
-- `health_weights: fitted` a test on fit_status then stops the build before any score
-- is computed.
{%- set fit = cs_fit_health_weights(ref('int_health_weights_training'), var('health_fit_l2_penalty')) %}
{%- set components = ['license_utilization', 'stickiness', 'breadth', 'trend'] %}
{%- set fixed_weights = [var('health_weight_utilization'), var('health_weight_stickiness'),
                         var('health_weight_breadth'), var('health_weight_trend')] %}
{%- set has_coefficients = fit.status in ['fitted', 'no_component_predicts'] %}
{%- set coefficient_sum = fit.coefficients | sum if has_coefficients else none %}

with

fit as (
    {%- for component in components %}
    {%- set coefficient = fit.coefficients[loop.index0] %}
    select
        '{{ component }}' as component,
        cast({{ fixed_weights[loop.index0] }} as double) as fixed_weight,
        cast({{ coefficient / coefficient_sum if fit.status == 'fitted' else 'null' }} as double) as fitted_weight,
        cast({{ coefficient if has_coefficients else 'null' }} as double) as coefficient,
        cast({{ fit.intercept if has_coefficients else 'null' }} as double) as intercept,
        cast({{ fit.observations }} as bigint) as training_observations,
        cast({{ fit.churned }} as bigint) as training_churned,
        cast({{ var('health_fit_l2_penalty') }} as double) as l2_penalty,
        '{{ fit.status }}' as fit_status
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select * from fit
)

select * from final
