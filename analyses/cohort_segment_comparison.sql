-- Cohort retention of two segments side by side, by age: the cohorts of each
-- segment pooled (accounts and MRR summed over the cohorts observed at that age,
-- then divided), so that two tiers can be compared at 3, 6, 12 months.
-- Vars: analysis_segment_type ('tier' by default; 'all' has one segment),
-- analysis_segment_a, analysis_segment_b (default tier2_mid_touch and
-- tier3_low_touch), analysis_cohort_from (first cohort month counted, default all).
with

cohort_retention as (
    select * from {{ ref('mart_cohort_retention') }}
),

segments_compared as (
    select *
    from cohort_retention
    where
        segment_type = '{{ var("analysis_segment_type", "tier") }}'
        {%- if var('analysis_cohort_from', none) %}
        and cohort_month >= cast('{{ var("analysis_cohort_from") }}' as date)
        {%- endif %}
        and segment in (
            '{{ var("analysis_segment_a", "tier2_mid_touch") }}',
            '{{ var("analysis_segment_b", "tier3_low_touch") }}'
        )
),

pooled as (
    select
        segment,
        age_months,
        count(*) as cohorts,
        sum(cohort_accounts) as cohort_accounts,
        sum(retained_accounts) as retained_accounts,
        sum(cohort_mrr) as cohort_mrr,
        sum(mrr) as mrr,
        sum(gross_revenue_retention * cohort_mrr) as capped_mrr
    from segments_compared
    group by segment, age_months
),

final as (
    select
        segment,
        age_months,
        cohorts,
        cohort_accounts,
        retained_accounts,
        cast(retained_accounts as double) / nullif(cohort_accounts, 0) as logo_retention,
        cast(mrr as double) / nullif(cohort_mrr, 0) as revenue_retention,
        cast(capped_mrr as double) / nullif(cohort_mrr, 0) as gross_revenue_retention
    from pooled
)

select * from final
order by age_months, segment
