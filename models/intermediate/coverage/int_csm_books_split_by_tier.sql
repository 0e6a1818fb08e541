-- One row per month, CSM and tier of the CSM's customers: the CSM's book in the
-- tier and the share of the CSM's fte allocated to it. A CSM's fte is split over
-- tiers in proportion to the required FTE of their customers in each tier
-- (metrics.md "Tiers and coverage"). A CSM whose customers need no CSM time (tech
-- touch only) allocates no fte to any tier.
with

customer_months as (
    select * from {{ ref('int_customer_months_joined_to_coverage') }}
),

csms as (
    select * from {{ ref('stg_raw__csms') }}
),

book_by_tier as (
    select
        month,
        csm_id,
        tier,
        accounts_per_csm,
        count(*) as customers,
        {{ cs_money('sum(arr)') }} as arr
    from customer_months
    where is_assigned
    group by month, csm_id, tier, accounts_per_csm
),

-- customers / accounts per CSM: one division per tier, so that a book exactly at
-- target sums to exactly 1.0
required_by_tier as (
    select
        month,
        csm_id,
        tier,
        customers,
        arr,
        coalesce(cast(customers as double) / accounts_per_csm, 0.0) as required_fte
    from book_by_tier
),

required_by_csm as (
    select
        month,
        csm_id,
        sum(required_fte) as csm_required_fte
    from required_by_tier
    group by month, csm_id
),

final as (
    select
        required_by_tier.month,
        required_by_tier.csm_id,
        required_by_tier.tier,
        required_by_tier.customers,
        required_by_tier.arr,
        required_by_tier.required_fte,
        csms.fte,
        required_by_csm.csm_required_fte,
        case
            when required_by_csm.csm_required_fte > 0
                then cast(csms.fte as double) * required_by_tier.required_fte / required_by_csm.csm_required_fte
            else 0.0
        end as allocated_fte
    from required_by_tier
    inner join required_by_csm
        on required_by_csm.month = required_by_tier.month
        and required_by_csm.csm_id = required_by_tier.csm_id
    left join csms
        on csms.csm_id = required_by_tier.csm_id
)

select * from final
