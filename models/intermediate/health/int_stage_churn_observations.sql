-- One row per stage-churn observation, on two bases (metrics.md "Stage and churn"):
--   horizon  one per customer-month (a, M) with M + H <= the as-of month
--            (H = `stage_churn_horizon_months`); its stage is the stage in M; it
--            churned when a churn movement happens in M+1 .. M+H; revenue from
--            MRR(a, M) to MRR(a, M+H).
--   renewal  one per renewal due (int_renewals_due, account a in month M); its stage
--            is the account's stage in M-1 (a renewal is due only for a customer of
--            M-1, so that stage exists); it churned when it churned at renewal;
--            revenue from the MRR due (MRR in M-1) to MRR(a, M), the gross version
--            capped at the MRR due (renewal_mrr_kept).
with

account_monthly as (
    select * from {{ ref('int_customer_months_joined_to_health') }}
),

outcomes as (
    select * from {{ ref('int_account_outcomes_monthly') }}
),

renewals_due as (
    select * from {{ ref('int_renewals_due') }}
),

account_months as (
    select * from {{ ref('int_account_months_classified_by_movement') }}
),

horizon_observations as (
    select
        'horizon' as basis,
        account_monthly.account_id,
        account_monthly.month,
        account_monthly.stage,
        account_monthly.stage_rank,
        outcomes.is_churned_within_stage_horizon as is_churned,
        account_monthly.mrr as mrr_start,
        outcomes.mrr_at_stage_horizon as mrr_end,
        least(outcomes.mrr_at_stage_horizon, account_monthly.mrr) as mrr_end_capped
    from account_monthly
    inner join outcomes
        on outcomes.account_id = account_monthly.account_id
        and outcomes.month = account_monthly.month
    where outcomes.is_stage_horizon_complete
),

renewal_observations as (
    select
        'renewal' as basis,
        renewals_due.account_id,
        renewals_due.month,
        previous_month.stage,
        previous_month.stage_rank,
        renewals_due.is_churned_at_renewal as is_churned,
        renewals_due.renewal_mrr_due as mrr_start,
        coalesce(renewal_month.mrr, 0) as mrr_end,
        renewals_due.renewal_mrr_kept as mrr_end_capped
    from renewals_due
    inner join account_monthly as previous_month
        on previous_month.account_id = renewals_due.account_id
        and previous_month.month = cast({{ dbt.dateadd('month', -1, 'renewals_due.month') }} as date)
    left join account_months as renewal_month
        on renewal_month.account_id = renewals_due.account_id
        and renewal_month.month = renewals_due.month
),

unioned as (
    select * from horizon_observations
    union all
    select * from renewal_observations
),

final as (
    select
        basis,
        account_id,
        month,
        stage,
        cast(stage_rank as integer) as stage_rank,
        is_churned,
        {{ cs_money('mrr_start') }} as mrr_start,
        {{ cs_money('mrr_end') }} as mrr_end,
        {{ cs_money('mrr_end_capped') }} as mrr_end_capped
    from unioned
)

select * from final
