-- Churned ARR over a period by the account's stage and condition in the month
-- before it churned. The data has no churn reason field: the stage and the health
-- condition before the churn are the nearest the warehouse comes to a reason, and
-- the tenure phase says whether it left during onboarding, adoption or at renewal.
-- Churned ARR = 12 x the MRR lost (the account's MRR in the month before).
-- Vars: analysis_period_start, analysis_period_end ('YYYY-MM-01'); default: the
-- 12 months that end with the latest month.
with

mrr_monthly as (
    select * from {{ ref('fct_mrr_monthly') }}
),

account_monthly as (
    select * from {{ ref('fct_account_monthly') }}
),

latest as (
    select max(month) as latest_month from mrr_monthly
),

period as (
    select
        {% if var('analysis_period_start', none) %}
        cast('{{ var("analysis_period_start") }}' as date)
        {% else %}
        cast({{ dbt.dateadd('month', -11, 'latest_month') }} as date)
        {% endif %} as period_start,
        {% if var('analysis_period_end', none) %}
        cast('{{ var("analysis_period_end") }}' as date)
        {% else %}
        latest_month
        {% endif %} as period_end
    from latest
),

churns as (
    select
        mrr_monthly.account_id,
        mrr_monthly.month,
        cast({{ dbt.dateadd('month', -1, 'mrr_monthly.month') }} as date) as previous_month,
        mrr_monthly.previous_mrr
    from mrr_monthly
    inner join period
        on mrr_monthly.month between period.period_start and period.period_end
    where mrr_monthly.movement = 'churn'
),

churns_with_state as (
    select
        churns.account_id,
        churns.previous_mrr,
        coalesce(account_monthly.stage, 'unknown') as stage_before,
        coalesce(account_monthly.stage_rank, 0) as stage_rank,
        coalesce(account_monthly.condition, 'unknown') as condition_before,
        coalesce(account_monthly.tenure_phase, 'unknown') as tenure_phase
    from churns
    left join account_monthly
        on account_monthly.account_id = churns.account_id
        and account_monthly.month = churns.previous_month
),

final as (
    select
        (select period.period_start from period) as period_start,
        (select period.period_end from period) as period_end,
        stage_before,
        condition_before,
        tenure_phase,
        count(*) as churned_accounts,
        12 * sum(previous_mrr) as churned_arr
    from churns_with_state
    group by stage_before, stage_rank, condition_before, tenure_phase
)

select * from final
order by churned_arr desc, stage_before asc, condition_before asc, tenure_phase asc
