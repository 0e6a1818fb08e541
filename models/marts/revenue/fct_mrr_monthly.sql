-- The public account-month revenue spine: int_account_months_classified_by_movement as published.
with

classified as (
    select * from {{ ref('int_account_months_classified_by_movement') }}
),

final as (
    select
        account_id,
        month,
        mrr,
        arr,
        previous_mrr,
        mrr_change,
        movement,
        expansion_type,
        is_customer,
        cohort_month,
        age_months
    from classified
)

select * from final
