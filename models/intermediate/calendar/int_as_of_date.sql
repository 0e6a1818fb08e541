-- The as-of date ends the reporting window: the var as_of_date, or else the
-- latest usage_date in the (accepted) usage data.
with

usage_days as (
    select usage_date from {{ ref('stg_raw__usage') }}
),

final as (
    select
        coalesce(
            {%- if var('as_of_date', none) %}
            cast({{ cs_sql_string(var('as_of_date')) }} as date),
            {%- endif %}
            (select max(usage_date) from usage_days)
        ) as as_of_date
)

select * from final
