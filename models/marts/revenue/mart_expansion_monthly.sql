-- One row per reporting month and expansion type (all four types every month,
-- with 0 where none): the accounts whose expansion in the month has that type,
-- and their whole expansion MRR (MRR minus previous MRR).
with

months as (
    select * from {{ ref('int_months') }}
),

account_months as (
    select * from {{ ref('int_account_months_classified_by_movement') }}
),

expansion_types as (
    select 'cross_sell' as expansion_type
    union all
    select 'extension'
    union all
    select 'addon'
    union all
    select 'upsell'
),

expansions as (
    select
        month,
        expansion_type,
        count(*) as accounts,
        sum(mrr_change) as expansion_mrr
    from account_months
    where movement = 'expansion'
    group by month, expansion_type
),

final as (
    select
        months.month,
        expansion_types.expansion_type,
        coalesce(expansions.accounts, 0) as accounts,
        {{ cs_money('coalesce(expansions.expansion_mrr, 0)') }} as expansion_mrr
    from months
    cross join expansion_types
    left join expansions
        on expansions.month = months.month
        and expansions.expansion_type = expansion_types.expansion_type
)

select * from final
