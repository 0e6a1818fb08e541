-- One row per contract line and reporting month in which the line is active on
-- the month's snapshot day (metrics.md "Revenue"), with its MRR converted to the
-- reporting currency at that month's rate. Lines are joined to the 1 snapshot day
-- of each month, never to every day. A line that starts after the as-of date is
-- active on no snapshot day (every snapshot day is <= as_of_date), so it counts
-- nowhere; a line that starts and ends between two snapshot days counts nowhere.
with

contract_lines as (
    select * from {{ ref('stg_raw__contracts') }}
),

fx_rates as (
    select * from {{ ref('stg_raw__fx_rates') }}
),

months as (
    select * from {{ ref('int_months') }}
),

lines_active_at_snapshot as (
    select
        contract_lines.contract_id,
        contract_lines.account_id,
        months.month,
        months.snapshot_date,
        contract_lines.product,
        contract_lines.plan,
        contract_lines.line_type,
        contract_lines.department,
        contract_lines.seats,
        contract_lines.currency,
        contract_lines.mrr as mrr_local
    from months
    inner join contract_lines
        on contract_lines.start_date <= months.snapshot_date
        and coalesce(contract_lines.end_date, cast('9999-12-31' as date)) >= months.snapshot_date
),

-- the reporting currency converts at 1; others at the rate of the month (staging
-- rejects a foreign line without a rate for a month it is active, so none is missing)
converted as (
    select
        lines_active_at_snapshot.*,
        case
            when lines_active_at_snapshot.currency = {{ cs_sql_string(var('reporting_currency')) }}
                then cast(1 as decimal(18, 6))
            else fx_rates.rate
        end as fx_rate
    from lines_active_at_snapshot
    left join fx_rates
        on fx_rates.currency = lines_active_at_snapshot.currency
        and fx_rates.month = lines_active_at_snapshot.month
),

final as (
    select
        contract_id,
        account_id,
        month,
        snapshot_date,
        product,
        plan,
        line_type,
        department,
        seats,
        currency,
        mrr_local,
        fx_rate,
        {{ cs_money('cast(mrr_local as decimal(38,4)) * fx_rate') }} as mrr
    from converted
)

select * from final
