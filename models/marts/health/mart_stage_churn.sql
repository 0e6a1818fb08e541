-- One row per basis (horizon, renewal) and lifecycle stage: the stage-churn
-- observations (int_stage_churn_observations), how many churned, the churn rate
-- with its Wilson 95% interval, the relative risk against `loyal` on the same basis,
-- and the net and gross revenue retention of the observed accounts (metrics.md
-- "Stage and churn"). Every basis has all four stages; a stage without observations
-- has null rates.
with

observations as (
    select * from {{ ref('int_stage_churn_observations') }}
),

bases as (
    select 'horizon' as basis
    union all
    select 'renewal' as basis
),

stages as (
    select * from {{ cs_stages_relation() }}
),

stage_totals as (
    select
        basis,
        stage,
        count(*) as observations,
        sum(case when is_churned then 1 else 0 end) as churned,
        sum(mrr_start) as mrr_start,
        sum(mrr_end) as mrr_end,
        sum(mrr_end_capped) as mrr_end_capped
    from observations
    group by basis, stage
),

spined as (
    select
        bases.basis,
        stages.stage,
        stages.stage_rank,
        coalesce(stage_totals.observations, 0) as observations,
        coalesce(stage_totals.churned, 0) as churned,
        stage_totals.mrr_start,
        stage_totals.mrr_end,
        stage_totals.mrr_end_capped
    from bases
    cross join stages
    left join stage_totals
        on stage_totals.basis = bases.basis
        and stage_totals.stage = stages.stage
),

rated as (
    select
        *,
        {{ cs_ratio('churned', 'observations') }} as churn_rate
    from spined
),

final as (
    select
        rated.basis,
        rated.stage,
        cast(rated.stage_rank as integer) as stage_rank,
        cast(rated.observations as bigint) as observations,
        cast(rated.churned as bigint) as churned,
        rated.churn_rate,
        {{ cs_wilson_low('rated.churned', 'rated.observations') }} as churn_rate_ci_low,
        {{ cs_wilson_high('rated.churned', 'rated.observations') }} as churn_rate_ci_high,
        {{ cs_ratio('rated.churn_rate', 'loyal.churn_rate') }} as relative_risk_vs_loyal,
        {{ cs_ratio('rated.mrr_end', 'rated.mrr_start') }} as net_revenue_retention,
        {{ cs_ratio('rated.mrr_end_capped', 'rated.mrr_start') }} as gross_revenue_retention
    from rated
    left join rated as loyal
        on loyal.basis = rated.basis
        and loyal.stage = 'loyal'
)

select * from final
