-- One row per health band of 10 points ([0, 10), [10, 20), ... [90, 100]): is the
-- churn rate a band had in the training months what it has later, in the holdout
-- months (metrics.md "Health backtest")? Expected = the band's churn within the
-- horizon over the `training` customer-months of mart_health_backtest (their
-- windows end before the holdout begins); observed = over the `holdout`
-- customer-months, with its Wilson 95% interval. A calibrated score has each
-- band's expected rate inside its observed interval. Every band has a row.
with

observations as (
    select * from {{ ref('mart_health_backtest') }}
    where backtest_period in ('training', 'holdout')
        and health_score is not null
),

bands as (
    {%- for band in range(10) %}
    select {{ band + 1 }} as band_rank, {{ band * 10 }} as min_health, {{ band * 10 + 10 }} as max_health
    {{- ' union all' if not loop.last }}
    {%- endfor %}
),

banded as (
    select
        least(10, cast(floor(health_score / 10) as integer) + 1) as band_rank,
        backtest_period,
        is_churned_within_horizon
    from observations
),

band_totals as (
    select
        band_rank,
        sum(case when backtest_period = 'training' then 1 else 0 end) as training_observations,
        sum(case when backtest_period = 'training' and is_churned_within_horizon then 1 else 0 end)
            as training_churned,
        sum(case when backtest_period = 'holdout' then 1 else 0 end) as holdout_observations,
        sum(case when backtest_period = 'holdout' and is_churned_within_horizon then 1 else 0 end)
            as holdout_churned
    from banded
    group by band_rank
),

spined as (
    select
        bands.band_rank,
        bands.min_health,
        bands.max_health,
        coalesce(band_totals.training_observations, 0) as training_observations,
        coalesce(band_totals.training_churned, 0) as training_churned,
        coalesce(band_totals.holdout_observations, 0) as holdout_observations,
        coalesce(band_totals.holdout_churned, 0) as holdout_churned
    from bands
    left join band_totals
        on band_totals.band_rank = bands.band_rank
),

rated as (
    select
        *,
        {{ cs_ratio('training_churned', 'training_observations') }} as expected_churn_rate,
        {{ cs_ratio('holdout_churned', 'holdout_observations') }} as observed_churn_rate,
        {{ cs_wilson_low('holdout_churned', 'holdout_observations') }} as observed_churn_rate_ci_low,
        {{ cs_wilson_high('holdout_churned', 'holdout_observations') }} as observed_churn_rate_ci_high
    from spined
),

final as (
    select
        cast(band_rank as integer) as band_rank,
        cast(min_health as double) as min_health,
        cast(max_health as double) as max_health,
        cast(training_observations as bigint) as training_observations,
        cast(training_churned as bigint) as training_churned,
        expected_churn_rate,
        cast(holdout_observations as bigint) as holdout_observations,
        cast(holdout_churned as bigint) as holdout_churned,
        observed_churn_rate,
        observed_churn_rate_ci_low,
        observed_churn_rate_ci_high,
        expected_churn_rate between observed_churn_rate_ci_low and observed_churn_rate_ci_high
            as is_expected_within_interval
    from rated
)

select * from final
