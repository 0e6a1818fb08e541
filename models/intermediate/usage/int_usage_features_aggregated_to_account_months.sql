{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month',
        on_schema_change='fail',
        post_hook="delete from {{ this }} where month not in (select month from {{ ref('int_months') }})",
    )
}}
-- One row per account, reporting month and feature with a usage row in the month's
-- trailing window (the `health_window_days` days ending on the snapshot day): the
-- feature's events there. Breadth (distinct core features used) and the utilization
-- matrix (events of one feature) are read from it.
--
-- The per-feature figures of each day come from the account-day aggregate's sorted
-- feature list, unnested over the days of current windows only. Incremental by
-- month, like int_usage_aggregated_to_account_months (macro cs_usage_window_months).
with

account_days as (
    select * from {{ ref('int_usage_aggregated_to_account_days') }}
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

feature_days_in_windows as (
    select
        account_days.account_id,
        window_days.month,
        window_days.snapshot_date,
        unnest(account_days.feature_usage) as feature_day
    from account_days
    inner join window_days
        on window_days.usage_date = account_days.usage_date
),

final as (
    select
        account_id,
        month,
        snapshot_date,
        feature_day.feature as feature,
        {{ var('health_window_days') | int }} as window_days,
        cast(sum(feature_day.events) as bigint) as window_events
    from feature_days_in_windows
    group by account_id, month, snapshot_date, feature_day.feature
)

select * from final
