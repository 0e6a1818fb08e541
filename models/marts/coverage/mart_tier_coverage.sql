-- One row per month and tier of seed tier_policy: how well each tier is covered
-- by CSMs and touched on cadence (metrics.md "Tiers and coverage").
with

months as (
    select * from {{ ref('int_months') }}
),

tier_policy as (
    select * from {{ ref('tier_policy') }}
),

customer_months as (
    select * from {{ ref('int_customer_months_joined_to_coverage') }}
),

csm_tier_books as (
    select * from {{ ref('int_csm_books_split_by_tier') }}
),

-- every tier in every month, so that an empty tier shows as 0 customers
tier_months as (
    select
        months.month,
        tier_policy.tier,
        tier_policy.tier_rank,
        tier_policy.accounts_per_csm,
        tier_policy.cadence_days
    from months
    cross join tier_policy
),

customers_by_tier as (
    select
        month,
        tier,
        count(*) as customers,
        sum(arr) as arr,
        sum(case when is_assigned then 1 else 0 end) as assigned_customers,
        sum(case when is_unassigned then 1 else 0 end) as unassigned_customers,
        sum(case when is_touch_compliant then 1 else 0 end) as touch_compliant_customers,
        sum(case when has_automated_touch_in_month then 1 else 0 end) as automated_touch_customers
    from customer_months
    group by month, tier
),

fte_by_tier as (
    select
        month,
        tier,
        sum(allocated_fte) as allocated_fte
    from csm_tier_books
    group by month, tier
),

joined as (
    select
        tier_months.month,
        tier_months.tier,
        tier_months.tier_rank,
        tier_months.accounts_per_csm,
        tier_months.cadence_days,
        coalesce(customers_by_tier.customers, 0) as customers,
        coalesce(customers_by_tier.arr, 0) as arr,
        coalesce(customers_by_tier.assigned_customers, 0) as assigned_customers,
        coalesce(customers_by_tier.unassigned_customers, 0) as unassigned_customers,
        coalesce(customers_by_tier.touch_compliant_customers, 0) as touch_compliant_customers,
        coalesce(customers_by_tier.automated_touch_customers, 0) as automated_touch_customers,
        coalesce(fte_by_tier.allocated_fte, 0.0) as allocated_fte
    from tier_months
    left join customers_by_tier
        on customers_by_tier.month = tier_months.month
        and customers_by_tier.tier = tier_months.tier
    left join fte_by_tier
        on fte_by_tier.month = tier_months.month
        and fte_by_tier.tier = tier_months.tier
),

final as (
    select
        month,
        tier,
        cast(tier_rank as integer) as tier_rank,
        cast(customers as bigint) as customers,
        {{ cs_money('arr') }} as arr,
        cast(assigned_customers as bigint) as assigned_customers,
        cast(unassigned_customers as bigint) as unassigned_customers,
        cast(accounts_per_csm as integer) as target_accounts_per_csm,
        cast(allocated_fte as double) as allocated_fte,
        {{ cs_ratio('assigned_customers', 'allocated_fte') }} as actual_accounts_per_fte,
        {{ cs_ratio('accounts_per_csm', cs_ratio('assigned_customers', 'allocated_fte')) }} as coverage_ratio,
        case
            when cadence_days is not null then {{ cs_ratio('touch_compliant_customers', 'customers') }}
        end as touch_compliance_rate,
        case
            when cadence_days is null then {{ cs_ratio('automated_touch_customers', 'customers') }}
        end as automated_touch_share,
        -- the n and 95% Wilson interval of the touch compliance rate (docs/metrics.md "Small numbers")
        case
            when cadence_days is not null then cast(touch_compliant_customers as bigint)
        end as touch_compliant_customers,
        case
            when cadence_days is not null
                then cast({{ cs_wilson_low('touch_compliant_customers', 'customers') }} as double)
        end as touch_compliance_rate_ci_low,
        case
            when cadence_days is not null
                then cast({{ cs_wilson_high('touch_compliant_customers', 'customers') }} as double)
        end as touch_compliance_rate_ci_high,
        {{ cs_is_below_min_n('customers') }} as is_below_min_n
    from joined
)

select * from final
