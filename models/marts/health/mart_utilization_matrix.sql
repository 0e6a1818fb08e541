-- One row per cell of the utilization matrix (metrics.md "Utilization matrix",
-- Toreta): two features (int_usage_matrix_features_selected: the vars, or the two
-- core features with the most events), and for each a usage level of the
-- customer-month, from the feature's events in the month's trailing window:
-- `none` (no events), `low` (at or below the median of the non-zero values) or
-- `high` (above it). The median is taken over the customer-months observed, which
-- are those of mart_condition_upsell (both outcome windows complete). All 3 x 3
-- cells, with their upsell and churn rates (same outcomes as mart_condition_upsell).
-- Empty where the data has fewer than two features to compare.
with

account_monthly as (
    select * from {{ ref('int_customer_months_joined_to_health') }}
),

outcomes as (
    select * from {{ ref('int_account_outcomes_monthly') }}
),

feature_windows as (
    select * from {{ ref('int_usage_features_aggregated_to_account_months') }}
),

matrix_features as (
    select * from {{ ref('int_usage_matrix_features_selected') }}
),

levels as (
    select
        'none' as usage_level,
        1 as level_rank
    union all
    select
        'low' as usage_level,
        2 as level_rank
    union all
    select
        'high' as usage_level,
        3 as level_rank
),

observed_months as (
    select
        account_monthly.account_id,
        account_monthly.month,
        coalesce(feature_x_windows.window_events, 0) as feature_x_events,
        coalesce(feature_y_windows.window_events, 0) as feature_y_events,
        outcomes.is_expanded_within_upsell_horizon,
        outcomes.is_churned_within_condition_horizon
    from account_monthly
    inner join outcomes
        on outcomes.account_id = account_monthly.account_id
        and outcomes.month = account_monthly.month
    cross join matrix_features
    left join feature_windows as feature_x_windows
        on feature_x_windows.account_id = account_monthly.account_id
        and feature_x_windows.month = account_monthly.month
        and feature_x_windows.feature = matrix_features.feature_x
    left join feature_windows as feature_y_windows
        on feature_y_windows.account_id = account_monthly.account_id
        and feature_y_windows.month = account_monthly.month
        and feature_y_windows.feature = matrix_features.feature_y
    where outcomes.is_condition_window_complete
),

medians as (
    select
        percentile_cont(0.5) within group (order by feature_x_events) filter (where feature_x_events > 0)
            as split_x_events,
        percentile_cont(0.5) within group (order by feature_y_events) filter (where feature_y_events > 0)
            as split_y_events
    from observed_months
),

leveled as (
    select
        case
            when observed_months.feature_x_events = 0 then 'none'
            when observed_months.feature_x_events <= medians.split_x_events then 'low'
            else 'high'
        end as level_x,
        case
            when observed_months.feature_y_events = 0 then 'none'
            when observed_months.feature_y_events <= medians.split_y_events then 'low'
            else 'high'
        end as level_y,
        observed_months.is_expanded_within_upsell_horizon,
        observed_months.is_churned_within_condition_horizon
    from observed_months
    cross join medians
),

cell_totals as (
    select
        level_x,
        level_y,
        count(*) as observations,
        sum(case when is_expanded_within_upsell_horizon then 1 else 0 end) as upsold,
        sum(case when is_churned_within_condition_horizon then 1 else 0 end) as churned
    from leveled
    group by level_x, level_y
),

final as (
    select
        matrix_features.feature_x,
        matrix_features.feature_y,
        levels_x.usage_level as level_x,
        levels_y.usage_level as level_y,
        cast(levels_x.level_rank as integer) as level_x_rank,
        cast(levels_y.level_rank as integer) as level_y_rank,
        medians.split_x_events,
        medians.split_y_events,
        cast(coalesce(cell_totals.observations, 0) as bigint) as observations,
        cast(coalesce(cell_totals.upsold, 0) as bigint) as upsold,
        {{ cs_ratio('cell_totals.upsold', 'cell_totals.observations') }} as upsell_rate,
        cast(coalesce(cell_totals.churned, 0) as bigint) as churned,
        {{ cs_ratio('cell_totals.churned', 'cell_totals.observations') }} as churn_rate,
        cast({{ cs_wilson_low('cell_totals.upsold', 'cell_totals.observations') }} as double) as upsell_rate_ci_low,
        cast({{ cs_wilson_high('cell_totals.upsold', 'cell_totals.observations') }} as double) as upsell_rate_ci_high,
        cast({{ cs_wilson_low('cell_totals.churned', 'cell_totals.observations') }} as double) as churn_rate_ci_low,
        cast({{ cs_wilson_high('cell_totals.churned', 'cell_totals.observations') }} as double) as churn_rate_ci_high,
        {{ cs_is_below_min_n('cell_totals.observations') }} as is_below_min_n
    from matrix_features
    cross join levels as levels_x
    cross join levels as levels_y
    cross join medians
    left join cell_totals
        on cell_totals.level_x = levels_x.usage_level
        and cell_totals.level_y = levels_y.usage_level
    where matrix_features.feature_x is not null
        and matrix_features.feature_y is not null
)

select * from final
