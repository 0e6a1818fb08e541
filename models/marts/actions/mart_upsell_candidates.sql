-- One row per upsell candidate on the as-of date (docs/metrics.md "Lists to act
-- on"): a customer in the as-of month whose condition is `good` (health >=
-- `condition_good_min_health` [70]). Toreta found that good accounts in every
-- stage buy upsells, so good gets an upsell offer. Utilization says what to offer:
-- an account that uses at least `upsell_seat_utilization_min` [0.8] of its seats
-- is near its seat limit (more seats); others are offered more features or products.
with

accounts as (
    select * from {{ ref('dim_accounts') }}
),

account_monthly as (
    select * from {{ ref('fct_account_monthly') }}
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

good_accounts as (
    select account_monthly.*
    from account_monthly
    inner join as_of_month
        on as_of_month.month = account_monthly.month
    where account_monthly.condition = 'good'
),

final as (
    select
        accounts.as_of_date,
        accounts.account_id,
        accounts.account_name,
        {{ cs_money('accounts.arr') }} as arr,
        accounts.tier,
        accounts.tier_rank,
        accounts.stage,
        accounts.stage_rank,
        good_accounts.condition,
        cast(good_accounts.health_score as double) as health_score,
        cast(good_accounts.seats as bigint) as seats,
        cast(good_accounts.daily_active_users as double) as daily_active_users,
        cast(good_accounts.license_utilization as double) as license_utilization,
        cast(good_accounts.stickiness as double) as stickiness,
        cast(good_accounts.breadth as double) as breadth,
        coalesce(good_accounts.license_utilization >= {{ var('upsell_seat_utilization_min') }}, false)
            as is_near_seat_limit,
        accounts.csm_id,
        csms.csm_name,
        accounts.last_touch_date,
        accounts.days_since_touch,
        accounts.next_renewal_date
    from good_accounts
    inner join accounts
        on accounts.account_id = good_accounts.account_id
    left join csms
        on csms.csm_id = accounts.csm_id
)

select * from final
