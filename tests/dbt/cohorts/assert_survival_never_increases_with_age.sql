-- Invariant (metrics.md "Cohorts and survival"): a Kaplan-Meier curve never rises
-- with age, in any segment. Returns the ages at which survival went up (beyond the
-- last digits of a double).
with

survival as (
    select * from {{ ref('mart_survival') }}
),

steps as (
    select
        segment_type,
        segment,
        age_months,
        survival,
        survival - lag(survival) over (
            partition by segment_type, segment order by age_months
        ) as increase
    from survival
)

select *
from steps
where increase > 1e-9
