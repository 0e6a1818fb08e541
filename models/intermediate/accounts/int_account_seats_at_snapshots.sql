-- One row per account and reporting month with at least one contract line active on
-- the month's snapshot day: the seats of those lines, summed over the lines that
-- have seats (metrics.md "License utilization": seats on the snapshot day, summed
-- over the active lines). seats is null where no active line has seats. Zero-MRR
-- lines (free plans, trials) count: their users have licences too.
with

contract_lines as (
    select * from {{ ref('stg_raw__contracts') }}
),

months as (
    select * from {{ ref('int_months') }}
),

final as (
    select
        contract_lines.account_id,
        months.month,
        months.snapshot_date,
        cast(sum(contract_lines.seats) as bigint) as seats
    from months
    inner join contract_lines
        on contract_lines.start_date <= months.snapshot_date
        and (contract_lines.end_date is null or contract_lines.end_date >= months.snapshot_date)
    group by contract_lines.account_id, months.month, months.snapshot_date
)

select * from final
