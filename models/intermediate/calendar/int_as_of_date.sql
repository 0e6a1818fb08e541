-- The as-of date ends the reporting window: the var as_of_date where it is set, or else
-- the latest complete day of the accepted usage (macros/usage/
-- cs_latest_complete_usage_day.sql): the latest day that holds at least
-- `usage_complete_day_share` [0.1] of the average usage rows per day of the 28 days
-- before it. A few stray rows dated ahead of the rest of the export do not move it.
with

daily_rows as (
    select
        usage_date,
        sum(usage_rows) as rows
    from {{ ref('int_usage_aggregated_to_account_days') }}
    group by usage_date
),

final as (
    select
        coalesce(
            {%- if var('as_of_date', none) %}
            cast({{ cs_sql_string(var('as_of_date')) }} as date),
            {%- endif %}
            {{ cs_latest_complete_usage_day('select usage_date, rows from daily_rows') }}
        ) as as_of_date
)

select * from final
