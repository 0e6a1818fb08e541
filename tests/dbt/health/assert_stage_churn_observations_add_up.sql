-- Invariant: the stage-churn marts agree with their observations and with the
-- revenue models: on the renewal basis there is one observation per renewal due
-- (int_renewals_due), with the same churned count; on the horizon basis one per
-- customer-month whose horizon has ended; the summary's observations are the sum
-- over stages; churned <= observations. Returns the bases where a count disagrees.
with

stage_churn as (
    select
        basis,
        sum(observations) as observations,
        sum(churned) as churned,
        max(case when churned > observations then 1 else 0 end) as has_impossible_stage
    from {{ ref('mart_stage_churn') }}
    group by basis
),

summary as (
    select * from {{ ref('mart_stage_churn_summary') }}
),

renewals as (
    select
        'renewal' as basis,
        count(*) as observations,
        sum(case when is_churned_at_renewal then 1 else 0 end) as churned
    from {{ ref('int_renewals_due') }}
),

horizons as (
    select
        'horizon' as basis,
        count(*) as observations,
        sum(case when is_churned_within_stage_horizon then 1 else 0 end) as churned
    from {{ ref('int_account_outcomes_monthly') }}
    where is_stage_horizon_complete
),

expected as (
    select * from renewals
    union all
    select * from horizons
)

select
    stage_churn.basis,
    stage_churn.observations,
    summary.observations as summary_observations,
    expected.observations as expected_observations,
    stage_churn.churned,
    expected.churned as expected_churned
from stage_churn
inner join summary
    on summary.basis = stage_churn.basis
inner join expected
    on expected.basis = stage_churn.basis
where stage_churn.observations <> summary.observations
    or stage_churn.observations <> expected.observations
    or stage_churn.churned <> coalesce(expected.churned, 0)
    or stage_churn.has_impossible_stage = 1
