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
        lag(account_months.mrr) over (partition by account_id order by account_months.month) as lagged_mrr,
        lag(account_months.month) over (partition by account_id order by account_months.month) as lagged_month,
        max(account_months.month) over (partition by account_id) as last_month
    from account_months
)

select checked.account_id, checked.month, checked.movement
from checked
where arr <> 12 * mrr
    or mrr_change <> mrr - previous_mrr
    or is_customer <> (mrr > 0)
    or (lagged_month is null and (month <> cohort_month or age_months <> 0 or previous_mrr <> 0 or movement <> 'new'))
    or (lagged_month is not null and (previous_mrr <> lagged_mrr
        or month <> cast({{ dbt.dateadd('month', 1, 'lagged_month') }} as date)))
    or last_month <> (select max(month) from months)
    or movement <> case
        when previous_mrr = 0 and mrr > 0 and lagged_month is null then 'new'
        when previous_mrr = 0 and mrr > 0 then 'reactivation'
        when previous_mrr > 0 and mrr > previous_mrr then 'expansion'
        when previous_mrr > 0 and mrr > 0 and mrr < previous_mrr then 'contraction'
        when previous_mrr > 0 and mrr = 0 then 'churn'
        when previous_mrr > 0 and mrr = previous_mrr then 'retained'
        else 'inactive'
    end
