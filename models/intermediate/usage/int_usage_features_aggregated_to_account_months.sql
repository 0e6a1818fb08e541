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
-- Built after int_usage_aggregated_to_account_months (the ref below orders them):
-- the two are the largest aggregates of the build, and side by side on dbt's two
-- threads they share DuckDB's memory_limit; at 500,000 accounts both ran out of the
-- default 4.5GB (DECISIONLOG.md, "Usage path and performance", DuckDB settings).
-- depends_on: {{ ref('int_usage_aggregated_to_account_months') }}
with

usage as (
    select * from {{ ref('stg_raw__usage') }}
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

final as (
    select
        usage.account_id,
        window_days.month,
        window_days.snapshot_date,
        usage.feature,
        {{ var('health_window_days') | int }} as window_days,
        cast(sum(usage.events) as bigint) as window_events
    from usage
    inner join window_days
        on window_days.usage_date = usage.usage_date
    group by usage.account_id, window_days.month, window_days.snapshot_date, usage.feature
)

select * from final
