-- One row per account and month, from the account's first month as a customer
-- through the as-of month, with its MRR movement (metrics.md "Movements").
-- prev = MRR in the previous month (0 before the first month); rows after a churn
-- with prev = cur = 0 have movement `inactive`.
with

account_months as (
    select * from {{ ref('int_account_mrr_spined_to_months') }}
),

expansions as (
    select * from {{ ref('int_account_expansions_typed') }}
),

classified as (
    select
        account_months.account_id,
        account_months.month,
        account_months.mrr,
        account_months.previous_mrr,
        case
            -- the spine starts at the first customer month, so prev = 0 and
            -- cur > 0 there is `new`, and anywhere later a return
            when account_months.previous_mrr = 0 and account_months.mrr > 0
                and account_months.month = account_months.cohort_month then 'new'
            when account_months.previous_mrr = 0 and account_months.mrr > 0 then 'reactivation'
            when account_months.previous_mrr > 0 and account_months.mrr > account_months.previous_mrr then 'expansion'
            when account_months.previous_mrr > 0 and account_months.mrr > 0
                and account_months.mrr < account_months.previous_mrr then 'contraction'
            when account_months.previous_mrr > 0 and account_months.mrr = 0 then 'churn'
            when account_months.previous_mrr > 0 and account_months.mrr = account_months.previous_mrr then 'retained'
            else 'inactive'
        end as movement,
        expansions.expansion_type,
        account_months.cohort_month,
        account_months.age_months
    from account_months
    left join expansions
        on expansions.account_id = account_months.account_id
        and expansions.month = account_months.month
),

final as (
    select
        account_id,
        month,
        mrr,
        {{ cs_money('mrr * 12') }} as arr,
        previous_mrr,
        {{ cs_money('mrr - previous_mrr') }} as mrr_change,
        movement,
        expansion_type,
        mrr > 0 as is_customer,
        cohort_month,
        age_months
    from classified
)

select * from final
