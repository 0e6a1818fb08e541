-- One row per account and reporting month in which it has a contract line active on
-- the month's snapshot day: its plan, the plan of its largest base line (largest by
-- MRR in the reporting currency; ties to the smaller plan name). An account with
-- only add-on lines takes its largest line. The cohort segments
-- (int_accounts_segmented_at_cohort) and fct_account_monthly read the plan here.
with

line_snapshots as (
    select * from {{ ref('int_contract_lines_joined_to_snapshots') }}
),

ranked_lines as (
    select
        account_id,
        month,
        plan,
        row_number() over (
            partition by account_id, month
            order by
                case when line_type = 'base' then 0 else 1 end asc,
                mrr desc,
                plan asc
        ) as line_order
    from line_snapshots
),

final as (
    select
        account_id,
        month,
        plan
    from ranked_lines
    where line_order = 1
)

select * from final
