{{
    config(
        materialized='incremental',
        incremental_strategy=cs_replace_strategy(),
        unique_key='month',
        partition_by=cs_partition_by('month'),
        on_schema_change='fail',
        post_hook=[
            "{{ cs_delete_rows(this, 'month', 'month not in (select month from ' ~ ref('int_months') ~ ')') }}",
        ],
    )
}}
-- One row per account, reporting month and feature with a usage row in the month's
-- trailing window (the `health_window_days` days ending on the snapshot day): the
-- feature's events there. Breadth (distinct core features used) and the utilization
-- matrix (events of one feature) are read from it.
--
-- Read from the staged usage rows joined to the day -> snapshot lookup of the current
-- windows, so each usage row is read once per window that holds it, never once per
-- month. (A list of features per account-day was rejected: DECISIONLOG.md, "Usage,
-- health, stages and churn".) Incremental by month, like
-- int_usage_aggregated_to_account_months (macro cs_usage_window_months): a run reads
-- only the days of the months it recomputes.
--
-- Grouped by 64-bit hashes of the account and the feature (cs_hash_key), with the
-- names joined back after: with the two strings as the group key, this query took
-- twice the memory, and at 500,000 accounts it ran out of the default memory_limit
-- (benchmarks/results/2026-12-06-features-aggregate-memory.md). The account names come
-- from int_usage_aggregated_to_account_months, which has a row for every account with
-- usage in a month's windows; the feature names from the usage rows of the days read.
-- Two names with one hash, or a key with no name, leave a null name, which the
-- not_null tests on account_id and feature report. That ref also builds the two
-- aggregates one after the other when dbt runs several models at once
-- (CS_DBT_THREADS above 1): side by side they share DuckDB's memory_limit, and at
-- 500,000 accounts both ran out of it (DECISIONLOG.md, "Usage path and performance",
-- DuckDB settings and one dbt thread).
with

usage as (
    select * from {{ ref('stg_raw__usage') }}
),

-- the same rows again, for the feature names: DuckDB writes out in full a CTE that
-- is read twice, and this one holds every usage row
usage_features as (
    select
        usage_date,
        feature
    from {{ ref('stg_raw__usage') }}
),

account_months as (
    select * from {{ ref('int_usage_aggregated_to_account_months') }}
),

months as (
    select * from {{ ref('int_months') }}
),

window_months as (
    {{ cs_usage_window_months('months') }}
),

window_days as (
    {{ cs_usage_window_days('window_months', current_only=true) }}
),

window_usage as (
    select
        {{ cs_hash_key(['usage.account_id']) }} as account_key,
        window_days.month,
        window_days.snapshot_date,
        {{ cs_hash_key(['usage.feature']) }} as feature_key,
        usage.events
    from usage
    inner join window_days
        on window_days.usage_date = usage.usage_date
),

aggregated as (
    select
        account_key,
        month,
        snapshot_date,
        feature_key,
        cast(sum(events) as bigint) as window_events
    from window_usage
    group by account_key, month, snapshot_date, feature_key
),

account_names as (
    select distinct account_months.account_id
    from account_months
    inner join window_months
        on window_months.month = account_months.month
),

feature_names as (
    select distinct usage_features.feature
    from usage_features
    where usage_features.usage_date between (select min(window_days.usage_date) from window_days)
        and (select max(window_days.usage_date) from window_days)
),

account_keys as (
    select
        {{ cs_hash_key(['account_id']) }} as account_key,
        case when count(*) = 1 then min(account_id) end as account_id
    from account_names
    group by {{ cs_hash_key(['account_id']) }}
),

feature_keys as (
    select
        {{ cs_hash_key(['feature']) }} as feature_key,
        case when count(*) = 1 then min(feature) end as feature
    from feature_names
    group by {{ cs_hash_key(['feature']) }}
),

final as (
    select
        account_keys.account_id,
        aggregated.month,
        aggregated.snapshot_date,
        feature_keys.feature,
        {{ var('health_window_days') | int }} as window_days,
        aggregated.window_events
    from aggregated
    left join account_keys
        on account_keys.account_key = aggregated.account_key
    left join feature_keys
        on feature_keys.feature_key = aggregated.feature_key
)

select * from final
