-- One row per month and (from stage, to stage) pair with at least one account: the
-- accounts whose stage was `from_stage` in the previous month and is `to_stage` in
-- this month (metrics.md "Stage transitions"). So that the flows add up (a Sankey
-- needs them), two pseudo-stages are added: `not_customer` as from_stage, for
-- accounts that were not customers in the previous month (new and reactivated
-- accounts, and every account in the first month), and `churned` as to_stage, for
-- customers of the previous month that are not customers in this month.
with

account_monthly as (
    select * from {{ ref('int_customer_months_joined_to_health') }}
),

months as (
    select * from {{ ref('int_months') }}
),

month_pairs as (
    select
        month,
        cast({{ dbt.dateadd('month', -1, 'month') }} as date) as previous_month
    from months
),

previous_states as (
    select
        month_pairs.month,
        account_monthly.account_id,
        account_monthly.stage
    from month_pairs
    inner join account_monthly
        on account_monthly.month = month_pairs.previous_month
),

current_states as (
    select
        account_id,
        month,
        stage
    from account_monthly
),

transitions as (
    select
        coalesce(current_states.month, previous_states.month) as month,
        coalesce(previous_states.stage, 'not_customer') as from_stage,
        coalesce(current_states.stage, 'churned') as to_stage,
        coalesce(current_states.account_id, previous_states.account_id) as account_id
    from current_states
    full outer join previous_states
        on previous_states.account_id = current_states.account_id
        and previous_states.month = current_states.month
),

final as (
    select
        month,
        from_stage,
        to_stage,
        count(*) as accounts
    from transitions
    group by month, from_stage, to_stage
)

select * from final
