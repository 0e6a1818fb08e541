{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='usage_date',
        on_schema_change='fail',
    )
}}
-- One row per account and day with usage: the account's daily active users (the
-- largest active_users among its features that day, metrics.md "Usage, health and
-- stages") and its events: what daily active users, stickiness, trend and the
-- setup day need.
--
-- Usage is the big table, so it is aggregated once, here, and incrementally: an
-- incremental run reads only the days after the latest day already aggregated,
-- plus the last `usage_incremental_lookback_days` days again (late-arriving rows),
-- and replaces those days whole (delete+insert on usage_date). The trailing
-- windows read this model, not the usage rows. Rows after the as-of date are kept
-- (the as-of date is applied downstream), so a change of the var as_of_date needs
-- no full refresh. The per-feature figures (breadth, the utilization matrix,
-- feature ranking) are in int_usage_features_aggregated_to_account_months and
-- int_usage_aggregated_to_feature_days, both incremental too: a list of features
-- per account-day here would make this model several times slower, as DuckDB
-- lists are expensive to build.
with

usage as (
    select * from {{ ref('stg_raw__usage') }}
    {% if is_incremental() %}
    where usage_date > (
        select
            coalesce(
                cast({{ dbt.dateadd('day', -1 * (var('usage_incremental_lookback_days') | int), 'max(usage_date)') }} as date),
                cast('1900-01-01' as date)
            )
        from {{ this }}
    )
    {% endif %}
),

final as (
    select
        account_id,
        usage_date,
        max(active_users) as daily_active_users,
        cast(sum(events) as bigint) as events
    from usage
    group by account_id, usage_date
    -- no `order by`: a full build would sort every account-day for no gain in the
    -- queries that read recent days; an incremental run appends them together anyway
)

select * from final
