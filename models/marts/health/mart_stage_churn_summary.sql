-- One row per basis (horizon, renewal): the stage-churn correlation summary
-- (metrics.md "Correlation summary"):
--   observations        the stage-churn observations on the basis;
--   point_biserial_r    the Pearson correlation between stage rank (1-4) and churned
--                       (0/1); null where either is constant;
--   chi_square          Pearson's chi-square statistic (no continuity correction) of
--                       the stage x outcome table, over the stages and outcomes that
--                       have observations (a row or column of zeros has no expected
--                       count); null where that table has fewer than 2 rows or columns;
--   degrees_of_freedom  (stages observed - 1) x (outcomes observed - 1).
with

observations as (
    select * from {{ ref('int_stage_churn_observations') }}
),

bases as (
    select 'horizon' as basis
    union all
    select 'renewal' as basis
),

correlations as (
    select
        basis,
        count(*) as observations,
        corr(
            cast(stage_rank as double),
            case when is_churned then 1.0 else 0.0 end
        ) as point_biserial_r
    from observations
    group by basis
),

cells as (
    select
        basis,
        stage,
        is_churned,
        count(*) as observed
    from observations
    group by basis, stage, is_churned
),

row_totals as (
    select
        basis,
        stage,
        sum(observed) as row_total
    from cells
    group by basis, stage
),

column_totals as (
    select
        basis,
        is_churned,
        sum(observed) as column_total
    from cells
    group by basis, is_churned
),

grand_totals as (
    select
        basis,
        sum(observed) as grand_total
    from cells
    group by basis
),

-- every (observed stage, observed outcome) cell, with 0 where no observation fell
expected_cells as (
    select
        row_totals.basis,
        coalesce(cells.observed, 0) as observed,
        cast(row_totals.row_total as double) * column_totals.column_total / grand_totals.grand_total as expected
    from row_totals
    inner join column_totals
        on column_totals.basis = row_totals.basis
    inner join grand_totals
        on grand_totals.basis = row_totals.basis
    left join cells
        on cells.basis = row_totals.basis
        and cells.stage = row_totals.stage
        and cells.is_churned = column_totals.is_churned
),

chi_squares as (
    select
        basis,
        sum((observed - expected) * (observed - expected) / expected) as chi_square
    from expected_cells
    group by basis
),

-- the outcomes (churned or not) observed per basis
outcome_counts as (
    select
        basis,
        count(*) as outcomes_observed
    from column_totals
    group by basis
),

table_shapes as (
    select
        row_totals.basis,
        count(distinct row_totals.stage) as stages_observed,
        min(outcome_counts.outcomes_observed) as outcomes_observed
    from row_totals
    left join outcome_counts
        on outcome_counts.basis = row_totals.basis
    group by row_totals.basis
),

final as (
    select
        bases.basis,
        cast(coalesce(correlations.observations, 0) as bigint) as observations,
        case
            when not isnan(correlations.point_biserial_r)
                then correlations.point_biserial_r
        end as point_biserial_r,
        case
            when (table_shapes.stages_observed - 1) * (table_shapes.outcomes_observed - 1) > 0
                then chi_squares.chi_square
        end as chi_square,
        cast(coalesce((table_shapes.stages_observed - 1) * (table_shapes.outcomes_observed - 1), 0) as integer)
            as degrees_of_freedom
    from bases
    left join correlations
        on correlations.basis = bases.basis
    left join chi_squares
        on chi_squares.basis = bases.basis
    left join table_shapes
        on table_shapes.basis = bases.basis
)

select * from final
