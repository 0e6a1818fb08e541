-- One row per segment, cohort month and age (metrics.md "Cohorts and survival"):
-- of the accounts of cohort c, how many are customers at c + k and what share of
-- the cohort's starting MRR they bring, net and gross (each account capped at its
-- MRR in the cohort month). Only ages with c + k <= the as-of month. Segments:
-- `all` (segment 'all') and `tier` (the account's tier in its cohort month).
-- A reactivated account stays in its first cohort.
with

account_months as (
    select * from {{ ref('int_account_months_classified_by_movement') }}
),

account_segments as (
    select * from {{ ref('int_accounts_segmented_at_cohort') }}
),

cohort_mrr as (
    select
        account_id,
        mrr as cohort_mrr
    from account_months
    where age_months = 0
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
),

-- fct_mrr_monthly has a row for every account in every month from its cohort
-- month through the as-of month, so each age sees the whole cohort
member_months as (
    select
        segment_members.segment_type,
        segment_members.segment,
        account_months.cohort_month,
        account_months.age_months,
        account_months.mrr,
        cohort_mrr.cohort_mrr
    from segment_members
    inner join account_months
        on account_months.account_id = segment_members.account_id
    inner join cohort_mrr
        on cohort_mrr.account_id = segment_members.account_id
),

aggregated as (
    select
        segment_type,
        segment,
        cohort_month,
        age_months,
        count(*) as cohort_accounts,
        count(case when mrr > 0 then 1 end) as retained_accounts,
        sum(cohort_mrr) as cohort_mrr,
        sum(mrr) as mrr,
        sum(least(mrr, cohort_mrr)) as capped_mrr
    from member_months
    group by segment_type, segment, cohort_month, age_months
),

final as (
    select
        segment_type,
        segment,
        cohort_month,
        age_months,
        cohort_accounts,
        retained_accounts,
        {{ cs_ratio('retained_accounts', 'cohort_accounts') }} as logo_retention,
        {{ cs_money('cohort_mrr') }} as cohort_mrr,
        {{ cs_money('mrr') }} as mrr,
        {{ cs_ratio('mrr', 'cohort_mrr') }} as revenue_retention,
        {{ cs_ratio('capped_mrr', 'cohort_mrr') }} as gross_revenue_retention,
        cast({{ cs_wilson_low('retained_accounts', 'cohort_accounts') }} as double) as logo_retention_ci_low,
        cast({{ cs_wilson_high('retained_accounts', 'cohort_accounts') }} as double) as logo_retention_ci_high,
        {{ cs_is_below_min_n('cohort_accounts') }} as is_below_min_n
    from aggregated
)

select * from final
