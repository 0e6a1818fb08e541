-- Customers whose health score fell by more than N points over the last K months:
-- health in the latest month against health K months before, for the accounts that
-- were customers in both months and had a score in both. Largest drops first, with
-- what a CSM needs to act (tier, CSM, stage, MRR, days since the last touch).
-- Vars: analysis_health_drop_points (default 20), analysis_health_drop_months
-- (default 3), analysis_month ('YYYY-MM-01'; default: the latest month).
with

account_monthly as (
    select * from {{ ref('fct_account_monthly') }}
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

months_compared as (
    select
        {% if var('analysis_month', none) %}
        cast('{{ var("analysis_month") }}' as date)
        {% else %}
        max(month)
        {% endif %} as current_month
    from account_monthly
),

month_pair as (
    select
        current_month,
        cast({{ dbt.dateadd('month', -var('analysis_health_drop_months', 3), 'current_month') }} as date)
            as earlier_month
    from months_compared
),

health_pairs as (
    select
        current_state.account_id,
        month_pair.earlier_month,
        month_pair.current_month,
        earlier_state.health_score as earlier_health_score,
        current_state.health_score as current_health_score,
        earlier_state.health_score - current_state.health_score as health_drop,
        current_state.tier,
        current_state.csm_id,
        earlier_state.stage as earlier_stage,
        current_state.stage as current_stage,
        current_state.mrr
    from month_pair
    inner join account_monthly as current_state
        on current_state.month = month_pair.current_month
    inner join account_monthly as earlier_state
        on earlier_state.month = month_pair.earlier_month
        and earlier_state.account_id = current_state.account_id
    where current_state.health_score is not null
        and earlier_state.health_score is not null
),

final as (
    select
        health_pairs.*,
        accounts.account_name,
        accounts.days_since_touch,
        accounts.next_renewal_date
    from health_pairs
    left join accounts
        on accounts.account_id = health_pairs.account_id
    where health_pairs.health_drop > {{ var('analysis_health_drop_points', 20) }}
)

select * from final
order by health_drop desc, account_id asc
