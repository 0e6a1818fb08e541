-- Invariant: mart_expansion_monthly splits mart_revenue_monthly's expansions by
-- type: in every month, its accounts add up to upsell_count and its expansion_mrr
-- to expansion_mrr; and every expansion row of fct_mrr_monthly has a type and no
-- other row has one. Returns the months (or account-months) that break it.
with

revenue as (
    select * from {{ ref('mart_revenue_monthly') }}
),

expansions as (
    select * from {{ ref('mart_expansion_monthly') }}
),

account_months as (
    select * from {{ ref('fct_mrr_monthly') }}
),

expansions_by_month as (
    select
        month,
        sum(accounts) as accounts,
        sum(expansion_mrr) as expansion_mrr
    from expansions
    group by month
),

month_mismatches as (
    select
        revenue.month,
        cast(null as {{ dbt.type_string() }}) as account_id
    from revenue
    left join expansions_by_month
        on expansions_by_month.month = revenue.month
    where coalesce(expansions_by_month.accounts, -1) <> revenue.upsell_count
        or coalesce(expansions_by_month.expansion_mrr, -1) <> revenue.expansion_mrr
),

type_mismatches as (
    select
        month,
        account_id
    from account_months
    where (movement = 'expansion') <> (expansion_type is not null)
)

select * from month_mismatches
union all
select * from type_mismatches
