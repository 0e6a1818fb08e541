-- Invariant: every health component of a customer-month is a fraction in [0, 1]
-- (trend too), the health score lies in [0, 100], and the condition agrees with the
-- score and the vars. Returns the customer-months that break it.
select
    account_id,
    month,
    license_utilization,
    stickiness,
    breadth,
    trend,
    health_score,
    condition
from {{ ref('fct_account_monthly') }}
where license_utilization not between 0 and 1
    or stickiness not between 0 and 1
    or breadth not between 0 and 1
    or trend not between 0 and 1
    or health_score not between 0 and 100
    or (health_score >= {{ var('condition_good_min_health') }} and condition <> 'good')
    or (health_score < {{ var('condition_bad_below_health') }} and condition <> 'bad')
    or (health_score is null and condition is not null)
