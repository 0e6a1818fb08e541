-- One row per customer-month (a, M): what happens to the account after M, for the
-- stage-churn and condition-upsell figures (metrics.md "Stage and churn").
--   stage-churn (horizon)  H = `stage_churn_horizon_months` [12]: churned when a
--                          churn movement happens in M+1 .. M+H; observed only where
--                          M + H <= the as-of month; MRR(a, M+H) for the revenue
--                          retention of the observed accounts.
--   condition-upsell       an expansion movement in M+1 .. M+`upsell_horizon_months`
--                          [3]; a churn movement in M+1 .. M+`condition_churn_horizon_months`
--                          [12]; observed only where both windows are complete
--                          (M + the longer horizon <= the as-of month).
-- The next churn and next expansion after M come from one pass over each account's
-- months (window functions), not from a join of every month to every later month.
{%- set stage_horizon = var('stage_churn_horizon_months') | int -%}
{%- set upsell_horizon = var('upsell_horizon_months') | int -%}
{%- set churn_horizon = var('condition_churn_horizon_months') | int %}
with

account_months as (
    select * from {{ ref('int_account_months_classified_by_movement') }}
),

as_of_month as (
    select as_of_month
    from {{ ref('int_as_of_date') }}
),

next_movements as (
    select
        account_id,
        month,
        mrr,
        is_customer,
        min(case when movement = 'churn' then month end) over (
            partition by account_id
            order by month
            rows between 1 following and unbounded following
        ) as next_churn_month,
        min(case when movement = 'expansion' then month end) over (
            partition by account_id
            order by month
            rows between 1 following and unbounded following
        ) as next_expansion_month
    from account_months
),

customer_months as (
    select
        next_movements.account_id,
        next_movements.month,
        next_movements.mrr,
        next_movements.next_churn_month,
        next_movements.next_expansion_month,
        cast({{ dbt.dateadd('month', stage_horizon, 'next_movements.month') }} as date) as stage_horizon_month,
        cast({{ dbt.dateadd('month', upsell_horizon, 'next_movements.month') }} as date) as upsell_horizon_month,
        cast({{ dbt.dateadd('month', churn_horizon, 'next_movements.month') }} as date) as churn_horizon_month,
        as_of_month.as_of_month
    from next_movements
    cross join as_of_month
    where next_movements.is_customer
),

final as (
    select
        customer_months.account_id,
        customer_months.month,
        customer_months.mrr,
        customer_months.next_churn_month,
        customer_months.next_expansion_month,
        customer_months.stage_horizon_month,
        customer_months.stage_horizon_month <= customer_months.as_of_month as is_stage_horizon_complete,
        coalesce(customer_months.next_churn_month <= customer_months.stage_horizon_month, false)
            as is_churned_within_stage_horizon,
        {{ cs_money('coalesce(horizon_months.mrr, 0)') }} as mrr_at_stage_horizon,
        customer_months.upsell_horizon_month <= customer_months.as_of_month
        and customer_months.churn_horizon_month <= customer_months.as_of_month as is_condition_window_complete,
        coalesce(customer_months.next_expansion_month <= customer_months.upsell_horizon_month, false)
            as is_expanded_within_upsell_horizon,
        coalesce(customer_months.next_churn_month <= customer_months.churn_horizon_month, false)
            as is_churned_within_condition_horizon
    from customer_months
    left join account_months as horizon_months
        on horizon_months.account_id = customer_months.account_id
        and horizon_months.month = customer_months.stage_horizon_month
)

select * from final
