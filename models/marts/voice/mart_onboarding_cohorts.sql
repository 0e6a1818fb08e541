-- One row per cohort month (the month of the accounts' `new` movement): time to
-- value, completion within onboarding_target_days, post-onboarding upsell and
-- mean CES (metrics.md "Onboarding, voice of the customer, community").
with

onboarding as (
    select * from {{ ref('int_accounts_onboarding_timed') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
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
        sum(ces_score_sum) as ces_score_sum,
        max(first_start_date) as last_first_start_date
    from onboarding
    group by cohort_month
),

final as (
    select
        aggregated.cohort_month,
        cast(aggregated.accounts as bigint) as accounts,
        cast(aggregated.completed_within_target as bigint) as completed_within_target,
        {{ cs_ratio('aggregated.completed_within_target', 'aggregated.accounts') }} as completion_rate,
        cast(aggregated.median_days_to_value as double) as median_days_to_value,
        cast(aggregated.mean_days_to_value as double) as mean_days_to_value,
        {{ cs_ratio('aggregated.post_onboarding_upsold_accounts', 'aggregated.reached_value_accounts') }}
            as post_onboarding_upsell_rate,
        {{ cs_ratio('aggregated.ces_score_sum', 'aggregated.ces_responses') }} as mean_ces,
        cast(aggregated.reached_value_accounts as bigint) as reached_value_accounts,
        cast(aggregated.post_onboarding_upsold_accounts as bigint) as post_onboarding_upsold_accounts,
        cast(aggregated.ces_responses as bigint) as ces_responses,
        cast({{ cs_wilson_low('aggregated.completed_within_target', 'aggregated.accounts') }} as double)
            as completion_rate_ci_low,
        cast({{ cs_wilson_high('aggregated.completed_within_target', 'aggregated.accounts') }} as double)
            as completion_rate_ci_high,
        {{ cs_is_below_min_n('aggregated.accounts') }} as is_below_min_n,
        -- every account of the cohort has had the whole target to complete: a cohort
        -- still inside its window shows a completion rate that can only rise
        coalesce(
            {{ dbt.dateadd('day', var('onboarding_target_days'), 'aggregated.last_first_start_date') }} <= as_of.as_of_date,
            false
        ) as is_target_window_complete
    from aggregated
    cross join as_of
)

select * from final
