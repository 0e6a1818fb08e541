-- Invariants of the cohort marts:
--   mart_cohort_retention: at age 0 every account of the cohort is retained with
--   all its MRR (logo, net and gross retention 1); a cohort's size is the same at
--   every age; the tier segments of a cohort add up to segment 'all'.
--   mart_survival: S(0) = 1; S never rises with age (beyond float rounding, 1e-12);
--   the interval holds S
--   (ci_low <= S <= ci_high); at_risk(u + 1) = at_risk(u) - churned(u) - censored(u);
--   the last age's at_risk is its churned + censored; segment 'all' counts every
--   account of fct_mrr_monthly once.
-- Returns a description of each row that breaks one.
with

retention as (
    select * from {{ ref('mart_cohort_retention') }}
),

survival as (
    select * from {{ ref('mart_survival') }}
),

account_months as (
    select * from {{ ref('fct_mrr_monthly') }}
),

retention_of_everyone as (
    select * from retention
    where segment_type = 'all'
),

retention_breaks as (
    select
        'age 0 not fully retained' as problem,
        segment_type,
        segment,
        age_months
    from retention
    where age_months = 0
        and (
            retained_accounts <> cohort_accounts or logo_retention <> 1
            or revenue_retention <> 1 or gross_revenue_retention <> 1
        )
    union all
    select
        'cohort size changes with age' as problem,
        segment_type,
        segment,
        min(age_months) as age_months
    from retention
    group by segment_type, segment, cohort_month
    having min(cohort_accounts) <> max(cohort_accounts)
    union all
    select
        'tiers do not add up to all' as problem,
        'tier' as segment_type,
        'all' as segment,
        tiers.age_months
    from (
        select
            cohort_month,
            age_months,
            sum(cohort_accounts) as cohort_accounts,
            sum(retained_accounts) as retained_accounts,
            sum(mrr) as mrr
        from retention
        where segment_type = 'tier'
        group by cohort_month, age_months
    ) as tiers
    full outer join retention_of_everyone as everyone
        on everyone.cohort_month = tiers.cohort_month
        and everyone.age_months = tiers.age_months
    where tiers.cohort_accounts is distinct from everyone.cohort_accounts
        or tiers.retained_accounts is distinct from everyone.retained_accounts
        or tiers.mrr is distinct from everyone.mrr
),

survival_steps as (
    select
        *,
        lag(survival) over segment_timeline as previous_survival,
        lead(at_risk) over segment_timeline as next_at_risk
    from survival
    window segment_timeline as (partition by segment_type, segment order by age_months)
),

survival_breaks as (
    select
        'survival not 1 at age 0' as problem,
        segment_type,
        segment,
        age_months
    from survival_steps
    where age_months = 0 and survival <> 1
    union all
    select
        'survival rises' as problem,
        segment_type,
        segment,
        age_months
    from survival_steps
    where survival > previous_survival + 1e-12
    union all
    select
        'interval does not hold survival' as problem,
        segment_type,
        segment,
        age_months
    from survival_steps
    where not (survival_ci_low <= survival + 1e-12 and survival <= survival_ci_high + 1e-12)
    union all
    select
        'at risk does not step down' as problem,
        segment_type,
        segment,
        age_months
    from survival_steps
    where coalesce(next_at_risk, 0) <> at_risk - churned - censored
    union all
    select
        'segment all does not count every account' as problem,
        'all' as segment_type,
        'all' as segment,
        null as age_months
    from (
        select sum(churned + censored) as accounts from survival
        where segment_type = 'all'
    ) as counted
    where counted.accounts <> (select count(distinct account_months.account_id) from account_months)
)

select * from retention_breaks
union all
select * from survival_breaks
