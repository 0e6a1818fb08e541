-- One row per reporting month, from the month of the earliest contract start to
-- the month of the as-of date. A month's snapshot day is its last day, or the
-- as-of date for the month that contains it (metrics.md, "Calendar and snapshots").
with

contract_lines as (
    select start_date from {{ ref('stg_raw__contracts') }}
),

as_of as (
    select
        as_of_date,
        as_of_month
    from {{ ref('int_as_of_date') }}
),

bounds as (
    select
        cast({{ dbt.date_trunc('month', 'min(contract_lines.start_date)') }} as date) as first_month,
        min(as_of.as_of_month) as last_month,
        min(as_of.as_of_date) as as_of_date
    from contract_lines
    cross join as_of
    where contract_lines.start_date <= as_of.as_of_date
),

month_series as (
    select
        {{ cs_month_series('bounds.first_month', 'bounds.last_month') }} as month
    from bounds
),

month_starts as (
    select cast(month as date) as month
    from month_series
),

final as (
    select
        month_starts.month,
        cast({{ dbt.last_day('month_starts.month', 'month') }} as date) as month_end_date,
        least(cast({{ dbt.last_day('month_starts.month', 'month') }} as date), bounds.as_of_date) as snapshot_date,
        cast({{ dbt.last_day('month_starts.month', 'month') }} as date) > bounds.as_of_date as is_partial_month,
        cast({{ dbt.datediff('bounds.first_month', 'month_starts.month', 'month') }} as integer) as month_index,
        bounds.as_of_date
    from month_starts
    cross join bounds
)

select * from final
