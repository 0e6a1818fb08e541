-- One row per month and CSM (the rows of mart_csm_book): the outcomes of each
-- CSM's book, not only its load (docs/metrics.md "Outcomes per CSM").
--   monthly: the book at the start of M is the customers in M-1 that the CSM was
--     assigned on M-1's snapshot day; their MRR in M against M-1 gives the book's
--     NRR, GRR and logo churn, exactly as the company's monthly rates.
--   trailing 12 months: the customers in M-12 that the CSM was assigned then;
--     sum of MRR(a, M) / sum of MRR(a, M-12), GRR capped per account.
--   health: the customers assigned to the CSM in M: mean health score and how
--     many are in condition `bad`.
-- A book follows its accounts: churn after a reassignment counts for the CSM who
-- had the account at the start of the period.
with

csm_books as (
    select * from {{ ref('mart_csm_book') }}
),

account_months as (
    select * from {{ ref('fct_mrr_monthly') }}
),

account_monthly as (
    select * from {{ ref('fct_account_monthly') }}
),

assignments as (
    select * from {{ ref('int_account_csms_at_snapshots') }}
),

-- customers at the start of M (MRR(a, M-1) > 0) with their CSM on M-1's snapshot day
start_books as (
    select
        account_months.month,
        assignments.csm_id,
        count(*) as customers_start,
        sum(account_months.previous_mrr) as mrr_start,
        sum(
            case
                when account_months.movement = 'expansion'
                    then account_months.mrr - account_months.previous_mrr
                else 0
            end
        ) as expansion_mrr,
        sum(
            case
                when account_months.movement = 'contraction'
                    then account_months.previous_mrr - account_months.mrr
                else 0
            end
        ) as contraction_mrr,
        sum(case when account_months.movement = 'churn' then account_months.previous_mrr else 0 end) as churned_mrr,
        count(case when account_months.movement = 'churn' then 1 end) as churned_customers
    from account_months
    inner join assignments
        on assignments.account_id = account_months.account_id
        and assignments.month = cast({{ dbt.dateadd('month', -1, 'account_months.month') }} as date)
    where account_months.previous_mrr > 0
    group by account_months.month, assignments.csm_id
),

-- customers in M-12 with their CSM then, and their MRR in M
trailing_books as (
    select
        current_months.month,
        assignments.csm_id,
        count(*) as customers_12m_base,
        sum(base_months.mrr) as mrr_12m_base,
        sum(current_months.mrr) as mrr_12m_now,
        sum(least(current_months.mrr, base_months.mrr)) as mrr_12m_now_capped
    from account_months as base_months
    inner join assignments
        on assignments.account_id = base_months.account_id
        and assignments.month = base_months.month
    inner join account_months as current_months
        on current_months.account_id = base_months.account_id
        and current_months.month = cast({{ dbt.dateadd('month', 12, 'base_months.month') }} as date)
    where base_months.mrr > 0
    group by current_months.month, assignments.csm_id
),

book_health as (
    select
        month,
        csm_id,
        count(health_score) as customers_with_health,
        -- summed as decimals: a parallel sum of doubles may differ in its last bits from
        -- one build to the next, and health scores carry 9 decimals
        cast(avg(cast(health_score as decimal(18, 9))) as double) as mean_health_score,
        count(case when condition = 'bad' then 1 end) as bad_condition_customers
    from account_monthly
    where csm_id is not null
    group by month, csm_id
),

joined as (
    select
        csm_books.month,
        csm_books.csm_id,
        csm_books.csm_name,
        csm_books.fte,
        csm_books.customers,
        csm_books.arr,
        csm_books.load,
        coalesce(start_books.customers_start, 0) as customers_start,
        coalesce(start_books.mrr_start, 0) as mrr_start,
        coalesce(start_books.expansion_mrr, 0) as expansion_mrr,
        coalesce(start_books.contraction_mrr, 0) as contraction_mrr,
        coalesce(start_books.churned_mrr, 0) as churned_mrr,
        coalesce(start_books.churned_customers, 0) as churned_customers,
        coalesce(trailing_books.customers_12m_base, 0) as customers_12m_base,
        trailing_books.mrr_12m_base,
        trailing_books.mrr_12m_now,
        trailing_books.mrr_12m_now_capped,
        book_health.mean_health_score,
        coalesce(book_health.bad_condition_customers, 0) as bad_condition_customers
    from csm_books
    left join start_books
        on start_books.month = csm_books.month
        and start_books.csm_id = csm_books.csm_id
    left join trailing_books
        on trailing_books.month = csm_books.month
        and trailing_books.csm_id = csm_books.csm_id
    left join book_health
        on book_health.month = csm_books.month
        and book_health.csm_id = csm_books.csm_id
),

final as (
    select
        month,
        csm_id,
        csm_name,
        fte,
        customers,
        arr,
        load,
        cast(customers_start as bigint) as customers_start,
        {{ cs_money('mrr_start') }} as mrr_start,
        {{ cs_money('expansion_mrr') }} as expansion_mrr,
        {{ cs_money('contraction_mrr') }} as contraction_mrr,
        {{ cs_money('churned_mrr') }} as churned_mrr,
        cast(churned_customers as bigint) as churned_customers,
        {{ cs_ratio('mrr_start + expansion_mrr - contraction_mrr - churned_mrr', 'mrr_start') }} as nrr,
        {{ cs_ratio('mrr_start - contraction_mrr - churned_mrr', 'mrr_start') }} as grr,
        {{ cs_ratio('churned_customers', 'customers_start') }} as logo_churn_rate,
        cast({{ cs_wilson_low('churned_customers', 'customers_start') }} as double) as logo_churn_rate_ci_low,
        cast({{ cs_wilson_high('churned_customers', 'customers_start') }} as double) as logo_churn_rate_ci_high,
        cast(customers_12m_base as bigint) as customers_12m_base,
        {{ cs_ratio('mrr_12m_now', 'mrr_12m_base') }} as nrr_12m,
        {{ cs_ratio('mrr_12m_now_capped', 'mrr_12m_base') }} as grr_12m,
        cast(mean_health_score as double) as mean_health_score,
        cast(bad_condition_customers as bigint) as bad_condition_customers,
        {{ cs_ratio('bad_condition_customers', 'customers') }} as bad_condition_share,
        customers_start < {{ var('min_n_to_show') }} as is_below_min_n
    from joined
)

select * from final
