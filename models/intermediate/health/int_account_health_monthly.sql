-- One row per customer-month: the health components (int_account_health_components_monthly),
-- the health score and the condition (metrics.md "Usage, health and stages").
--   health      = 100 x weighted mean of the non-null components, weights
--                 renormalised; rounded to 9 decimals so that a score that is
--                 exactly a threshold in decimal arithmetic compares as such.
-- The weights are the documented fixed ones (vars health_weight_*), or, with
-- `health_weights: fitted`, the ones fitted to churn (int_health_weights_fitted,
-- metrics.md "Health backtest").
{%- set fitted = var('health_weights') == 'fitted' %}
{%- if var('health_weights') not in ['fixed', 'fitted'] %}
    {{ exceptions.raise_compiler_error("var health_weights must be 'fixed' or 'fitted', not '" ~ var('health_weights') ~ "'") }}
{%- endif %}
with

components as (
    select * from {{ ref('int_account_health_components_monthly') }}
),
{% if fitted %}
weights as (
    select * from {{ cs_health_weights_relation() }} as active_weights
),

scored as (
    select
        components.*,
        round(100 * {{ cs_weighted_mean_of_present([
            ('components.license_utilization', 'weights.weight_utilization'),
            ('components.stickiness', 'weights.weight_stickiness'),
            ('components.breadth', 'weights.weight_breadth'),
            ('components.trend', 'weights.weight_trend'),
        ]) }}, 9) as health_score
    from components
    cross join weights
),
{%- else %}
{#- the fixed weights are literals, so the arithmetic is exactly the documented one #}
scored as (
    select
        *,
        round(100 * {{ cs_weighted_mean_of_present([
            ('license_utilization', var('health_weight_utilization')),
            ('stickiness', var('health_weight_stickiness')),
            ('breadth', var('health_weight_breadth')),
            ('trend', var('health_weight_trend')),
        ]) }}, 9) as health_score
    from components
),
{%- endif %}

final as (
    select
        account_id,
        month,
        snapshot_date,
        seats,
        daily_active_users,
        license_utilization,
        stickiness,
        breadth,
        trend,
        window_events,
        previous_window_events,
        health_score,
        case
            when health_score >= {{ var('condition_good_min_health') }} then 'good'
            when health_score < {{ var('condition_bad_below_health') }} then 'bad'
            when health_score is not null then 'normal'
        end as condition
    from scored
)

select * from final
