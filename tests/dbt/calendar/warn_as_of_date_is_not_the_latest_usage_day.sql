{{ config(severity='warn') }}
-- Warns when the as-of date is not the latest usage day in the export: either the var
-- as_of_date is set, or the latest days hold only a few stray rows (fewer than
-- `usage_complete_day_share` of an average day) and the as-of date stops before them.
-- Their usage is accepted but is after the reporting window.
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

later_days as (
    select
        usage_date,
        sum(usage_rows) as usage_rows
    from {{ ref('int_usage_aggregated_to_account_days') }}
    where usage_date > (select as_of_date from as_of)
    group by usage_date
)

select
    (select as_of_date from as_of) as as_of_date,
    usage_date as later_usage_date,
    usage_rows
from later_days
