{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        partition_by=cs_partition_by('observations_fingerprint'),
        on_schema_change='fail',
        pre_hook=[
            "{% if is_incremental() %}{{ cs_delete_rows(this, 'observations_fingerprint',
            'observations_fingerprint <> ' ~ cs_backtest_observations_fingerprint()) }}{% endif %}",
        ],
    )
}}
-- One row per outcome x predictor x grouping (overall, month, tier, stage) x
-- month or segment: how well the predictor, at M, ranks the customer-months that
-- had the outcome after M below those that did not: ROC AUC with DeLong's 95%
-- interval (cs_auc_delong; metrics.md "Health backtest"), over the observable rows
-- of int_health_backtest_observations with the predictor present
-- (mart_health_backtest_auc publishes it).
--   outcomes    logo_churn (churn within H), contraction (within H), renewal_churn
--               (churned at the first renewal due within H; rows with no renewal
--               due are left out);
--   predictors  health_score (composite), the four components, and tenure_months
--               (baseline); license_utilization is also the utilization baseline.
-- A higher predictor means less risk for every predictor, so 0.5 is chance and 1 a
-- perfect ranking.
--
-- Incremental: computed again only when the rows it reads have changed. The
-- pre-hook empties the table where the fingerprint of those rows
-- (cs_backtest_observations_fingerprint) differs from the one stored with the
-- result; the body then computes every row into an empty table, or none into a
-- table that is still current. One new day of usage changes the observable
-- customer-months only when a month's backtest horizon closes. After a change to
-- the AUC's own SQL, build it with --full-refresh.
with

observations as (
    select * from {{ ref('int_health_backtest_observations') }}
    where is_observable
        {% if is_incremental() %}
        and not exists (select 1 from {{ this }})
        {% endif %}
),

predictors as (
    select
        'health_score' as predictor,
        'composite' as predictor_kind,
        false as is_baseline
    union all
    select
        'license_utilization' as predictor,
        'component' as predictor_kind,
        true as is_baseline
    union all
    select
        'stickiness' as predictor,
        'component' as predictor_kind,
        false as is_baseline
    union all
    select
        'breadth' as predictor,
        'component' as predictor_kind,
        false as is_baseline
    union all
    select
        'trend' as predictor,
        'component' as predictor_kind,
        false as is_baseline
    union all
    select
        'tenure_months' as predictor,
        'baseline' as predictor_kind,
        true as is_baseline
),

groupings as (
    select 'overall' as grouping
    union all
    select 'month'
    union all
    select 'tier'
    union all
    select 'stage'
),

-- the outcomes are columns (cs_auc_delong): 1 in pos_<outcome> for an event, 1 in
-- neg_<outcome> for a non-event, 0 in both where the outcome does not apply
long as (
    select
        predictors.predictor,
        groupings.grouping,
        case when groupings.grouping = 'month' then observations.month end as month,
        case groupings.grouping
            when 'tier' then observations.tier
            when 'stage' then observations.stage
        end as segment,
        case predictors.predictor
            when 'health_score' then observations.health_score
            when 'license_utilization' then observations.license_utilization
            when 'stickiness' then observations.stickiness
            when 'breadth' then observations.breadth
            when 'trend' then observations.trend
            when 'tenure_months' then cast(observations.tenure_months as double)
        end as score,
        case when observations.is_churned_within_horizon then 1 else 0 end as pos_logo_churn,
        case when not observations.is_churned_within_horizon then 1 else 0 end as neg_logo_churn,
        case when observations.is_contracted_within_horizon then 1 else 0 end as pos_contraction,
        case when not observations.is_contracted_within_horizon then 1 else 0 end as neg_contraction,
        case when observations.renewal_outcome = 'churned' then 1 else 0 end as pos_renewal_churn,
        case when observations.renewal_outcome = 'renewed' then 1 else 0 end as neg_renewal_churn
    from observations
    cross join predictors
    cross join groupings
),

scored as (
    select *
    from long
    where score is not null
        and (grouping in ('overall', 'month') or segment is not null)
),

{{ cs_auc_delong('scored', ['predictor', 'grouping', 'month', 'segment'],
    ['logo_churn', 'contraction', 'renewal_churn']) }},

final as (
    select
        auc_final.outcome,
        auc_final.predictor,
        predictors.predictor_kind,
        predictors.is_baseline,
        auc_final.grouping,
        auc_final.month,
        auc_final.segment,
        auc_final.observations,
        auc_final.positives,
        auc_final.auc,
        auc_final.auc_std_error,
        auc_final.auc_ci_low,
        auc_final.auc_ci_high,
        {{ cs_backtest_observations_fingerprint() }} as observations_fingerprint
    from auc_final
    inner join predictors
        on predictors.predictor = auc_final.predictor
)

select * from final
