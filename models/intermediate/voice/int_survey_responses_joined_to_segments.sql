-- One row per survey response in a reporting month (on or before the month's
-- snapshot day), with the respondent's tier and stage in that month. Tier and
-- stage are null where the account is not a customer in the month.
with

surveys as (
    select * from {{ ref('stg_raw__surveys') }}
),

months as (
    select * from {{ ref('int_months') }}
),

account_months as (
    select * from {{ ref('int_customer_months_joined_to_health') }}
),

responses_in_months as (
    select
        surveys.response_id,
        surveys.account_id,
        surveys.responded_at,
        months.month,
        surveys.survey,
        surveys.score
    from surveys
    inner join months
        on months.month = cast({{ dbt.date_trunc('month', 'surveys.responded_at') }} as date)
        and surveys.responded_at <= months.snapshot_date
),

final as (
    select
        responses_in_months.response_id,
        responses_in_months.account_id,
        responses_in_months.responded_at,
        responses_in_months.month,
        responses_in_months.survey,
        responses_in_months.score,
        account_months.tier,
        account_months.stage
    from responses_in_months
    left join account_months
        on account_months.account_id = responses_in_months.account_id
        and account_months.month = responses_in_months.month
)

select * from final
