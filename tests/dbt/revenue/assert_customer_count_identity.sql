-- Invariant: for every month,
--   customers_end = customers_start + new + reactivated - churned,
-- a month's customers_start is the previous month's customers_end (0 in the first
-- month), and customers_end is the number of accounts with mrr > 0 in
-- fct_mrr_monthly. Returns the months that break it.
with

revenue as (
    select * from {{ ref('mart_revenue_monthly') }}
),

account_months as (
    select * from {{ ref('fct_mrr_monthly') }}
),

customers_by_month as (
    select
        month,
        count(*) as customers
    from account_months
    where mrr > 0
    group by month
),

checked as (
    select
        revenue.month,
        revenue.customers_start,
        revenue.customers_end,
        revenue.new_customers,
        revenue.reactivated_customers,
        revenue.churned_customers,
        coalesce(customers_by_month.customers, 0) as fct_customers,
        lag(revenue.customers_end) over (order by revenue.month) as previous_customers_end,
        row_number() over (order by revenue.month) as month_number
    from revenue
    left join customers_by_month
        on customers_by_month.month = revenue.month
)

select *
from checked
where customers_end <> customers_start + new_customers + reactivated_customers - churned_customers
    or customers_end <> fct_customers
    or (month_number = 1 and customers_start <> 0)
    or (month_number > 1 and customers_start <> previous_customers_end)
