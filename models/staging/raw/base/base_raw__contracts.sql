-- Every row of the contracts file, typed, with reject_reason (null = accepted).
-- The file, its types and its rules are declared in the raw contract
-- (_raw__sources.yml); the macros in macros/raw/ read them from there.
{%- set raw = cs_raw_source('contracts') %}

with

source as (
    {{ cs_source_rows(raw) | indent(4) }}
),

-- the typed values, and the values as read (raw__<n>) for the JSON of a rejected row
typed as (
    select
        source_row_number,
        {{ cs_typed(raw, 'contract_id') }} as contract_id,
        {{ cs_typed(raw, 'account_id') }} as account_id,
        {{ cs_typed(raw, 'product') }} as product,
        {{ cs_typed(raw, 'plan') }} as plan,
        {{ cs_typed(raw, 'line_type') }} as line_type,
        {{ cs_typed(raw, 'department') }} as department,
        {{ cs_typed(raw, 'start_date') }} as start_date,
        {{ cs_typed(raw, 'end_date') }} as end_date,
        {{ cs_typed(raw, 'mrr') }} as mrr,
        {{ cs_typed(raw, 'currency') }} as currency,
        {{ cs_typed(raw, 'seats') }} as seats,
        {{ cs_as_read(raw) }}
    from source
),

known_accounts as (
    select distinct account_id
    from {{ ref('base_raw__accounts') }}
    where reject_reason is null
),

-- the rules a row breaks on its own, and its references
rows_with_row_reasons as (
    select
        typed.*,
        {{ cs_row_reason(raw, rules_in_model=[{'rule': 'fx_rate_for_active_months'}]) }} as row_reason
    from typed
    left join known_accounts
        on known_accounts.account_id = typed.account_id
),

{{ cs_duplicate_key_rule(raw, 'rows_with_row_reasons') | trim }},

-- contract row rule fx_rate_for_active_months: a line in a currency other than the
-- reporting currency needs an fx_rates rate for every month it is active, up to the
-- as-of month
as_of as (
    select as_of_date
    from {{ ref('int_as_of_date') }}
),

fx_rates as (
    select
        currency,
        month
    from {{ ref('stg_raw__fx_rates') }}
),

foreign_line_month_series as (
    select
        typed.source_row_number,
        typed.currency,
        {{ cs_month_series(
            "date_trunc('month', typed.start_date)",
            "date_trunc('month', least(coalesce(typed.end_date, as_of.as_of_date), as_of.as_of_date))") }} as month
    from typed
    cross join as_of
    where typed.currency <> {{ cs_sql_string(var('reporting_currency')) }}
        and typed.start_date <= as_of.as_of_date
        and typed.start_date <= coalesce(typed.end_date, typed.start_date)
),

foreign_line_months as (
    select
        source_row_number,
        currency,
        cast(month as date) as month
    from foreign_line_month_series
),

lines_missing_rates as (
    select
        foreign_line_months.source_row_number,
        min(foreign_line_months.currency) as currency,
        count(*) as months_missing,
        min(foreign_line_months.month) as first_month_missing
    from foreign_line_months
    left join fx_rates
        on fx_rates.currency = foreign_line_months.currency
        and fx_rates.month = foreign_line_months.month
    where fx_rates.month is null
    group by foreign_line_months.source_row_number
),

rows_with_fx_reasons as (
    select
        rows_with_key_reasons.*,
        case
            when lines_missing_rates.source_row_number is not null
                then 'currency ' || lines_missing_rates.currency || ' has no fx_rates rate for '
                    || substring(cast(lines_missing_rates.first_month_missing as {{ dbt.type_string() }}), 1, 7)
                    || case
                        when lines_missing_rates.months_missing > 1
                            then ' and ' || cast(lines_missing_rates.months_missing - 1 as {{ dbt.type_string() }}) || ' more month(s)'
                        else ''
                    end
        end as fx_reason
    from rows_with_key_reasons
    left join lines_missing_rates
        on lines_missing_rates.source_row_number = rows_with_key_reasons.source_row_number
),

rows_with_reasons as (
    select
        *,
        nullif(concat_ws('; ', row_reason, key_reason, fx_reason), '') as reject_reason
    from rows_with_fx_reasons
),

final as (
    select
        source_row_number,
        contract_id,
        account_id,
        product,
        plan,
        line_type,
        department,
        start_date,
        end_date,
        mrr,
        currency,
        seats,
        {{ cs_source_file(raw) }} as source_file,
        {{ cs_row_as_read(raw, 'reject_reason is not null') }} as source_row,
        reject_reason
    from rows_with_reasons
)

select * from final
