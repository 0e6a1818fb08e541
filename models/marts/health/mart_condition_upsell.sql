-- One row per lifecycle stage and Toreta condition (all 4 x 3 cells): the
-- customer-months observed, how many of them had an expansion movement in the next
-- `upsell_horizon_months` [3] months and how many a churn movement in the next
-- `condition_churn_horizon_months` [12] (metrics.md "Condition and upsell").
-- Observed are the customer-months whose two windows are both complete (M + the
-- longer horizon <= the as-of month), so that both rates share one denominator.
with

account_monthly as (
    select * from {{ ref('int_customer_months_joined_to_health') }}
),

outcomes as (
    select * from {{ ref('int_account_outcomes_monthly') }}
),

stages as (
    select * from {{ cs_stages_relation() }}
),

conditions as (
    select * from {{ cs_conditions_relation() }}
),

observed_months as (
    select
        account_monthly.stage,
        account_monthly.condition,
        outcomes.is_expanded_within_upsell_horizon,
        outcomes.is_churned_within_condition_horizon
    from account_monthly
    inner join outcomes
        on outcomes.account_id = account_monthly.account_id
        and outcomes.month = account_monthly.month
    where outcomes.is_condition_window_complete
        and account_monthly.condition is not null
),

cell_totals as (
    select
        stage,
        condition,
        count(*) as observations,
        sum(case when is_expanded_within_upsell_horizon then 1 else 0 end) as upsold,
        sum(case when is_churned_within_condition_horizon then 1 else 0 end) as churned
    from observed_months
    group by stage, condition
),

final as (
    select
        stages.stage,
        cast(stages.stage_rank as integer) as stage_rank,
        conditions.condition,
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
    from stages
    cross join conditions
    left join cell_totals
        on cell_totals.stage = stages.stage
        and cell_totals.condition = conditions.condition
)

select * from final
