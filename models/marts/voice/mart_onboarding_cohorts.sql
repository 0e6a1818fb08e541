-- One row per cohort month (the month of the accounts' `new` movement): time to
-- value, completion within onboarding_target_days, post-onboarding upsell and
-- mean CES (metrics.md "Onboarding, voice of the customer, community").
with

onboarding as (
    select * from {{ ref('int_accounts_onboarding_timed') }}
),

aggregated as (
    select
        cohort_month,
        count(*) as accounts,
        sum(case when is_completed_within_target then 1 else 0 end) as completed_within_target,
        sum(case when value_date is not null then 1 else 0 end) as reached_value_accounts,
        percentile_cont(0.5) within group (order by days_to_value) as median_days_to_value,
        avg(days_to_value) as mean_days_to_value,
        sum(case when has_post_onboarding_upsell then 1 else 0 end) as post_onboarding_upsold_accounts,
        sum(ces_responses) as ces_responses,
        sum(ces_score_sum) as ces_score_sum
    from onboarding
    group by cohort_month
),

final as (
    select
        cohort_month,
        cast(accounts as bigint) as accounts,
        cast(completed_within_target as bigint) as completed_within_target,
        {{ cs_ratio('completed_within_target', 'accounts') }} as completion_rate,
        cast(median_days_to_value as double) as median_days_to_value,
        cast(mean_days_to_value as double) as mean_days_to_value,
        {{ cs_ratio('post_onboarding_upsold_accounts', 'reached_value_accounts') }} as post_onboarding_upsell_rate,
        {{ cs_ratio('ces_score_sum', 'ces_responses') }} as mean_ces,
        cast(reached_value_accounts as bigint) as reached_value_accounts,
        cast(post_onboarding_upsold_accounts as bigint) as post_onboarding_upsold_accounts,
        cast(ces_responses as bigint) as ces_responses
    from aggregated
)

select * from final
