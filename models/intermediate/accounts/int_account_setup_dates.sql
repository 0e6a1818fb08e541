-- One row per account that has a setup day: the day of its `setup_complete`
-- milestone. Where the milestones source is absent (no milestone rows at all:
-- the file is missing or has a header only), an account's first usage day (its
-- first day with events > 0) is its setup day instead (metrics.md "Lifecycle
-- stage", rule 1). Where milestones exist, an account without a setup_complete
-- milestone has no setup day, whatever its usage.
with

milestones as (
    select * from {{ ref('stg_raw__milestones') }}
),

account_days as (
    select * from {{ ref('int_usage_aggregated_to_account_days') }}
),

milestones_presence as (
    select count(*) > 0 as has_milestones
    from milestones
),

setup_milestones as (
    select
        account_id,
        min(achieved_at) as setup_date
    from milestones
    where milestone = 'setup_complete'
    group by account_id
),

first_usage_days as (
    select
        account_id,
        min(usage_date) as setup_date
    from account_days
    where events > 0
        and not (select milestones_presence.has_milestones from milestones_presence)
    group by account_id
),

final as (
    select
        account_id,
        setup_date,
        'setup_complete_milestone' as setup_source
    from setup_milestones
    union all
    select
        account_id,
        setup_date,
        'first_usage_day' as setup_source
    from first_usage_days
)

select * from final
