-- One row per account and renewal day in the next `renewal_lookahead_days` [90]
-- days after the as-of date: the renewals calendar a CSM works from (docs/metrics.md
-- "Lists to act on"). A renewal day is end_date + 1 day of a line active on the
-- as-of date; lines of one account that end on the same day make one renewal.
-- Only customers on the as-of date (MRR > 0) have renewals due, as in the renewal
-- churn rate. Nothing is cut off: every renewal in the window has a row.
{%- set lookahead = var('renewal_lookahead_days') | int %}
{%- set trend_months = var('health_trend_months') | int %}
with

accounts as (
    select * from {{ ref('dim_accounts') }}
),

account_monthly as (
    select * from {{ ref('fct_account_monthly') }}
),

lines_at_snapshots as (
    select * from {{ ref('int_contract_lines_joined_to_snapshots') }}
),

contract_lines as (
    select * from {{ ref('stg_raw__contracts') }}
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

-- the lines active on the as-of date (the as-of month's snapshot day), in the
-- reporting currency, with the day each renews
lines_renewing as (
    select
        lines_at_snapshots.account_id,
        cast({{ dbt.dateadd('day', 1, 'contract_lines.end_date') }} as date) as renewal_date,
        lines_at_snapshots.mrr
    from lines_at_snapshots
    inner join as_of_month
        on as_of_month.month = lines_at_snapshots.month
    inner join contract_lines
        on contract_lines.contract_id = lines_at_snapshots.contract_id
    where contract_lines.end_date is not null
        and contract_lines.end_date < cast({{ dbt.dateadd('day', lookahead, 'as_of_month.as_of_date') }} as date)
),

renewals as (
    select
        account_id,
        renewal_date,
        count(*) as renewing_lines,
        sum(mrr) as renewing_mrr
    from lines_renewing
    group by account_id, renewal_date
),

-- a line of the account that starts on the renewal day: the renewal is signed
signed_renewals as (
    select distinct
        account_id,
        start_date as renewal_date
    from contract_lines
),

health_before as (
    select
        account_monthly.account_id,
        account_monthly.health_score
    from account_monthly
    inner join as_of_month
        on account_monthly.month = cast({{ dbt.dateadd('month', -trend_months, 'as_of_month.month') }} as date)
),

joined as (
    select
        accounts.as_of_date,
        renewals.account_id,
        accounts.account_name,
        renewals.renewal_date,
        cast({{ dbt.datediff('accounts.as_of_date', 'renewals.renewal_date', 'day') }} as integer) as days_until_renewal,
        renewals.renewing_lines,
        renewals.renewing_mrr,
        accounts.arr,
        accounts.tier,
        accounts.tier_rank,
        accounts.health_score,
        health_before.health_score as health_score_before,
        accounts.condition,
        accounts.stage,
        accounts.stage_rank,
        accounts.csm_id,
        csms.csm_name,
        accounts.last_touch_date,
        accounts.days_since_touch,
        signed_renewals.account_id is not null as has_signed_renewal
    from renewals
    inner join accounts
        on accounts.account_id = renewals.account_id
    left join health_before
        on health_before.account_id = renewals.account_id
    left join csms
        on csms.csm_id = accounts.csm_id
    left join signed_renewals
        on signed_renewals.account_id = renewals.account_id
        and signed_renewals.renewal_date = renewals.renewal_date
    where accounts.is_customer
),

final as (
    select
        as_of_date,
        account_id,
        account_name,
        renewal_date,
        days_until_renewal,
        -- 30 for days 1-30, 60 for 31-60, 90 for 61-90
        cast(30 * ceiling(days_until_renewal / 30.0) as integer) as renewal_window_days,
        cast(renewing_lines as integer) as renewing_lines,
        {{ cs_money('renewing_mrr') }} as renewing_mrr,
        {{ cs_money('12 * renewing_mrr') }} as renewing_arr,
        {{ cs_money('arr') }} as arr,
        tier,
        tier_rank,
        cast(health_score as double) as health_score,
        cast(health_score - health_score_before as double) as health_change,
        condition,
        stage,
        stage_rank,
        csm_id,
        csm_name,
        last_touch_date,
        days_since_touch,
        has_signed_renewal
    from joined
)

select * from final
