-- One row per customer-month (a, M): what is observed after M, for the health
-- backtest (metrics.md "Health backtest"). H = `health_backtest_horizon_months` [3].
--   churned     a churn movement (MRR > 0 in the month before, 0 in the month) in
--               M+1 .. M+H;
--   contracted  a contraction movement (0 < MRR < MRR in the month before) in
--               M+1 .. M+H;
--   renewal     the first renewal due (int_renewals_due) in M+1 .. M+H, and whether
--               the account churned at it.
-- Right-censored: a row is observable only when M+H <= the as-of month, so every
-- month of its window has been seen (the as-of month on the as-of date). The
-- outcomes of a row that is not observable are null: nothing after the as-of date
-- is ever read, and an incomplete window is not counted as "did not churn".
-- Period, for the weight fit: the last `health_backtest_holdout_months` [6]
-- observable months are `holdout`; the months whose whole window ends on or before
-- the first holdout month are `training`; the months between are `gap`; the rest
-- are `censored`.
{%- set horizon = var('health_backtest_horizon_months') | int %}
{%- set holdout = var('health_backtest_holdout_months') | int %}
{%- if horizon < 1 or holdout < 1 %}
    {{ exceptions.raise_compiler_error("health_backtest_horizon_months and health_backtest_holdout_months must be at least 1") }}
{%- endif %}
with

account_months as (
    select * from {{ ref('int_account_mrr_spined_to_months') }}
),

renewals_due as (
    select * from {{ ref('int_renewals_due') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

bounds as (
    select
        as_of_month,
        cast({{ dbt.dateadd('month', -horizon, 'as_of_month') }} as date)
            as last_observable_month,
        cast({{ dbt.dateadd('month', -(horizon + holdout - 1), 'as_of_month') }} as date)
            as first_holdout_month,
        cast({{ dbt.dateadd('month', -(2 * horizon + holdout - 1), 'as_of_month') }} as date)
            as last_training_month
    from as_of
),

-- the first churn and the first contraction after each month, in one pass
next_movements as (
    select
        account_id,
        month,
        mrr,
        age_months,
        min(case when mrr = 0 and previous_mrr > 0 then month end) over (
            partition by account_id
            order by month
            rows between 1 following and unbounded following
        ) as next_churn_month,
        min(case when mrr > 0 and mrr < previous_mrr then month end) over (
            partition by account_id
            order by month
            rows between 1 following and unbounded following
        ) as next_contraction_month
    from account_months
),

customer_months as (
    select
        next_movements.account_id,
        next_movements.month,
        next_movements.age_months,
        next_movements.next_churn_month,
        next_movements.next_contraction_month,
        cast({{ dbt.dateadd('month', horizon, 'next_movements.month') }} as date) as horizon_month,
        bounds.as_of_month,
        bounds.last_observable_month,
        bounds.first_holdout_month,
        bounds.last_training_month
    from next_movements
    cross join bounds
    where next_movements.mrr > 0
),

next_renewals as (
    select
        customer_months.account_id,
        customer_months.month,
        min(renewals_due.month) as next_renewal_month
    from customer_months
    inner join renewals_due
        on renewals_due.account_id = customer_months.account_id
        and renewals_due.month > customer_months.month
        and renewals_due.month <= customer_months.horizon_month
    group by customer_months.account_id, customer_months.month
),

joined as (
    select
        customer_months.*,
        customer_months.horizon_month <= customer_months.as_of_month as is_observable,
        next_renewals.next_renewal_month,
        renewals_due.is_churned_at_renewal
    from customer_months
    left join next_renewals
        on next_renewals.account_id = customer_months.account_id
        and next_renewals.month = customer_months.month
    left join renewals_due
        on renewals_due.account_id = next_renewals.account_id
        and renewals_due.month = next_renewals.next_renewal_month
),

final as (
    select
        account_id,
        month,
        age_months,
        cast({{ horizon }} as integer) as horizon_months,
        horizon_month,
        is_observable,
        case
            when month >= first_holdout_month and month <= last_observable_month then 'holdout'
            when month <= last_training_month then 'training'
            when is_observable then 'gap'
            else 'censored'
        end as backtest_period,
        case when is_observable then coalesce(next_churn_month <= horizon_month, false) end
            as is_churned_within_horizon,
        case when is_observable then coalesce(next_contraction_month <= horizon_month, false) end
            as is_contracted_within_horizon,
        case when is_observable then next_renewal_month end as next_renewal_month,
        case
            when not is_observable then null
            when next_renewal_month is null then 'none_due'
            when is_churned_at_renewal then 'churned'
            else 'renewed'
        end as renewal_outcome
    from joined
)

select * from final
