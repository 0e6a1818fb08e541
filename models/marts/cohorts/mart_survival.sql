-- One row per segment and age: the Kaplan-Meier survival of accounts to their
-- first churn (metrics.md "Cohorts and survival"). Time is months since the cohort
-- month. An account's event is its first churn, at its age in the churn month (an
-- account that churned at age t was a customer at ages 0 .. t-1). An account that
-- has not churned is censored at its age in the as-of month: it was a customer on
-- the as-of date, so it is counted at risk at that age, and not as a churn.
--   at_risk   n_u: accounts whose event or censoring age is >= u
--   churned   d_u: accounts whose first churn is at age u
--   censored  accounts censored at age u
--   survival  S(u) = product over ages v <= u of (1 - d_v / n_v)
-- The 95% interval is Greenwood's variance on the log(-log S) scale:
--   V(u) = sum over v <= u of d_v / (n_v (n_v - d_v)) (0 where d_v = n_v)
--   bounds = exp(-exp(log(-log S) -/+ z sqrt(V) / log S)), z = 1.959963984540054
-- It is [1, 1] where S = 1 and [0, 0] where S = 0 (as lifelines reports them).
-- Ages run from 0 to the largest event or censoring age of the segment.
-- Segments: all, tier (in the cohort month), industry, plan (see
-- int_accounts_segmented_at_cohort).
with

months as (
    select * from {{ ref('int_months') }}
),

account_months as (
    select * from {{ ref('int_account_months_classified_by_movement') }}
),

account_segments as (
    select * from {{ ref('int_accounts_segmented_at_cohort') }}
),

account_durations as (
    select
        account_id,
        min(case when movement = 'churn' then age_months end) as first_churn_age,
        max(age_months) as as_of_age
    from account_months
    group by account_id
),

observations as (
    select
        account_id,
        coalesce(first_churn_age, as_of_age) as duration_months,
        first_churn_age is not null as is_churned
    from account_durations
),

segment_members as (
    select
        account_id,
        'all' as segment_type,
        'all' as segment
    from account_segments
    union all
    select
        account_id,
        'tier' as segment_type,
        coalesce(tier, 'none') as segment
    from account_segments
    union all
    select
        account_id,
        'industry' as segment_type,
        industry as segment
    from account_segments
    union all
    select
        account_id,
        'plan' as segment_type,
        coalesce(plan, 'none') as segment
    from account_segments
),

member_observations as (
    select
        segment_members.segment_type,
        segment_members.segment,
        observations.duration_months,
        observations.is_churned
    from segment_members
    inner join observations
        on observations.account_id = segment_members.account_id
),

segment_horizons as (
    select
        segment_type,
        segment,
        max(duration_months) as max_duration_months
    from member_observations
    group by segment_type, segment
),

segment_ages as (
    select
        segment_horizons.segment_type,
        segment_horizons.segment,
        months.month_index as age_months
    from segment_horizons
    inner join months
        on months.month_index <= segment_horizons.max_duration_months
),

duration_counts as (
    select
        segment_type,
        segment,
        duration_months,
        count(case when is_churned then 1 end) as churned,
        count(case when not is_churned then 1 end) as censored
    from member_observations
    group by segment_type, segment, duration_months
),

-- at risk at age u: every account whose event or censoring age is u or later
age_counts as (
    select
        segment_ages.segment_type,
        segment_ages.segment,
        segment_ages.age_months,
        cast(sum(coalesce(duration_counts.churned + duration_counts.censored, 0)) over (
            partition by segment_ages.segment_type, segment_ages.segment
            order by segment_ages.age_months desc
            rows between unbounded preceding and current row
        ) as bigint) as at_risk,
        coalesce(duration_counts.churned, 0) as churned,
        coalesce(duration_counts.censored, 0) as censored
    from segment_ages
    left join duration_counts
        on duration_counts.segment_type = segment_ages.segment_type
        and duration_counts.segment = segment_ages.segment
        and duration_counts.duration_months = segment_ages.age_months
),

estimates as (
    select
        *,
        {{ cs_product('1 - cast(churned as double) / at_risk', 'segment_timeline') }} as survival,
        sum(case
            when churned < at_risk then cast(churned as double) / (cast(at_risk as double) * (at_risk - churned))
            else 0
        end) over segment_timeline as greenwood_variance
    from age_counts
    window segment_timeline as (
        partition by segment_type, segment
        order by age_months
        rows between unbounded preceding and current row
    )
),

final as (
    select
        segment_type,
        segment,
        age_months,
        at_risk,
        churned,
        censored,
        survival,
        case
            when survival >= 1 then 1.0
            when survival <= 0 then 0.0
            else exp(-exp(ln(-ln(survival)) - 1.959963984540054 * sqrt(greenwood_variance) / ln(survival)))
        end as survival_ci_low,
        case
            when survival >= 1 then 1.0
            when survival <= 0 then 0.0
            else exp(-exp(ln(-ln(survival)) + 1.959963984540054 * sqrt(greenwood_variance) / ln(survival)))
        end as survival_ci_high
    from estimates
)

select * from final
