-- Invariant: mart_tier_coverage puts every customer-month of fct_account_monthly in
-- exactly one tier. Per month, the tiers' customers and ARR add up to the
-- customers and ARR of fct_account_monthly and to the scorecard's customers; in a
-- tier with an accounts-per-CSM target every customer is assigned or unassigned,
-- and in a tech-touch tier none is unassigned. Returns the months that break it.
with

tier_coverage as (
    select * from {{ ref('mart_tier_coverage') }}
),

account_months as (
    select * from {{ ref('fct_account_monthly') }}
),

scorecard as (
    select * from {{ ref('mart_cs_scorecard') }}
),

by_month as (
    select
        month,
        sum(customers) as customers,
        sum(arr) as arr,
        sum(case
            when target_accounts_per_csm is not null
                and assigned_customers + unassigned_customers <> customers then 1
            when target_accounts_per_csm is null and unassigned_customers <> 0 then 1
            else 0
        end) as tiers_not_adding_up
    from tier_coverage
    group by month
),

customers_by_month as (
    select
        month,
        count(*) as customers,
        sum(arr) as arr
    from account_months
    group by month
),

final as (
    select
        by_month.month,
        by_month.customers,
        customers_by_month.customers as fct_customers,
        scorecard.customers as scorecard_customers,
        by_month.arr,
        customers_by_month.arr as fct_arr,
        by_month.tiers_not_adding_up
    from by_month
    left join customers_by_month
        on customers_by_month.month = by_month.month
    left join scorecard
        on scorecard.month = by_month.month
    where by_month.customers <> coalesce(customers_by_month.customers, 0)
        or by_month.customers <> scorecard.customers
        or by_month.arr <> coalesce(customers_by_month.arr, 0)
        or by_month.tiers_not_adding_up > 0
)

select * from final
