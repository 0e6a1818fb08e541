-- One row per customer-month: whether the account is an advocate on the month's
-- snapshot day (metrics.md "Lifecycle stage", rule 3): accounts.is_advocate, or an
-- NPS score >= `advocate_min_nps` in the last `advocate_nps_lookback_days` days, or
-- community activity in the last `advocate_community_lookback_days` days.
-- "In the last N days" is the N days ending on the snapshot day, both ends included
-- (snapshot - N < day <= snapshot), like the trailing usage window: with N = 365,
-- a response 364 days before the snapshot day counts, one 365 days before does not.
-- Evidence after the snapshot day does not count.
with

account_months as (
    select * from {{ ref('int_account_months_classified_by_movement') }}
),

months as (
    select * from {{ ref('int_months') }}
),

accounts as (
    select * from {{ ref('stg_raw__accounts') }}
),

surveys as (
    select * from {{ ref('stg_raw__surveys') }}
),

community as (
    select * from {{ ref('stg_raw__community') }}
),

customer_months as (
    select
        account_months.account_id,
        account_months.month,
        months.snapshot_date
    from account_months
    inner join months
        on months.month = account_months.month
    where account_months.is_customer
),

promoter_responses as (
    select distinct
        account_id,
        responded_at
    from surveys
    where survey = 'nps'
        and score >= {{ var('advocate_min_nps') }}
),

community_days as (
    select distinct
        account_id,
        activity_date
    from community
),

promoter_months as (
    select distinct
        customer_months.account_id,
        customer_months.month
    from customer_months
    inner join promoter_responses
        on promoter_responses.account_id = customer_months.account_id
        and promoter_responses.responded_at <= customer_months.snapshot_date
        and promoter_responses.responded_at > cast({{ dbt.dateadd('day', -1 * (var('advocate_nps_lookback_days') | int), 'customer_months.snapshot_date') }} as date)
),

community_months as (
    select distinct
        customer_months.account_id,
        customer_months.month
    from customer_months
    inner join community_days
        on community_days.account_id = customer_months.account_id
        and community_days.activity_date <= customer_months.snapshot_date
        and community_days.activity_date > cast({{ dbt.dateadd('day', -1 * (var('advocate_community_lookback_days') | int), 'customer_months.snapshot_date') }} as date)
),

final as (
    select
        customer_months.account_id,
        customer_months.month,
        customer_months.snapshot_date,
        coalesce(accounts.is_advocate, false) as is_flagged_advocate,
        promoter_months.account_id is not null as has_promoter_nps,
        community_months.account_id is not null as has_community_activity,
        coalesce(accounts.is_advocate, false)
        or promoter_months.account_id is not null
        or community_months.account_id is not null as is_advocate
    from customer_months
    left join accounts
        on accounts.account_id = customer_months.account_id
    left join promoter_months
        on promoter_months.account_id = customer_months.account_id
        and promoter_months.month = customer_months.month
    left join community_months
        on community_months.account_id = customer_months.account_id
        and community_months.month = customer_months.month
)

select * from final
