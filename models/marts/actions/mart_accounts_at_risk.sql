-- One row per account at risk on the as-of date (docs/metrics.md "Lists to act
-- on"): a customer in the as-of month whose condition is `bad` (health <
-- `condition_bad_below_health` [40]), or whose health score fell by at least
-- `at_risk_health_drop_points` [10] points over the last `health_trend_months` [3]
-- months. Its ARR is the ARR at risk. What drives its health down: each
-- component's points lost, 100 x its renormalised weight x (1 - component), which
-- add up to 100 - health score; the main driver is the component that loses the most.
{%- set trend_months = var('health_trend_months') | int %}
{%- set components = [
    ('utilization', 'license_utilization', var('health_weight_utilization')),
    ('stickiness', 'stickiness', var('health_weight_stickiness')),
    ('breadth', 'breadth', var('health_weight_breadth')),
    ('trend', 'trend', var('health_weight_trend')),
] %}
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

health_now as (
    select
        account_monthly.*,
        (
            {%- for name, column, weight in components %}
            case when account_monthly.{{ column }} is not null then {{ weight }} else 0 end{{ ' +' if not loop.last }}
            {%- endfor %}
        ) as present_weight
    from account_monthly
    inner join as_of_month
        on as_of_month.month = account_monthly.month
),

health_before as (
    select
        account_monthly.account_id,
        account_monthly.health_score
    from account_monthly
    inner join as_of_month
        on account_monthly.month = cast({{ dbt.dateadd('month', -trend_months, 'as_of_month.month') }} as date)
),

points_lost as (
    select
        health_now.account_id,
        health_now.health_score,
        {%- for name, column, weight in components %}
        -- renames license_utilization; the other components keep their name (AL09)
        health_now.{{ column }} as {{ name }},  -- noqa: AL09
        case
            when health_now.present_weight > 0
                then 100.0 * {{ weight }} * (1 - health_now.{{ column }}) / health_now.present_weight
        end as {{ name }}_points_lost,
        {%- endfor %}
        health_now.health_score - health_before.health_score as health_change
    from health_now
    left join health_before
        on health_before.account_id = health_now.account_id
),

-- the component that loses the most points; ties go to the larger weight, in the
-- order utilization, stickiness, breadth, trend
main_drivers as (
    select
        account_id,
        driver as main_health_driver
    from (
        select
            drivers.*,
            row_number() over (
                partition by drivers.account_id
                order by drivers.driver_points_lost desc, drivers.driver_order asc
            ) as driver_position
        from (
            {%- for name, column, weight in components %}
            select
                account_id,
                '{{ name }}' as driver,
                {{ name }}_points_lost as driver_points_lost,
                {{ loop.index }} as driver_order
            from points_lost
            where {{ name }}_points_lost is not null
            {{ 'union all' if not loop.last }}
            {%- endfor %}
        ) as drivers
    ) as ranked_drivers
    where driver_position = 1
),

flagged as (
    select
        points_lost.*,
        accounts.condition = 'bad' as is_condition_bad,
        coalesce(points_lost.health_change <= -{{ var('at_risk_health_drop_points') }}, false) as is_health_falling
    from points_lost
    inner join accounts
        on accounts.account_id = points_lost.account_id
),

final as (
    select
        accounts.as_of_date,
        accounts.account_id,
        accounts.account_name,
        {{ cs_money('accounts.arr') }} as arr_at_risk,
        accounts.tier,
        accounts.tier_rank,
        accounts.stage,
        accounts.stage_rank,
        accounts.condition,
        cast(flagged.health_score as double) as health_score,
        cast(flagged.health_change as double) as health_change,
        flagged.is_condition_bad,
        flagged.is_health_falling,
        case
            when flagged.is_condition_bad and flagged.is_health_falling then 'bad_and_falling'
            when flagged.is_condition_bad then 'bad_condition'
            else 'falling_health'
        end as risk_reason,
        main_drivers.main_health_driver,
        {%- for name, column, weight in components %}
        cast(flagged.{{ name }} as double) as {{ name }},
        cast(flagged.{{ name }}_points_lost as double) as {{ name }}_points_lost,
        {%- endfor %}
        accounts.csm_id,
        csms.csm_name,
        accounts.last_touch_date,
        accounts.days_since_touch,
        accounts.next_renewal_date,
        cast({{ dbt.datediff('accounts.as_of_date', 'accounts.next_renewal_date', 'day') }} as integer) as days_until_renewal
    from flagged
    inner join accounts
        on accounts.account_id = flagged.account_id
    left join main_drivers
        on main_drivers.account_id = flagged.account_id
    left join csms
        on csms.csm_id = accounts.csm_id
    where flagged.is_condition_bad or flagged.is_health_falling
)

select * from final
