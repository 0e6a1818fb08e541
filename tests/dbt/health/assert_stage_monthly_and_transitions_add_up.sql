-- Invariant: for every month and stage, mart_stage_monthly.customers equals the
-- customer-months of fct_account_monthly in the stage, the accounts that moved INTO
-- the stage (mart_stage_transitions, to_stage) and, for the previous month, the
-- accounts that moved OUT of it (from_stage). Stage-ups never exceed customers.
-- Returns the (month, stage) cells where a count disagrees.
with

stage_monthly as (
    select * from {{ ref('mart_stage_monthly') }}
),

transitions as (
    select * from {{ ref('mart_stage_transitions') }}
),

account_monthly as (
    select
        month,
        stage,
        count(*) as customers
    from {{ ref('fct_account_monthly') }}
    group by month, stage
),

arrivals as (
    select
        month,
        to_stage as stage,
        sum(accounts) as accounts
    from transitions
    group by month, to_stage
),

departures as (
    select
        cast({{ dbt.dateadd('month', -1, 'month') }} as date) as month,
        from_stage as stage,
        sum(accounts) as accounts
    from transitions
    where from_stage <> 'not_customer'
    group by month, from_stage
),

last_month as (
    select max(month) as month from stage_monthly
)

select
    stage_monthly.month,
    stage_monthly.stage,
    stage_monthly.customers,
    account_monthly.customers as fct_customers,
    arrivals.accounts as arrivals,
    departures.accounts as departures,
    stage_monthly.stage_up_count
from stage_monthly
cross join last_month
left join account_monthly
    on account_monthly.month = stage_monthly.month
    and account_monthly.stage = stage_monthly.stage
left join arrivals
    on arrivals.month = stage_monthly.month
    and arrivals.stage = stage_monthly.stage
left join departures
    on departures.month = stage_monthly.month
    and departures.stage = stage_monthly.stage
where stage_monthly.customers <> coalesce(account_monthly.customers, 0)
    or stage_monthly.customers <> coalesce(arrivals.accounts, 0)
    or (stage_monthly.month < last_month.month and stage_monthly.customers <> coalesce(departures.accounts, 0))
    or stage_monthly.stage_up_count > stage_monthly.customers
