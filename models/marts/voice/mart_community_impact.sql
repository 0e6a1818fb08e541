-- One row per group, with and without community activity in the last
-- community_lookback_days days: the customer-months observed, their 12-month net
-- revenue retention and churn rate (metrics.md "Community"). Both groups always
-- have a row; rates are null where a group has no observations.
with

observations as (
    select * from {{ ref('int_customer_months_observed_for_community') }}
),

community_groups as (
    select true as has_community_activity
    union all
    select false as has_community_activity
),

aggregated as (
    select
        has_community_activity,
        count(*) as observations,
        sum(case when is_churned_within_12m then 1 else 0 end) as churned,
        sum(mrr) as mrr,
        sum(mrr_12m_later) as mrr_12m_later
    from observations
    group by has_community_activity
),

final as (
    select
        community_groups.has_community_activity,
        cast(coalesce(aggregated.observations, 0) as bigint) as observations,
        {{ cs_ratio('aggregated.mrr_12m_later', 'aggregated.mrr') }} as net_revenue_retention_12m,
        {{ cs_ratio('aggregated.churned', 'aggregated.observations') }} as churn_rate_12m,
        cast(coalesce(aggregated.churned, 0) as bigint) as churned,
        {{ cs_money('coalesce(aggregated.mrr, 0)') }} as mrr,
        {{ cs_money('coalesce(aggregated.mrr_12m_later, 0)') }} as mrr_12m_later,
        cast({{ cs_wilson_low('aggregated.churned', 'aggregated.observations') }} as double) as churn_rate_12m_ci_low,
        cast({{ cs_wilson_high('aggregated.churned', 'aggregated.observations') }} as double) as churn_rate_12m_ci_high,
        {{ cs_is_below_min_n('aggregated.observations') }} as is_below_min_n
    from community_groups
    left join aggregated
        on aggregated.has_community_activity = community_groups.has_community_activity
)

select * from final
