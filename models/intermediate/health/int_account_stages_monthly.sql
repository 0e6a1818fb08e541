-- One row per customer-month: the account's lifecycle stage (metrics.md "Lifecycle
-- stage", Kaonavi): the first of these that holds on the month's snapshot day.
--   1. entry   no setup day on or before the snapshot day (int_account_setup_dates:
--              the setup_complete milestone, or the first usage day where the
--              milestones source is absent);
--   2. onboard health < `stage_onboard_below_health` (a null health is not below it);
--   3. loyal   an advocate on the snapshot day;
--   4. active  everything else.
-- Stage rank: entry 1 < onboard 2 < active 3 < loyal 4.
with

health as (
    select * from {{ ref('int_account_health_monthly') }}
),

setup_dates as (
    select * from {{ ref('int_account_setup_dates') }}
),

advocacy as (
    select * from {{ ref('int_account_advocacy_at_snapshots') }}
),

staged as (
    select
        health.account_id,
        health.month,
        health.snapshot_date,
        health.health_score,
        setup_dates.setup_date,
        coalesce(advocacy.is_advocate, false) as is_advocate,
        case
            when setup_dates.setup_date is null
                or setup_dates.setup_date > health.snapshot_date
                then 'entry'
            when health.health_score < {{ var('stage_onboard_below_health') }}
                then 'onboard'
            when advocacy.is_advocate
                then 'loyal'
            else 'active'
        end as stage
    from health
    left join setup_dates
        on setup_dates.account_id = health.account_id
    left join advocacy
        on advocacy.account_id = health.account_id
        and advocacy.month = health.month
),

final as (
    select
        account_id,
        month,
        snapshot_date,
        setup_date,
        is_advocate,
        stage,
        cast({{ cs_stage_rank('stage') }} as integer) as stage_rank
    from staged
)

select * from final
