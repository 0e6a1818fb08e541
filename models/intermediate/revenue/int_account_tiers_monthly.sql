-- One row per customer-month (MRR > 0): the account's tier (metrics.md "Tiers and
-- coverage"): the highest-ranked tier of seed tier_policy whose min_arr is at or
-- below the account's ARR in the month, unless accounts.tier_override names a tier.
with

account_months as (
    select * from {{ ref('int_account_mrr_spined_to_months') }}
),

accounts as (
    select * from {{ ref('stg_raw__accounts') }}
),

tier_policy as (
    select * from {{ ref('tier_policy') }}
),

customer_months as (
    select
        account_id,
        month,
        {{ cs_money('mrr * 12') }} as arr
    from account_months
    where mrr > 0
),

-- rank 1 is the highest tier
tier_by_arr as (
    select
        customer_months.account_id,
        customer_months.month,
        min(tier_policy.tier_rank) as tier_rank
    from customer_months
    inner join tier_policy
        on tier_policy.min_arr <= customer_months.arr
    group by customer_months.account_id, customer_months.month
),

final as (
    select
        customer_months.account_id,
        customer_months.month,
        customer_months.arr,
        coalesce(override_tiers.tier, arr_tiers.tier) as tier,
        cast(coalesce(override_tiers.tier_rank, arr_tiers.tier_rank) as integer) as tier_rank,
        override_tiers.tier is not null as is_tier_overridden
    from customer_months
    left join tier_by_arr
        on tier_by_arr.account_id = customer_months.account_id
        and tier_by_arr.month = customer_months.month
    left join tier_policy as arr_tiers
        on arr_tiers.tier_rank = tier_by_arr.tier_rank
    left join accounts
        on accounts.account_id = customer_months.account_id
    left join tier_policy as override_tiers
        on override_tiers.tier = accounts.tier_override
)

select * from final
