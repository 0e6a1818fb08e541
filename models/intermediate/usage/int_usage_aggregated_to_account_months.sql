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
-- One row per account and reporting month with usage in the month's window or the
-- window before it: the usage figures that health needs (metrics.md "Usage, health
-- and stages"), over the trailing window of `health_window_days` days that ends on
-- the month's snapshot day, and the window of as many days before it (for trend).
--
-- Windows are computed at snapshot days only: a small day -> snapshot lookup (2 x
-- window days per month) is joined to the account-day aggregate, so each day of
-- usage is read once per window that contains it (at most one current and one
-- previous window, plus the overlap of the partial as-of month). Days without usage
-- have no row: they count as 0 downstream.
--
-- Incremental by month (macro cs_usage_window_months): a run recomputes only the
-- months whose windows can have changed (new months, the moving as-of month, the
-- last `usage_incremental_lookback_days` days' months, or all months after a change
-- of health_window_days); months after the as-of month are deleted (post-hook).
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
    {{ cs_usage_window_days('window_months') }}
),

account_days_in_windows as (
    select
        account_days.account_id,
        window_days.month,
        window_days.snapshot_date,
        window_days.is_current_window,
        account_days.daily_active_users,
        account_days.events
    from account_days
    inner join window_days
        on window_days.usage_date = account_days.usage_date
),

final as (
    select
        account_id,
        month,
        snapshot_date,
        {{ var('health_window_days') | int }} as window_days,
        cast(sum(case when is_current_window and events > 0 then 1 else 0 end) as integer) as active_days,
        cast(sum(case when is_current_window then daily_active_users else 0 end) as bigint) as daily_active_users_sum,
        cast(sum(case when is_current_window then events else 0 end) as bigint) as window_events,
        cast(sum(case when is_current_window then 0 else events end) as bigint) as previous_window_events
    from account_days_in_windows
    group by account_id, month, snapshot_date
)

select * from final
