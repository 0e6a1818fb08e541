-- One row per band: the churn within the backtest horizon of the observable
-- customer-months of mart_health_backtest, by health decile (1 = least healthy)
-- and by condition (metrics.md "Health backtest"): observations, churned, churn
-- rate with its Wilson 95% interval, and the lift, the band's churn rate over the
-- churn rate of every observable customer-month. Every decile and condition has a
-- row; a band without observations has null rates.
with

observations as (
    select * from {{ ref('mart_health_backtest') }}
    where is_observable
        and health_score is not null
),

bands as (
    {%- for decile in range(1, 11) %}
    select
        'health_decile' as band_type,
        '{{ decile }}' as band,
        {{ decile }} as band_rank
    union all
    {%- endfor %}
    select
        'condition' as band_type,
        condition as band,
        condition_rank as band_rank
    from {{ cs_conditions_relation() }} as conditions
),

observed as (
    select
        'health_decile' as band_type,
        cast(health_decile as {{ dbt.type_string() }}) as band,
        health_score,
        is_churned_within_horizon
    from observations
    union all
    select
        'condition' as band_type,
        condition as band,
        health_score,
        is_churned_within_horizon
    from observations
),

band_totals as (
    select
        band_type,
        band,
        count(*) as observations,
        sum(case when is_churned_within_horizon then 1 else 0 end) as churned,
        min(health_score) as min_health_score,
        max(health_score) as max_health_score
    from observed
    group by band_type, band
),

overall as (
    select
        count(*) as observations,
        sum(case when is_churned_within_horizon then 1 else 0 end) as churned
    from observations
),

spined as (
    select
        bands.band_type,
        bands.band,
        bands.band_rank,
        band_totals.min_health_score,
        band_totals.max_health_score,
        coalesce(band_totals.observations, 0) as observations,
        coalesce(band_totals.churned, 0) as churned,
        {{ cs_ratio('overall.churned', 'overall.observations') }} as overall_churn_rate
    from bands
    cross join overall
    left join band_totals
        on band_totals.band_type = bands.band_type
        and band_totals.band = bands.band
),

final as (
    select
        band_type,
        band,
        cast(band_rank as integer) as band_rank,
        min_health_score,
        max_health_score,
        cast(observations as bigint) as observations,
        cast(churned as bigint) as churned,
        {{ cs_ratio('churned', 'observations') }} as churn_rate,
        {{ cs_wilson_low('churned', 'observations') }} as churn_rate_ci_low,
        {{ cs_wilson_high('churned', 'observations') }} as churn_rate_ci_high,
        overall_churn_rate,
        {{ cs_ratio(cs_ratio('churned', 'observations'), 'overall_churn_rate') }} as lift
    from spined
)

select * from final
