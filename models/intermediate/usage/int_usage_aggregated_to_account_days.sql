{{
    config(
        materialized='incremental',
        incremental_strategy=cs_replace_strategy(),
        unique_key=cs_day_partition_column('usage_date'),
        partition_by=cs_partition_by(cs_day_partition_column('usage_date')),
        on_schema_change='fail',
    )
}}
-- One row per account and day with usage: the account's daily active users (the
-- largest active_users among its features that day, metrics.md "Usage, health and
-- stages"), its events, and how many usage rows were aggregated (usage_rows, so that
-- mart_raw_intake can count the accepted rows against the export).
--
-- Read from stg_raw__usage (a view over the table base_raw__usage_valid, not the
-- file), incrementally: an incremental run reads only the days after the cutoff
-- (macros/usage/cs_latest_complete_usage_day.sql: the latest complete day aggregated
-- minus `usage_incremental_lookback_days`), and replaces
-- those days whole (dbt's delete+insert on usage_date; on Spark, whole months:
-- macros/adapters/cs_incremental.sql). The trailing windows read
-- this model, not the usage rows. Rows after the as-of date are kept (the as-of date
-- is applied downstream), so a change of the var as_of_date needs no full refresh.
-- The per-feature figures (breadth, the utilization matrix, feature ranking) are in
-- int_usage_features_aggregated_to_account_months and
-- int_usage_aggregated_to_feature_days.
with

usage as (
    select * from {{ ref('stg_raw__usage') }}
    {% if is_incremental() %}
    where usage_date > {{ cs_usage_refresh_cutoff(
        'select usage_date, sum(usage_rows) as rows from ' ~ this ~ ' group by usage_date') }}
    {% endif %}
),

final as (
    select
        account_id,
        usage_date,
        max(active_users) as daily_active_users,
        cast(sum(events) as bigint) as events,
        cast(count(*) as bigint) as usage_rows
    from usage
    group by account_id, usage_date
)

{{ cs_select_with_day_partition('final', 'usage_date') }}
