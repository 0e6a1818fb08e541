{{
    config(
        materialized='incremental',
        incremental_strategy=cs_replace_strategy(),
        unique_key=cs_day_partition_column('usage_date'),
        partition_by=cs_partition_by(cs_day_partition_column('usage_date')),
        on_schema_change='fail',
    )
}}
-- One row per feature and day with usage: the feature's events and the accounts
-- with a row for it. Small (features x days), so that ranking features by usage
-- never rescans the usage. Incremental like int_usage_aggregated_to_account_days:
-- a run re-reads the days after the cutoff (macros/usage/cs_latest_complete_usage_day.sql)
-- and replaces them whole.
with

usage as (
    select * from {{ ref('stg_raw__usage') }}
    {% if is_incremental() %}
    where usage_date > {{ cs_usage_refresh_cutoff(
        'select usage_date, sum(accounts) as rows from ' ~ this ~ ' group by usage_date') }}
    {% endif %}
),

final as (
    select
        usage_date,
        feature,
        cast(sum(events) as bigint) as events,
        cast(count(*) as bigint) as accounts
    from usage
    group by usage_date, feature
)

{{ cs_select_with_day_partition('final', 'usage_date') }}
