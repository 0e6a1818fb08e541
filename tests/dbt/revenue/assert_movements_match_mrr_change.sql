-- Invariant (metrics.md "Movements"): each account-month's movement follows from
-- prev = previous_mrr and cur = mrr, previous_mrr is the account's mrr in the
-- previous month (0 in its cohort month), rows are consecutive months from the
-- cohort month (age 0, movement new) through the as-of month, and arr = 12 x mrr.
-- Returns the rows that break it.
with

account_months as (
    select * from {{ ref('fct_mrr_monthly') }}
),

months as (
    select * from {{ ref('int_months') }}
),

checked as (
    select
        account_months.*,
        lag(account_months.mrr) over (
            partition by account_months.account_id order by account_months.month
        ) as lagged_mrr,
        lag(account_months.month) over (
            partition by account_months.account_id order by account_months.month
        ) as lagged_month,
        max(account_months.month) over (partition by account_months.account_id) as last_month
    from account_months
)

select
    checked.account_id,
    checked.month,
    checked.movement
from checked
where checked.arr <> 12 * checked.mrr
    or checked.mrr_change <> checked.mrr - checked.previous_mrr
    or checked.is_customer <> (checked.mrr > 0)
    or (checked.lagged_month is null and (
        checked.month <> checked.cohort_month
        or checked.age_months <> 0
        or checked.previous_mrr <> 0
        or checked.movement <> 'new'
    ))
    or (checked.lagged_month is not null and (
        checked.previous_mrr <> checked.lagged_mrr
        or checked.month <> cast({{ dbt.dateadd('month', 1, 'checked.lagged_month') }} as date)
    ))
    or checked.last_month <> (select max(months.month) from months)
    or checked.movement <> case
        when checked.previous_mrr = 0 and checked.mrr > 0 and checked.lagged_month is null then 'new'
        when checked.previous_mrr = 0 and checked.mrr > 0 then 'reactivation'
        when checked.previous_mrr > 0 and checked.mrr > checked.previous_mrr then 'expansion'
        when checked.previous_mrr > 0 and checked.mrr > 0 and checked.mrr < checked.previous_mrr then 'contraction'
        when checked.previous_mrr > 0 and checked.mrr = 0 then 'churn'
        when checked.previous_mrr > 0 and checked.mrr = checked.previous_mrr then 'retained'
        else 'inactive'
    end
