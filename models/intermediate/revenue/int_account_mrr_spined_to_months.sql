-- One row per account and reporting month, from the account's first month as a
-- customer (MRR > 0 on the snapshot day) through the as-of month: the account's
-- MRR on the month's snapshot day and on the previous month's. Months in which it
-- has no active paid line are kept with mrr = 0, so churn and reactivation show.
-- Accounts that were never a customer (no line, or only zero-MRR lines) have no row.
with

line_snapshots as (
    select * from {{ ref('int_contract_lines_joined_to_snapshots') }}
),

months as (
    select * from {{ ref('int_months') }}
),

account_snapshot_mrr as (
    select
        account_id,
        month,
        sum(mrr) as mrr
    from line_snapshots
    group by account_id, month
),

-- the cohort month: the first month with MRR > 0 (the `new` movement)
first_customer_months as (
    select
        account_id,
        min(month) as cohort_month
    from account_snapshot_mrr
    where mrr > 0
    group by account_id
),

account_months as (
    select
        first_customer_months.account_id,
        months.month,
        months.month_index,
        first_customer_months.cohort_month
    from first_customer_months
    inner join months
        on months.month >= first_customer_months.cohort_month
),

with_mrr as (
    select
        account_months.account_id,
        account_months.month,
        account_months.month_index,
        account_months.cohort_month,
        {{ cs_money('coalesce(account_snapshot_mrr.mrr, 0)') }} as mrr
    from account_months
    left join account_snapshot_mrr
        on account_snapshot_mrr.account_id = account_months.account_id
        and account_snapshot_mrr.month = account_months.month
),

-- the spine has every month from the cohort month on, so the previous row is the
-- previous month; before the cohort month MRR was 0 (at most zero-MRR lines)
final as (
    select
        account_id,
        month,
        month_index,
        cohort_month,
        cast({{ dbt.datediff('cohort_month', 'month', 'month') }} as integer) as age_months,
        mrr,
        {{ cs_money('coalesce(lag(mrr) over (partition by account_id order by month), 0)') }} as previous_mrr
    from with_mrr
)

select * from final
