-- Invariant: dim_accounts has one row per accepted account, and its customers are
-- exactly the customer-months of fct_account_monthly in the as-of month, with the
-- same MRR, stage and health. Returns the accounts where they disagree.
with

accounts as (
    select account_id from {{ ref('stg_raw__accounts') }}
),

dim as (
    select * from {{ ref('dim_accounts') }}
),

as_of_month_rows as (
    select account_monthly.*
    from {{ ref('fct_account_monthly') }} as account_monthly
    inner join {{ ref('int_as_of_date') }} as as_of
        on account_monthly.snapshot_date = as_of.as_of_date
)

select
    coalesce(accounts.account_id, dim.account_id) as account_id,
    dim.is_customer,
    dim.mrr,
    as_of_month_rows.mrr as fct_mrr
from accounts
full outer join dim
    on dim.account_id = accounts.account_id
left join as_of_month_rows
    on as_of_month_rows.account_id = coalesce(accounts.account_id, dim.account_id)
where accounts.account_id is null
    or dim.account_id is null
    or dim.is_customer <> (as_of_month_rows.account_id is not null)
    or dim.mrr <> coalesce(as_of_month_rows.mrr, 0)
    or dim.stage is distinct from as_of_month_rows.stage
    or dim.health_score is distinct from as_of_month_rows.health_score
    or dim.days_since_touch < 0
