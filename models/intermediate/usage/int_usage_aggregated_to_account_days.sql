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
-- stages"), its events, and each feature's figures as a list sorted by feature.
--
-- Usage is the big table, so it is aggregated once, here, and incrementally: an
-- incremental run reads only the days after the latest day already aggregated,
-- plus the last `usage_incremental_lookback_days` days again (late-arriving rows),
-- and replaces those days whole (delete+insert on usage_date). Everything
-- downstream reads this model, never the raw rows. Rows after the as-of date are
-- kept (the as-of date is applied downstream), so a change of the var as_of_date
-- needs no full refresh.
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
        cast(sum(events) as bigint) as events,
        -- DuckDB list of structs, sorted by feature (a repeatable value): what breadth
        -- (distinct core features used) and the utilization matrix (events of one
        -- feature) need, without a row per feature. list_sort after list() is several
        -- times faster than an ordered aggregate.
        list_sort(list(
            struct_pack(
                feature := feature,
                active_users := active_users,
                events := events
            )
        )) as feature_usage
    from usage
    group by account_id, usage_date
    -- stored in day order, so that the window models' joins on a few days skip the
    -- rest of the table (DuckDB row-group min/max)
    order by usage_date, account_id
)

select * from final
