-- One row per account and month with an expansion movement (previous MRR > 0 and
-- MRR > previous MRR), with its expansion type (metrics.md "Expansion type").
-- The account's active lines on the two snapshot days are compared by key
-- (product, department, line_type); the key whose MRR rose the most names the type:
--   cross_sell  the product had no active line on the previous snapshot day
--   extension   the product had, but not in this department
--   addon       the key's line type is addon
--   upsell      anything else
-- A tie between keys goes to the earlier type in that list. "Active" means active,
-- whatever the line's MRR: a zero-MRR trial of a product makes a later paid line
-- of it no cross-sell. A null department is a department of its own.
with

line_snapshots as (
    select * from {{ ref('int_contract_lines_joined_to_snapshots') }}
),

account_months as (
    select * from {{ ref('int_account_mrr_spined_to_months') }}
),

expansion_months as (
    select
        account_id,
        month,
        cast({{ dbt.dateadd('month', -1, 'month') }} as date) as previous_month
    from account_months
    where previous_mrr > 0
        and mrr > previous_mrr
),

key_mrr as (
    select
        account_id,
        month,
        product,
        department,
        line_type,
        sum(mrr) as mrr
    from line_snapshots
    group by account_id, month, product, department, line_type
),

current_keys as (
    select
        expansion_months.account_id,
        expansion_months.month,
        key_mrr.product,
        key_mrr.department,
        key_mrr.line_type,
        key_mrr.mrr as signed_mrr
    from expansion_months
    inner join key_mrr
        on key_mrr.account_id = expansion_months.account_id
        and key_mrr.month = expansion_months.month
),

previous_keys as (
    select
        expansion_months.account_id,
        expansion_months.month,
        key_mrr.product,
        key_mrr.department,
        key_mrr.line_type,
        -key_mrr.mrr as signed_mrr
    from expansion_months
    inner join key_mrr
        on key_mrr.account_id = expansion_months.account_id
        and key_mrr.month = expansion_months.previous_month
),

-- a key's rise: its MRR now minus its MRR before (group by treats null departments as one)
key_rises as (
    select
        account_id,
        month,
        product,
        department,
        line_type,
        sum(signed_mrr) as mrr_rise
    from (
        select * from current_keys
        union all
        select * from previous_keys
    ) as signed_keys
    group by account_id, month, product, department, line_type
),

products_before as (
    select distinct
        account_id,
        month,
        product
    from previous_keys
),

product_departments_before as (
    select distinct
        account_id,
        month,
        product,
        department
    from previous_keys
),

typed_keys as (
    select
        key_rises.account_id,
        key_rises.month,
        key_rises.mrr_rise,
        case
            when products_before.product is null then 'cross_sell'
            when product_departments_before.product is null then 'extension'
            when key_rises.line_type = 'addon' then 'addon'
            else 'upsell'
        end as expansion_type
    from key_rises
    left join products_before
        on products_before.account_id = key_rises.account_id
        and products_before.month = key_rises.month
        and products_before.product = key_rises.product
    left join product_departments_before
        on product_departments_before.account_id = key_rises.account_id
        and product_departments_before.month = key_rises.month
        and product_departments_before.product = key_rises.product
        and product_departments_before.department is not distinct from key_rises.department
),

ranked_keys as (
    select
        account_id,
        month,
        expansion_type,
        row_number() over (
            partition by account_id, month
            order by
                mrr_rise desc,
                case expansion_type
                    when 'cross_sell' then 1
                    when 'extension' then 2
                    when 'addon' then 3
                    else 4
                end
        ) as rise_rank
    from typed_keys
),

final as (
    select
        account_id,
        month,
        expansion_type
    from ranked_keys
    where rise_rank = 1
)

select * from final
