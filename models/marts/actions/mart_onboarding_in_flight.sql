-- One row per onboarding in flight on the as-of date (docs/metrics.md "Lists to
-- act on"): a customer on the as-of date that has not reached its time-to-value
-- milestone (`onboarding_complete`, or `setup_complete` where that is absent) by
-- then. Days elapsed count from its first contract start to the as-of date, against
-- `onboarding_target_days` [90]. It is stalled when it is past the target, or when
-- it had no day with usage events in the last `onboarding_stall_days` [14] days up
-- to the as-of date.
{%- set stall_days = var('onboarding_stall_days') | int %}
{%- set target_days = var('onboarding_target_days') | int %}
with

accounts as (
    select * from {{ ref('dim_accounts') }}
),

onboarding as (
    select * from {{ ref('int_accounts_onboarding_timed') }}
),

usage_days as (
    select * from {{ ref('int_usage_aggregated_to_account_days') }}
),

milestones as (
    select * from {{ ref('stg_raw__milestones') }}
),

csms as (
    select * from {{ ref('stg_raw__csms') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

in_flight as (
    select
        onboarding.account_id,
        onboarding.cohort_month,
        onboarding.first_start_date
    from onboarding
    inner join accounts
        on accounts.account_id = onboarding.account_id
    where accounts.is_customer
        and onboarding.value_date is null
),

last_usage as (
    select
        usage_days.account_id,
        max(usage_days.usage_date) as last_usage_date
    from usage_days
    inner join in_flight
        on in_flight.account_id = usage_days.account_id
    cross join as_of
    where usage_days.events > 0
        and usage_days.usage_date <= as_of.as_of_date
    group by usage_days.account_id
),

-- value points reached so far (any milestone on or before the as-of date)
milestones_reached as (
    select
        milestones.account_id,
        count(*) as milestones_reached,
        max(case when milestones.milestone = 'setup_complete' then milestones.achieved_at end) as setup_complete_date
    from milestones
    cross join as_of
    where milestones.achieved_at <= as_of.as_of_date
    group by milestones.account_id
),

timed as (
    select
        as_of.as_of_date,
        in_flight.account_id,
        in_flight.cohort_month,
        in_flight.first_start_date,
        cast({{ dbt.datediff('in_flight.first_start_date', 'as_of.as_of_date', 'day') }} as integer) as days_elapsed,
        coalesce(milestones_reached.milestones_reached, 0) as milestones_reached,
        milestones_reached.setup_complete_date,
        last_usage.last_usage_date,
        cast({{ dbt.datediff('last_usage.last_usage_date', 'as_of.as_of_date', 'day') }} as integer) as days_since_usage
    from in_flight
    cross join as_of
    left join last_usage
        on last_usage.account_id = in_flight.account_id
    left join milestones_reached
        on milestones_reached.account_id = in_flight.account_id
),

flagged as (
    select
        *,
        days_elapsed > {{ target_days }} as is_past_target,
        -- no usage day in the {{ stall_days }} days that end on the as-of date
        coalesce(days_since_usage >= {{ stall_days }}, true) as has_no_recent_usage
    from timed
),

final as (
    select
        flagged.as_of_date,
        flagged.account_id,
        accounts.account_name,
        {{ cs_money('accounts.arr') }} as arr,
        accounts.tier,
        accounts.tier_rank,
        accounts.stage,
        accounts.stage_rank,
        cast(accounts.health_score as double) as health_score,
        flagged.cohort_month,
        flagged.first_start_date,
        flagged.days_elapsed,
        {{ target_days }} as target_days,
        {{ target_days }} - flagged.days_elapsed as days_to_target,
        cast(flagged.milestones_reached as integer) as milestones_reached,
        flagged.setup_complete_date,
        flagged.last_usage_date,
        flagged.days_since_usage,
        flagged.is_past_target,
        flagged.has_no_recent_usage,
        flagged.is_past_target or flagged.has_no_recent_usage as is_stalled,
        accounts.csm_id,
        csms.csm_name,
        accounts.last_touch_date,
        accounts.days_since_touch
    from flagged
    inner join accounts
        on accounts.account_id = flagged.account_id
    left join csms
        on csms.csm_id = accounts.csm_id
)

select * from final
