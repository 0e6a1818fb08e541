-- The stage transition matrix for a period: for each (from stage, to stage) pair,
-- the accounts that moved between them, summed over the months of the period, and
-- the share of the from-stage row. `not_customer` (from) and `churned` (to) close
-- the flows, as in mart_stage_transitions. Each row of the matrix (a from-stage)
-- adds up to the customers in that stage in the months before the period's months.
-- Vars: analysis_period_start, analysis_period_end (first days of months,
-- 'YYYY-MM-01'); default: the 12 months that end with the latest month.
with

stage_transitions as (
    select * from {{ ref('mart_stage_transitions') }}
),

latest as (
    select max(month) as latest_month from stage_transitions
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

transitions_in_period as (
    select
        stage_transitions.from_stage,
        stage_transitions.to_stage,
        sum(stage_transitions.accounts) as accounts
    from stage_transitions
    inner join period
        on stage_transitions.month between period.period_start and period.period_end
    group by stage_transitions.from_stage, stage_transitions.to_stage
),

final as (
    select
        (select period.period_start from period) as period_start,
        (select period.period_end from period) as period_end,
        from_stage,
        to_stage,
        accounts,
        cast(accounts as double)
        / sum(accounts) over (partition by from_stage) as share_of_from_stage
    from transitions_in_period
)

select * from final
order by from_stage, to_stage
