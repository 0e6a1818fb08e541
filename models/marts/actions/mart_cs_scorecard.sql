-- One row per reporting month: the figures a CS leader reads first, side by
-- side. Revenue figures come from mart_revenue_monthly, NPS from
-- mart_nps_monthly (segment `all`), stage-ups from mart_stage_monthly; toss-ups
-- (SmartHR: leads passed to sales) are the month's touchpoints with purpose
-- `toss_up`.
with

months as (
    select * from {{ ref('int_months') }}
),

revenue as (
    select * from {{ ref('mart_revenue_monthly') }}
),

nps as (
    select * from {{ ref('mart_nps_monthly') }}
),

stage_months as (
    select * from {{ ref('mart_stage_monthly') }}
),

touchpoints as (
    select * from {{ ref('stg_raw__touchpoints') }}
),

nps_all as (
    select
        month,
        nps,
        responses
    from nps
    where segment_type = 'all'
),

stage_ups as (
    select
        month,
        sum(stage_up_count) as stage_up_count
    from stage_months
    group by month
),

toss_ups as (
    select
        months.month,
        count(*) as toss_up_count
    from touchpoints
    inner join months
        on months.month = cast({{ dbt.date_trunc('month', 'touchpoints.touched_at') }} as date)
        and touchpoints.touched_at <= months.snapshot_date
    where touchpoints.purpose = 'toss_up'
    group by months.month
),

final as (
    select
        months.month,
        cast(coalesce(revenue.customers_end, 0) as bigint) as customers,
        {{ cs_money('12 * coalesce(revenue.mrr_end, 0)') }} as arr,
        revenue.nrr_12m,
        revenue.grr_12m,
        revenue.logo_churn_rate,
        revenue.renewal_churn_rate,
        revenue.annualized_logo_churn,
        revenue.meets_10pct_rule,
        revenue.maturity_level,
        nps_all.nps,
        cast(coalesce(revenue.upsell_count, 0) as bigint) as upsell_count,
        cast(coalesce(stage_ups.stage_up_count, 0) as bigint) as stage_up_count,
        cast(coalesce(toss_ups.toss_up_count, 0) as bigint) as toss_up_count,
        cast(coalesce(nps_all.responses, 0) as bigint) as nps_responses,
        cast(coalesce(revenue.renewals_due, 0) as bigint) as renewals_due,
        revenue.renewal_churn_rate_ci_low,
        revenue.renewal_churn_rate_ci_high,
        coalesce(revenue.is_renewal_churn_rate_below_min_n, true) as is_renewal_churn_rate_below_min_n
    from months
    left join revenue
        on revenue.month = months.month
    left join nps_all
        on nps_all.month = months.month
    left join stage_ups
        on stage_ups.month = months.month
    left join toss_ups
        on toss_ups.month = months.month
)

select * from final
