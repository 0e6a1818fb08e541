-- Invariant (metrics.md "Movements"): for every month,
--   ending MRR = starting MRR + new + reactivation + expansion - contraction - churn,
-- and a month's starting MRR is the previous month's ending MRR (0 in the first
-- month). Money is decimal, so both hold exactly. Returns the months that break them.
with

revenue as (
    select * from {{ ref('mart_revenue_monthly') }}
),

checked as (
    select
        month,
        mrr_start,
        mrr_end,
        mrr_start + new_mrr + reactivation_mrr + expansion_mrr - contraction_mrr - churned_mrr as bridged_mrr_end,
        lag(mrr_end) over (order by month) as previous_mrr_end,
        row_number() over (order by month) as month_number
    from revenue
)

select *
from checked
where mrr_end <> bridged_mrr_end
    or (month_number = 1 and mrr_start <> 0)
    or (month_number > 1 and mrr_start <> previous_mrr_end)
