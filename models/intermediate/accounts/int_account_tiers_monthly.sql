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

-- The seed's min_arr values cut ARR into bands; in each band the tier is the
-- highest-ranked (lowest tier_rank) of the tiers whose min_arr is at or below the
-- band's lower end. Joining each customer-month to its one band is a range join
-- on a handful of rows, not a comparison with every tier. ARR below every min_arr
-- has no band (tier null).
thresholds as (
    select distinct min_arr as lower_arr
    from tier_policy
),

band_ranks as (
    select
        thresholds.lower_arr,
        min(tier_policy.tier_rank) as tier_rank
    from thresholds
    inner join tier_policy
        on tier_policy.min_arr <= thresholds.lower_arr
    group by thresholds.lower_arr
),

tier_bands as (
    select
        cast(lower_arr as decimal(38, 10)) as lower_arr,
        cast(coalesce(lead(lower_arr) over (order by lower_arr), 1e27) as decimal(38, 10)) as upper_arr,
        tier_rank
    from band_ranks
),

tier_by_arr as (
    select
        customer_months.account_id,
        customer_months.month,
        tier_bands.tier_rank
    from customer_months
    inner join tier_bands
        on customer_months.arr >= tier_bands.lower_arr
        and customer_months.arr < tier_bands.upper_arr
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
