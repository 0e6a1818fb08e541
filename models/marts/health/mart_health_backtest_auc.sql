-- One row per outcome x predictor x grouping (overall, month, tier, stage) x
-- month or segment: ROC AUC with DeLong's 95% interval of each predictor for each
-- outcome (metrics.md "Health backtest"). The public name and contract of
-- int_health_backtest_auc, where the AUC is computed.
with

auc as (
    select * from {{ ref('int_health_backtest_auc') }}
),

final as (
    select
        outcome,
        predictor,
        predictor_kind,
        is_baseline,
        grouping,
        month,
        segment,
        observations,
        positives,
        auc,
        auc_std_error,
        auc_ci_low,
        auc_ci_high
    from auc
)

select * from final
