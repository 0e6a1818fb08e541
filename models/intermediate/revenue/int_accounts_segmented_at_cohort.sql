-- One row per account that has been a customer: its cohort month and the segments
-- the cohort and survival marts split by, fixed at the cohort month:
--   tier      its tier in the cohort month (int_account_tiers_monthly)
--   industry  accounts.industry ('unknown' where null)
--   plan      the plan of its largest base line on the cohort month's snapshot day
--             (largest by MRR in the reporting currency; ties to the smaller plan
--             name); an account with only add-on lines then takes its largest line
with

account_months as (
    select * from {{ ref('int_account_mrr_spined_to_months') }}
),

tiers as (
    select * from {{ ref('int_account_tiers_monthly') }}
),

accounts as (
    select * from {{ ref('stg_raw__accounts') }}
),

line_snapshots as (
    select * from {{ ref('int_contract_lines_joined_to_snapshots') }}
),

cohort_accounts as (
    select
        account_id,
        cohort_month
    from account_months
    where month = cohort_month
),

ranked_cohort_lines as (
    select
        cohort_accounts.account_id,
        line_snapshots.plan,
        row_number() over (
            partition by cohort_accounts.account_id
            order by
                case when line_snapshots.line_type = 'base' then 0 else 1 end,
                line_snapshots.mrr desc,
                line_snapshots.plan
        ) as line_order
    from cohort_accounts
    inner join line_snapshots
        on line_snapshots.account_id = cohort_accounts.account_id
        and line_snapshots.month = cohort_accounts.cohort_month
),

final as (
    select
        cohort_accounts.account_id,
        cohort_accounts.cohort_month,
        tiers.tier,
        coalesce(accounts.industry, 'unknown') as industry,
        ranked_cohort_lines.plan
    from cohort_accounts
    left join tiers
        on tiers.account_id = cohort_accounts.account_id
        and tiers.month = cohort_accounts.cohort_month
    left join accounts
        on accounts.account_id = cohort_accounts.account_id
    left join ranked_cohort_lines
        on ranked_cohort_lines.account_id = cohort_accounts.account_id
        and ranked_cohort_lines.line_order = 1
)

select * from final
