-- One row per reporting month: the MRR bridge, customer counts, monthly and
-- trailing-12-month retention, renewal churn, annualised logo churn, the 10% rule
-- and the maturity level (metrics.md "Revenue"). Rates are fractions, null where
-- their denominator is 0; trailing-12-month figures are null until 12 months of
-- history exist.
with

months as (
    select * from {{ ref('int_months') }}
),

account_months as (
    select * from {{ ref('int_account_months_classified_by_movement') }}
),

renewals as (
    select * from {{ ref('int_renewals_due') }}
),

maturity_levels as (
    select * from {{ ref('maturity_levels') }}
),

bridge as (
    select
        month,
        count(case when previous_mrr > 0 then 1 end) as customers_start,
        count(case when mrr > 0 then 1 end) as customers_end,
        count(case when movement = 'new' then 1 end) as new_customers,
        count(case when movement = 'reactivation' then 1 end) as reactivated_customers,
        count(case when movement = 'churn' then 1 end) as churned_customers,
        sum(previous_mrr) as mrr_start,
        sum(case when movement = 'new' then mrr else 0 end) as new_mrr,
        sum(case when movement = 'reactivation' then mrr else 0 end) as reactivation_mrr,
        sum(case when movement = 'expansion' then mrr - previous_mrr else 0 end) as expansion_mrr,
        sum(case when movement = 'contraction' then previous_mrr - mrr else 0 end) as contraction_mrr,
        sum(case when movement = 'churn' then previous_mrr else 0 end) as churned_mrr,
        sum(mrr) as mrr_end,
        count(case when movement = 'expansion' then 1 end) as upsell_count,
        count(case when movement = 'contraction' then 1 end) as downsell_count
    from account_months
    group by month
),

renewals_by_month as (
    select
        month,
        count(*) as renewals_due,
        count(case when is_churned_at_renewal then 1 end) as renewals_churned,
        sum(renewal_mrr_due) as renewal_mrr_due,
        sum(renewal_mrr_kept) as renewal_mrr_kept
    from renewals
    group by month
),

-- MRR(a, M) against MRR(a, M-12) over the accounts that were customers in M-12
-- (every account has a row in every month from its cohort month on)
trailing_12m as (
    select
        current_months.month,
        sum(current_months.mrr) as mrr_now,
        sum(least(current_months.mrr, base_months.mrr)) as mrr_now_capped,
        sum(base_months.mrr) as mrr_base
    from account_months as base_months
    inner join account_months as current_months
        on current_months.account_id = base_months.account_id
        and current_months.month = cast({{ dbt.dateadd('month', 12, 'base_months.month') }} as date)
    where base_months.mrr > 0
    group by current_months.month
),

monthly as (
    select
        months.month,
        months.month_index,
        coalesce(bridge.customers_start, 0) as customers_start,
        coalesce(bridge.customers_end, 0) as customers_end,
        coalesce(bridge.new_customers, 0) as new_customers,
        coalesce(bridge.reactivated_customers, 0) as reactivated_customers,
        coalesce(bridge.churned_customers, 0) as churned_customers,
        {{ cs_money('coalesce(bridge.mrr_start, 0)') }} as mrr_start,
        {{ cs_money('coalesce(bridge.new_mrr, 0)') }} as new_mrr,
        {{ cs_money('coalesce(bridge.reactivation_mrr, 0)') }} as reactivation_mrr,
        {{ cs_money('coalesce(bridge.expansion_mrr, 0)') }} as expansion_mrr,
        {{ cs_money('coalesce(bridge.contraction_mrr, 0)') }} as contraction_mrr,
        {{ cs_money('coalesce(bridge.churned_mrr, 0)') }} as churned_mrr,
        {{ cs_money('coalesce(bridge.mrr_end, 0)') }} as mrr_end,
        coalesce(renewals_by_month.renewals_due, 0) as renewals_due,
        coalesce(renewals_by_month.renewals_churned, 0) as renewals_churned,
        {{ cs_money('coalesce(renewals_by_month.renewal_mrr_due, 0)') }} as renewal_mrr_due,
        {{ cs_money('coalesce(renewals_by_month.renewal_mrr_kept, 0)') }} as renewal_mrr_kept,
        coalesce(bridge.upsell_count, 0) as upsell_count,
        coalesce(bridge.downsell_count, 0) as downsell_count,
        trailing_12m.mrr_now,
        trailing_12m.mrr_now_capped,
        trailing_12m.mrr_base
    from months
    left join bridge
        on bridge.month = months.month
    left join renewals_by_month
        on renewals_by_month.month = months.month
    left join trailing_12m
        on trailing_12m.month = months.month
),

rates as (
    select
        *,
        {{ cs_ratio('mrr_start - contraction_mrr - churned_mrr', 'mrr_start') }} as grr,
        {{ cs_ratio('mrr_start + expansion_mrr - contraction_mrr - churned_mrr', 'mrr_start') }} as nrr,
        {{ cs_ratio('churned_customers', 'customers_start') }} as logo_churn_rate,
        {{ cs_ratio('churned_customers', 'customers_start + new_customers + reactivated_customers') }}
            as logo_churn_rate_incl_new,
        {{ cs_ratio('renewals_churned', 'renewals_due') }} as renewal_churn_rate,
        case when month_index >= 12 then {{ cs_ratio('mrr_now', 'mrr_base') }} end as nrr_12m,
        case when month_index >= 12 then {{ cs_ratio('mrr_now_capped', 'mrr_base') }} end as grr_12m
    from monthly
),

-- the last 12 monthly logo churn rates (M-11 .. M); a window with a month whose
-- rate is unknown (no customers at its start) gives no annual figure
trailing_churn as (
    select
        *,
        count(logo_churn_rate) over trailing_year as churn_months_known,
        {{ cs_product('1 - logo_churn_rate', 'trailing_year') }} as churn_survival_12m,
        avg(logo_churn_rate) over trailing_year as trailing_mean_logo_churn_rate
    from rates
    window trailing_year as (order by month rows between 11 preceding and current row)
),

annualised as (
    select
        *,
        case when churn_months_known = 12 then 1 - churn_survival_12m end as annualized_logo_churn,
        case when churn_months_known = 12 then trailing_mean_logo_churn_rate end as mean_logo_churn_rate_12m
    from trailing_churn
),

-- the highest level (by level_rank) whose conditions hold; a null seed bound
-- is no condition; no level before the trailing-12-month NRR exists
maturity as (
    select
        annualised.month,
        maturity_levels.maturity_level,
        row_number() over (
            partition by annualised.month
            order by maturity_levels.level_rank desc
        ) as level_order
    from annualised
    inner join maturity_levels
        on (
            maturity_levels.min_nrr_12m is null
            or annualised.nrr_12m >= maturity_levels.min_nrr_12m
        )
        and (
            maturity_levels.max_mean_logo_churn_12m is null
            or annualised.mean_logo_churn_rate_12m <= maturity_levels.max_mean_logo_churn_12m
        )
    where annualised.nrr_12m is not null
),

final as (
    select
        annualised.month,
        annualised.customers_start,
        annualised.customers_end,
        annualised.new_customers,
        annualised.reactivated_customers,
        annualised.churned_customers,
        annualised.mrr_start,
        annualised.new_mrr,
        annualised.reactivation_mrr,
        annualised.expansion_mrr,
        annualised.contraction_mrr,
        annualised.churned_mrr,
        annualised.mrr_end,
        annualised.grr,
        annualised.nrr,
        annualised.logo_churn_rate,
        annualised.logo_churn_rate_incl_new,
        annualised.renewals_due,
        annualised.renewals_churned,
        annualised.renewal_churn_rate,
        annualised.renewal_mrr_due,
        annualised.renewal_mrr_kept,
        annualised.nrr_12m,
        annualised.grr_12m,
        annualised.annualized_logo_churn,
        annualised.annualized_logo_churn <= 0.10 as meets_10pct_rule,
        maturity.maturity_level,
        annualised.upsell_count,
        annualised.downsell_count,
        annualised.mean_logo_churn_rate_12m,
        cast({{ cs_wilson_low('annualised.churned_customers', 'annualised.customers_start') }} as double)
            as logo_churn_rate_ci_low,
        cast({{ cs_wilson_high('annualised.churned_customers', 'annualised.customers_start') }} as double)
            as logo_churn_rate_ci_high,
        {{ cs_is_below_min_n('annualised.customers_start') }} as is_logo_churn_rate_below_min_n,
        cast({{ cs_wilson_low('annualised.renewals_churned', 'annualised.renewals_due') }} as double)
            as renewal_churn_rate_ci_low,
        cast({{ cs_wilson_high('annualised.renewals_churned', 'annualised.renewals_due') }} as double)
            as renewal_churn_rate_ci_high,
        {{ cs_is_below_min_n('annualised.renewals_due') }} as is_renewal_churn_rate_below_min_n
    from annualised
    left join maturity
        on maturity.month = annualised.month
        and maturity.level_order = 1
)

select * from final
