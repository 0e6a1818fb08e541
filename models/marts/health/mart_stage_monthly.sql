-- One row per reporting month and lifecycle stage (every stage, every month):
-- customers in the stage on the month's snapshot day, their MRR, and the stage-up
-- count: accounts in the stage whose stage rank rose from the previous month
-- (metrics.md "Stage transitions"; an account that was not a customer in the
-- previous month has no rank to rise from and is not counted).
with

account_monthly as (
    select * from {{ ref('int_customer_months_joined_to_health') }}
),

months as (
    select * from {{ ref('int_months') }}
),

stages as (
    select * from {{ cs_stages_relation() }}
),

stage_steps as (
    select
        current_month.account_id,
        current_month.month,
        current_month.stage,
        current_month.mrr,
        previous_month.stage_rank as previous_stage_rank,
        current_month.stage_rank
    from account_monthly as current_month
    left join account_monthly as previous_month
        on previous_month.account_id = current_month.account_id
        and previous_month.month = cast({{ dbt.dateadd('month', -1, 'current_month.month') }} as date)
),

stage_totals as (
    select
        month,
        stage,
        count(*) as customers,
        sum(mrr) as mrr,
        sum(case when stage_rank > previous_stage_rank then 1 else 0 end) as stage_up_count
    from stage_steps
    group by month, stage
),

final as (
    select
        months.month,
        stages.stage,
        cast(stages.stage_rank as integer) as stage_rank,
        cast(coalesce(stage_totals.customers, 0) as bigint) as customers,
        {{ cs_money('coalesce(stage_totals.mrr, 0)') }} as mrr,
        cast(coalesce(stage_totals.stage_up_count, 0) as bigint) as stage_up_count
    from months
    cross join stages
    left join stage_totals
        on stage_totals.month = months.month
        and stage_totals.stage = stages.stage
)

select * from final
