-- One row per account (every accepted row of accounts), as of the as-of date: what
-- a CSM's worklist needs. Revenue, tier, stage, condition, health and tenure phase
-- are the account's figures in the as-of month (whose snapshot day is the as-of
-- date); they are null, and mrr/arr 0, where the account is not a customer then.
-- The CSM is the one assigned on the as-of date, customer or not.
--   last_touch_date   the latest touchpoint on or before the as-of date whose channel
--                     is not `automated` (a CSM's own touch, as in touch compliance);
--   days_since_touch  days from it to the as-of date;
--   next_renewal_date the earliest end_date + 1 day over the lines active on the
--                     as-of date (a line ending on the as-of date renews the next day);
--                     null where every active line is open-ended.
with

accounts as (
    select * from {{ ref('stg_raw__accounts') }}
),

account_months as (
    select * from {{ ref('int_account_months_classified_by_movement') }}
),

account_monthly as (
    select * from {{ ref('int_customer_months_joined_to_health') }}
),

csms as (
    select * from {{ ref('int_account_csms_at_snapshots') }}
),

touchpoints as (
    select * from {{ ref('stg_raw__touchpoints') }}
),

contract_lines as (
    select * from {{ ref('stg_raw__contracts') }}
),

-- the as-of month's snapshot day is the as-of date
as_of_month as (
    select
        as_of_date,
        as_of_month as month
    from {{ ref('int_as_of_date') }}
),

cohorts as (
    select
        account_id,
        min(cohort_month) as cohort_month
    from account_months
    group by account_id
),

last_touches as (
    select
        touchpoints.account_id,
        max(touchpoints.touched_at) as last_touch_date
    from touchpoints
    cross join as_of_month
    where touchpoints.channel <> 'automated'
        and touchpoints.touched_at <= as_of_month.as_of_date
    group by touchpoints.account_id
),

next_renewals as (
    select
        contract_lines.account_id,
        min(cast({{ dbt.dateadd('day', 1, 'contract_lines.end_date') }} as date)) as next_renewal_date
    from contract_lines
    cross join as_of_month
    where contract_lines.start_date <= as_of_month.as_of_date
        and contract_lines.end_date >= as_of_month.as_of_date
    group by contract_lines.account_id
),

final as (
    select
        accounts.account_id,
        accounts.account_name,
        accounts.industry,
        accounts.region,
        accounts.created_at,
        as_of_month.as_of_date,
        cohorts.cohort_month,
        account_monthly.account_id is not null as is_customer,
        {{ cs_money('coalesce(account_monthly.mrr, 0)') }} as mrr,
        {{ cs_money('coalesce(account_monthly.arr, 0)') }} as arr,
        account_monthly.tier,
        account_monthly.tier_rank,
        csms.csm_id,
        account_monthly.stage,
        account_monthly.stage_rank,
        account_monthly.condition,
        account_monthly.health_score,
        account_monthly.tenure_phase,
        last_touches.last_touch_date,
        cast({{ dbt.datediff('last_touches.last_touch_date', 'as_of_month.as_of_date', 'day') }} as integer) as days_since_touch,
        next_renewals.next_renewal_date
    from accounts
    cross join as_of_month
    left join cohorts
        on cohorts.account_id = accounts.account_id
    left join account_monthly
        on account_monthly.account_id = accounts.account_id
        and account_monthly.month = as_of_month.month
    left join csms
        on csms.account_id = accounts.account_id
        and csms.month = as_of_month.month
    left join last_touches
        on last_touches.account_id = accounts.account_id
    left join next_renewals
        on next_renewals.account_id = accounts.account_id
)

select * from final
