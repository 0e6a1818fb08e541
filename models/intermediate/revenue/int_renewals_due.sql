-- One row per account and month M in which the account is due for renewal
-- (metrics.md "Renewal churn rate"): at least one of its lines has end_date + 1 day
-- in M, and it was a customer in M-1. It churned at renewal when it is not a
-- customer in M. Two lines due in the same month make one renewal.
-- In the partial as-of month only renewal days up to the as-of date count: a
-- renewal day after the as-of date has not come yet (M's figures are taken on the
-- as-of date). Lines that start after the as-of date are not live and count nowhere.
with

contract_lines as (
    select * from {{ ref('stg_raw__contracts') }}
),

months as (
    select * from {{ ref('int_months') }}
),

account_months as (
    select * from {{ ref('int_account_mrr_spined_to_months') }}
),

as_of as (
    select max(as_of_date) as as_of_date from months
),

renewal_days as (
    select
        contract_lines.account_id,
        cast({{ dbt.dateadd('day', 1, 'contract_lines.end_date') }} as date) as renewal_date
    from contract_lines
    cross join as_of
    where contract_lines.end_date is not null
        and contract_lines.start_date <= as_of.as_of_date
),

renewal_months as (
    select distinct
        renewal_days.account_id,
        months.month
    from renewal_days
    inner join months
        on months.month = cast({{ dbt.date_trunc('month', 'renewal_days.renewal_date') }} as date)
        and renewal_days.renewal_date <= months.snapshot_date
),

final as (
    select
        account_months.account_id,
        account_months.month,
        account_months.previous_mrr as renewal_mrr_due,
        {{ cs_money('least(account_months.mrr, account_months.previous_mrr)') }} as renewal_mrr_kept,
        account_months.mrr = 0 as is_churned_at_renewal
    from renewal_months
    inner join account_months
        on account_months.account_id = renewal_months.account_id
        and account_months.month = renewal_months.month
    where account_months.previous_mrr > 0
)

select * from final
