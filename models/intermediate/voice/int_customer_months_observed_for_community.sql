-- One observation per customer-month (a, M) whose 12-month horizon is complete
-- (M + 12 months <= the as-of month): whether the account had community activity
-- in the last community_lookback_days days, its MRR in M and in M + 12, and
-- whether it churned in M+1 .. M+12 (metrics.md "Community").
{%- set horizon_months = 12 %}
{%- set lookback_days = var('community_lookback_days') %}
with

account_months as (
    select * from {{ ref('int_account_months_classified_by_movement') }}
),

months as (
    select * from {{ ref('int_months') }}
),

latest_activity as (
    select * from {{ ref('int_customer_months_joined_to_latest_activity') }}
),

as_of_month as (
    select max(month) as month from months
),

observations as (
    select
        latest_activity.account_id,
        latest_activity.month,
        cast({{ dbt.dateadd('month', horizon_months, 'latest_activity.month') }} as date) as horizon_month,
        -- the last N days are the N days that end on the snapshot day
        coalesce(
            {{ dbt.datediff('latest_activity.last_community_activity_date', 'latest_activity.snapshot_date', 'day') }}
            < {{ lookback_days }},
            false
        ) as has_community_activity
    from latest_activity
    cross join as_of_month
    where cast({{ dbt.dateadd('month', horizon_months, 'latest_activity.month') }} as date) <= as_of_month.month
),

churn_months as (
    select
        account_id,
        month
    from account_months
    where movement = 'churn'
),

churned_within_horizon as (
    select distinct
        observations.account_id,
        observations.month
    from observations
    inner join churn_months
        on churn_months.account_id = observations.account_id
        and churn_months.month > observations.month
        and churn_months.month <= observations.horizon_month
),

final as (
    select
        observations.account_id,
        observations.month,
        observations.has_community_activity,
        start_months.mrr,
        coalesce(horizon_months.mrr, 0) as mrr_12m_later,
        churned_within_horizon.account_id is not null as is_churned_within_12m
    from observations
    inner join account_months as start_months
        on start_months.account_id = observations.account_id
        and start_months.month = observations.month
    left join account_months as horizon_months
        on horizon_months.account_id = observations.account_id
        and horizon_months.month = observations.horizon_month
    left join churned_within_horizon
        on churned_within_horizon.account_id = observations.account_id
        and churned_within_horizon.month = observations.month
)

select * from final
