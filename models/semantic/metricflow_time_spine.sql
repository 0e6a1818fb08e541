-- MetricFlow's time spine: one row per day of the reporting months (int_months),
-- and no more, because cumulative metrics run to the end of the spine.
with

months as (
    select * from {{ ref('int_months') }}
),

digits as (
    select 0 as digit
    union all
    select 1
    union all
    select 2
    union all
    select 3
    union all
    select 4
    union all
    select 5
    union all
    select 6
    union all
    select 7
    union all
    select 8
    union all
    select 9
),

day_offsets as (
    select tens.digit * 10 + units.digit as day_offset
    from digits as tens
    cross join digits as units
    where tens.digit * 10 + units.digit < 31
),

days as (
    select
        months.month,
        cast({{ dbt.dateadd('day', 'day_offsets.day_offset', 'months.month') }} as date) as date_day
    from months
    cross join day_offsets
),

final as (
    select date_day
    from days
    -- offsets past the month's last day fall into the next month
    where cast({{ dbt.date_trunc('month', 'date_day') }} as date) = month
)

select * from final
