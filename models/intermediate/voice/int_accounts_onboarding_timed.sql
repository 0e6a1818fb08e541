-- One row per account with a cohort (it became a customer): its time to value
-- and whether it expanded right after onboarding (metrics.md "Onboarding, voice
-- of the customer, community"). Milestones, lines and responses after the as-of
-- date count nowhere.
{%- set upsell_days = var('post_onboarding_upsell_days') %}
with

account_months as (
    select * from {{ ref('int_account_months_classified_by_movement') }}
),

months as (
    select * from {{ ref('int_months') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

contract_lines as (
    select * from {{ ref('stg_raw__contracts') }}
),

milestones as (
    select * from {{ ref('stg_raw__milestones') }}
),

surveys as (
    select * from {{ ref('stg_raw__surveys') }}
),

cohort_accounts as (
    select distinct
        account_id,
        cohort_month
    from account_months
),

first_starts as (
    select
        contract_lines.account_id,
        min(contract_lines.start_date) as first_start_date
    from contract_lines
    cross join as_of
    where contract_lines.start_date <= as_of.as_of_date
    group by contract_lines.account_id
),

-- onboarding_complete, or setup_complete for an account that has no
-- onboarding_complete milestone (as of the as-of date)
value_milestones as (
    select
        milestones.account_id,
        max(case when milestones.milestone = 'onboarding_complete' then milestones.achieved_at end)
            as onboarding_complete_date,
        max(case when milestones.milestone = 'setup_complete' then milestones.achieved_at end)
            as setup_complete_date
    from milestones
    cross join as_of
    where milestones.milestone in ('onboarding_complete', 'setup_complete')
        and milestones.achieved_at <= as_of.as_of_date
    group by milestones.account_id
),

timed as (
    select
        cohort_accounts.account_id,
        cohort_accounts.cohort_month,
        first_starts.first_start_date,
        coalesce(value_milestones.onboarding_complete_date, value_milestones.setup_complete_date) as value_date,
        case
            when value_milestones.onboarding_complete_date is not null then 'onboarding_complete'
            when value_milestones.setup_complete_date is not null then 'setup_complete'
        end as value_milestone
    from cohort_accounts
    left join first_starts
        on first_starts.account_id = cohort_accounts.account_id
    left join value_milestones
        on value_milestones.account_id = cohort_accounts.account_id
),

-- MRR movements are monthly, so the upsell window is matched at month grain: an
-- expansion counts when its month overlaps the days from the value date to
-- {{ upsell_days }} days after it
post_onboarding_expansions as (
    select
        timed.account_id,
        count(*) as expansions
    from timed
    inner join account_months
        on account_months.account_id = timed.account_id
        and account_months.movement = 'expansion'
    inner join months
        on months.month = account_months.month
    where months.snapshot_date >= timed.value_date
        and months.month <= {{ dbt.dateadd('day', upsell_days, 'timed.value_date') }}
    group by timed.account_id
),

ces_by_account as (
    select
        surveys.account_id,
        count(*) as ces_responses,
        sum(surveys.score) as ces_score_sum
    from surveys
    cross join as_of
    where surveys.survey = 'ces'
        and surveys.responded_at <= as_of.as_of_date
    group by surveys.account_id
),

final as (
    select
        timed.account_id,
        timed.cohort_month,
        timed.first_start_date,
        timed.value_date,
        timed.value_milestone,
        cast({{ dbt.datediff('timed.first_start_date', 'timed.value_date', 'day') }} as integer) as days_to_value,
        coalesce(
            {{ dbt.datediff('timed.first_start_date', 'timed.value_date', 'day') }} <= {{ var('onboarding_target_days') }},
            false
        ) as is_completed_within_target,
        case
            when timed.value_date is not null then coalesce(post_onboarding_expansions.expansions, 0) > 0
        end as has_post_onboarding_upsell,
        coalesce(ces_by_account.ces_responses, 0) as ces_responses,
        ces_by_account.ces_score_sum
    from timed
    left join post_onboarding_expansions
        on post_onboarding_expansions.account_id = timed.account_id
    left join ces_by_account
        on ces_by_account.account_id = timed.account_id
)

select * from final
