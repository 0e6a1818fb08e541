-- Net and gross revenue retention over one quarter, by tier and CSM: the accounts
-- that were customers in the month before the quarter, grouped by their tier and
-- CSM then; their MRR at the end of the quarter over their MRR then (gross: each
-- account capped at its starting MRR). Reactivations in the quarter do not count.
-- Var: analysis_quarter_start ('YYYY-MM-01', a quarter's first month); default:
-- the last quarter that ends on or before the latest month.
with

mrr_monthly as (
    select * from {{ ref('fct_mrr_monthly') }}
),

account_monthly as (
    select * from {{ ref('fct_account_monthly') }}
),

latest as (
    select max(month) as latest_month from mrr_monthly
),

quarter as (
    {%- if var('analysis_quarter_start', none) %}
    select cast('{{ var("analysis_quarter_start") }}' as date) as quarter_start
    {%- else %}
    -- the quarter whose last month is at or before the latest month
    select cast({{ dbt.date_trunc('quarter', dbt.dateadd('month', -2, 'latest_month')) }} as date) as quarter_start
    {%- endif %}
    from latest
),

quarter_bounds as (
    select
        quarter_start,
        cast({{ dbt.dateadd('month', -1, 'quarter_start') }} as date) as start_month,
        cast({{ dbt.dateadd('month', 2, 'quarter_start') }} as date) as end_month
    from quarter
),

customers_at_start as (
    select
        account_monthly.account_id,
        account_monthly.tier,
        coalesce(account_monthly.csm_id, 'unassigned') as csm_id,
        account_monthly.mrr as start_mrr
    from account_monthly
    inner join quarter_bounds
        on account_monthly.month = quarter_bounds.start_month
    where account_monthly.mrr > 0
),

mrr_at_end as (
    select
        mrr_monthly.account_id,
        mrr_monthly.mrr as end_mrr
    from mrr_monthly
    inner join quarter_bounds
        on mrr_monthly.month = quarter_bounds.end_month
),

final as (
    select
        (select quarter_bounds.quarter_start from quarter_bounds) as quarter_start,
        customers_at_start.tier,
        customers_at_start.csm_id,
        count(*) as customers_at_start,
        sum(customers_at_start.start_mrr) as start_mrr,
        sum(coalesce(mrr_at_end.end_mrr, 0)) as end_mrr,
        sum(coalesce(mrr_at_end.end_mrr, 0)) / sum(customers_at_start.start_mrr) as nrr,
        sum(least(coalesce(mrr_at_end.end_mrr, 0), customers_at_start.start_mrr))
        / sum(customers_at_start.start_mrr) as grr
    from customers_at_start
    left join mrr_at_end
        on mrr_at_end.account_id = customers_at_start.account_id
    group by customers_at_start.tier, customers_at_start.csm_id
)

select * from final
order by tier, csm_id
