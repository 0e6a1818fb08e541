-- One row per month and CSM of the csms file: the CSM's book of customers on the
-- month's snapshot day, against their fte (metrics.md "Tiers and coverage").
with

months as (
    select * from {{ ref('int_months') }}
),

csms as (
    select * from {{ ref('stg_raw__csms') }}
),

csm_tier_books as (
    select * from {{ ref('int_csm_books_split_by_tier') }}
),

-- csms has no start or end date: every CSM appears in every month
csm_months as (
    select
        months.month,
        csms.csm_id,
        csms.csm_name,
        csms.fte
    from months
    cross join csms
),

books as (
    select
        month,
        csm_id,
        sum(customers) as customers,
        sum(arr) as arr,
        sum(required_fte) as required_fte
    from csm_tier_books
    group by month, csm_id
),

joined as (
    select
        csm_months.month,
        csm_months.csm_id,
        csm_months.csm_name,
        csm_months.fte,
        coalesce(books.customers, 0) as customers,
        coalesce(books.arr, 0) as arr,
        coalesce(books.required_fte, 0.0) as required_fte
    from csm_months
    left join books
        on books.month = csm_months.month
        and books.csm_id = csm_months.csm_id
),

final as (
    select
        month,
        csm_id,
        csm_name,
        fte,
        cast(customers as bigint) as customers,
        {{ cs_money('arr') }} as arr,
        {{ cs_money(cs_ratio('arr', 'fte')) }} as arr_per_fte,
        cast(required_fte as double) as required_fte,
        {{ cs_ratio('required_fte', 'fte') }} as load,
        -- above 1.0; the tolerance absorbs floating-point rounding of the sum
        {{ cs_ratio('required_fte', 'fte') }} > 1.0 + 1e-9 as is_overloaded
    from joined
)

select * from final
