-- The as-of date ends the reporting window: the var as_of_date where it is set, or else
-- the latest usage_date in the accepted usage (metrics.md); the as-of month is its
-- month. The test warn_latest_usage_days_look_stray warns when the last days hold
-- only a few rows.
--
-- With the var set, the model reads no usage, so that the contracts (whose FX rule
-- needs the as-of month) do not wait for the usage file to be read.
with

{% if var('as_of_date', none) -%}
as_of as (
    select cast({{ cs_sql_string(var('as_of_date')) }} as date) as as_of_date
),
{%- else -%}
usage_days as (
    select usage_date from {{ ref('int_usage_aggregated_to_account_days') }}
),

as_of as (
    select max(usage_date) as as_of_date
    from usage_days
),
{%- endif %}

final as (
    select
        as_of_date,
        cast({{ dbt.date_trunc('month', 'as_of_date') }} as date) as as_of_month
    from as_of
)

select * from final
