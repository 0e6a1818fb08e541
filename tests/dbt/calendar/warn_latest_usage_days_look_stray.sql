{{ config(severity='warn') }}
-- Warns when the latest usage days look like stray rows: days after the latest complete
-- usage day (macros/usage/cs_latest_complete_usage_day.sql), each holding fewer than
-- `usage_complete_day_share` of an average day's rows. The as-of date defaults to the
-- latest usage day (metrics.md), so such rows move the reporting window: set the var
-- as_of_date to the day the export really ends (`make validate` names it).
with

rows_per_day as (
    select
        usage_date,
        sum(usage_rows) as rows
    from {{ ref('int_usage_aggregated_to_account_days') }}
    group by usage_date
)

select
    usage_days.usage_date,
    usage_days.rows,
    {{ cs_latest_complete_usage_day('select usage_date, rows from rows_per_day') }} as latest_complete_usage_day
from rows_per_day as usage_days
where usage_days.usage_date > {{ cs_latest_complete_usage_day('select usage_date, rows from rows_per_day') }}
