-- Invariant: the CSM book and tier coverage describe the same assignments. Per
-- month, the CSMs' customers add up to the tiers' assigned customers, and the fte
-- allocated to tiers adds up to the fte of the CSMs whose book needs CSM time
-- (allocation only splits fte, it never creates or loses any). Returns the months
-- that break it.
with

csm_book as (
    select * from {{ ref('mart_csm_book') }}
),

tier_coverage as (
    select * from {{ ref('mart_tier_coverage') }}
),

books_by_month as (
    select
        month,
        sum(customers) as customers,
        sum(case when required_fte > 0 then cast(fte as double) else 0 end) as fte_with_required_time
    from csm_book
    group by month
),

tiers_by_month as (
    select
        month,
        sum(assigned_customers) as assigned_customers,
        sum(allocated_fte) as allocated_fte
    from tier_coverage
    group by month
),

final as (
    select
        tiers_by_month.month,
        tiers_by_month.assigned_customers,
        books_by_month.customers as csm_book_customers,
        tiers_by_month.allocated_fte,
        books_by_month.fte_with_required_time
    from tiers_by_month
    left join books_by_month
        on books_by_month.month = tiers_by_month.month
    where tiers_by_month.assigned_customers <> coalesce(books_by_month.customers, 0)
        or abs(tiers_by_month.allocated_fte - coalesce(books_by_month.fte_with_required_time, 0)) > 1e-9
)

select * from final
