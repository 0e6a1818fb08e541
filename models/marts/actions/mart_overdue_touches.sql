-- One row per customer overdue for a touch on the as-of date (docs/metrics.md
-- "Lists to act on"): a customer in the as-of month whose tier has a touch cadence
-- (seed tier_policy) and that had no touch whose channel is not `automated` in the
-- cadence days that end on the as-of date (the complement of touch compliance).
-- risk_score (0-100) orders the list by risk, not by tier:
--   40 x overdue:  1 when never touched, else min(1, days overdue / cadence days)
--   30 x renewal:  max(0, 1 - days until the next renewal / `renewal_lookahead_days` [90])
--   30 x health:   (100 - health score) / 100, 0.5 where the health score is unknown
-- risk_rank is 1 for the highest score (ties: larger ARR first, then account_id).
{%- set lookahead = var('renewal_lookahead_days') | int %}
with

accounts as (
    select * from {{ ref('dim_accounts') }}
),

coverage as (
    select * from {{ ref('int_customer_months_joined_to_coverage') }}
),

csms as (
    select * from {{ ref('stg_raw__csms') }}
),

as_of_month as (
    select
        as_of_date,
        as_of_month as month
    from {{ ref('int_as_of_date') }}
),

overdue as (
    select coverage.*
    from coverage
    inner join as_of_month
        on as_of_month.month = coverage.month
    where coverage.cadence_days is not null
        and not coverage.is_touch_compliant
),

joined as (
    select
        accounts.as_of_date,
        overdue.account_id,
        accounts.account_name,
        accounts.arr,
        overdue.tier,
        overdue.tier_rank,
        overdue.cadence_days,
        accounts.stage,
        accounts.stage_rank,
        accounts.condition,
        accounts.health_score,
        overdue.last_touch_date,
        overdue.days_since_touch,
        overdue.last_touch_date is null as is_never_touched,
        overdue.days_since_touch - overdue.cadence_days as days_overdue,
        accounts.next_renewal_date,
        cast({{ dbt.datediff('accounts.as_of_date', 'accounts.next_renewal_date', 'day') }} as integer) as days_until_renewal,
        accounts.csm_id
    from overdue
    inner join accounts
        on accounts.account_id = overdue.account_id
),

scored as (
    select
        *,
        40.0 * case
            when is_never_touched then 1.0
            else least(1.0, cast(days_overdue as double) / cadence_days)
        end
        + 30.0 * coalesce(greatest(0.0, 1.0 - cast(days_until_renewal as double) / {{ lookahead }}), 0.0)
        + 30.0 * coalesce((100.0 - health_score) / 100.0, 0.5) as risk_score
    from joined
),

final as (
    select
        scored.as_of_date,
        scored.account_id,
        scored.account_name,
        {{ cs_money('scored.arr') }} as arr,
        scored.tier,
        scored.tier_rank,
        scored.cadence_days,
        scored.stage,
        scored.stage_rank,
        scored.condition,
        cast(scored.health_score as double) as health_score,
        scored.last_touch_date,
        scored.days_since_touch,
        scored.is_never_touched,
        scored.days_overdue,
        scored.next_renewal_date,
        scored.days_until_renewal,
        cast(scored.risk_score as double) as risk_score,
        cast(row_number() over (
            order by scored.risk_score desc, scored.arr desc, scored.account_id asc
        ) as integer) as risk_rank,
        scored.csm_id,
        csms.csm_name
    from scored
    left join csms
        on csms.csm_id = scored.csm_id
)

select * from final
