-- Invariant: fct_account_monthly has exactly the customer-months of fct_mrr_monthly
-- (is_customer), with the same MRR: no customer is lost or invented by the health,
-- stage, tier or CSM joins. Returns the customer-months found on one side only or
-- with a different MRR.
with

customer_months as (
    select
        account_id,
        month,
        mrr
    from {{ ref('fct_mrr_monthly') }}
    where is_customer
),

account_monthly as (
    select
        account_id,
        month,
        mrr
    from {{ ref('fct_account_monthly') }}
)

select
    coalesce(customer_months.account_id, account_monthly.account_id) as account_id,
    coalesce(customer_months.month, account_monthly.month) as month,
    customer_months.mrr as revenue_mrr,
    account_monthly.mrr as account_monthly_mrr
from customer_months
full outer join account_monthly
    on account_monthly.account_id = customer_months.account_id
    and account_monthly.month = customer_months.month
where customer_months.account_id is null
    or account_monthly.account_id is null
    or customer_months.mrr <> account_monthly.mrr
