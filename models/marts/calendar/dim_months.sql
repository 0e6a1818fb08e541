-- The reporting calendar, published: one row per reporting month with its snapshot
-- day, so that reports and BI tools place the partial as-of month without reading
-- the internal int_months.
with

months as (
    select * from {{ ref('int_months') }}
),

final as (
    select
        month,
        month_end_date,
        snapshot_date,
        is_partial_month,
        month_index,
        as_of_date
    from months
)

select * from final
