-- One row per account that has been a customer: its cohort month and the segments
-- the cohort and survival marts split by, fixed at the cohort month:
--   tier      its tier in the cohort month (int_account_tiers_monthly)
--   industry  accounts.industry ('unknown' where null)
--   plan      its plan in the cohort month (int_account_plans_monthly): the plan of
--             its largest base line on the cohort month's snapshot day (largest by
--             MRR in the reporting currency; ties to the smaller plan name); an
--             account with only add-on lines then takes its largest line
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

plans as (
    select * from {{ ref('int_account_plans_monthly') }}
),

cohort_accounts as (
    select
        account_id,
        cohort_month
    from account_months
    where month = cohort_month
),

final as (
    select
        cohort_accounts.account_id,
        cohort_accounts.cohort_month,
        tiers.tier,
        coalesce(accounts.industry, 'unknown') as industry,
        plans.plan
    from cohort_accounts
    left join tiers
        on tiers.account_id = cohort_accounts.account_id
        and tiers.month = cohort_accounts.cohort_month
    left join accounts
        on accounts.account_id = cohort_accounts.account_id
    left join plans
        on plans.account_id = cohort_accounts.account_id
        and plans.month = cohort_accounts.cohort_month
)

select * from final
