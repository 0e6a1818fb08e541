-- One row per account and reporting month with usage in the month's window or the
-- window before it: the usage figures that health needs (metrics.md "Usage, health
-- and stages"), taken over the trailing window of `health_window_days` days that
-- ends on the month's snapshot day, and the window of as many days before it (for
-- trend).
--
-- Windows are computed at snapshot days only: a small day -> snapshot lookup (2 x
-- window days per month) is joined to the account-day aggregate, so each day of
-- usage is read once per window that contains it (at most one current and one
-- previous window, plus the overlap of the partial as-of month). Days without usage
-- have no row: they count as 0 downstream. The per-feature figures (breadth, the
-- utilization matrix's two features) are taken over the current window only.
{%- set window_days = var('health_window_days') | int %}
with

account_days as (
    select * from {{ ref('int_usage_aggregated_to_account_days') }}
),

months as (
    select * from {{ ref('int_months') }}
),

features as (
    select * from {{ ref('int_usage_features_ranked') }}
),

matrix_features as (
    select * from {{ ref('int_usage_matrix_features_selected') }}
),

window_offsets as (
    select cast(offset_days as integer) as offset_days
    from range(0, {{ 2 * window_days }}) as offsets(offset_days)
),

-- offsets 0 .. W-1 before the snapshot day are its window, W .. 2W-1 the window before
window_days as (
    select
        months.month,
        months.snapshot_date,
        cast({{ dbt.dateadd('day', '-1 * window_offsets.offset_days', 'months.snapshot_date') }} as date) as usage_date,
        window_offsets.offset_days < {{ window_days }} as is_current_window
    from months
    cross join window_offsets
),

core_features as (
    select feature
    from features
    where is_core
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

window_totals as (
    select
        account_id,
        month,
        snapshot_date,
        sum(case when is_current_window and events > 0 then 1 else 0 end) as active_days,
        sum(case when is_current_window then daily_active_users else 0 end) as daily_active_users_sum,
        sum(case when is_current_window then events else 0 end) as window_events,
        sum(case when is_current_window then 0 else events end) as previous_window_events
    from account_days_in_windows
    group by account_id, month, snapshot_date
),

-- per feature, over the current window only: one row per feature of each day
-- (unnest is far cheaper than list lambdas on every account-day)
feature_days_in_windows as (
    select
        account_days.account_id,
        window_days.month,
        unnest(account_days.feature_usage) as feature_day
    from account_days
    inner join window_days
        on window_days.usage_date = account_days.usage_date
    where window_days.is_current_window
),

feature_windows as (
    select
        account_id,
        month,
        feature_day.feature as feature,
        sum(feature_day.events) as events
    from feature_days_in_windows
    group by account_id, month, feature_day.feature
),

feature_totals as (
    select
        feature_windows.account_id,
        feature_windows.month,
        sum(case when feature_windows.events > 0 and core_features.feature is not null then 1 else 0 end)
            as core_features_used,
        sum(case when feature_windows.feature = matrix_features.feature_x then feature_windows.events else 0 end)
            as feature_x_events,
        sum(case when feature_windows.feature = matrix_features.feature_y then feature_windows.events else 0 end)
            as feature_y_events
    from feature_windows
    cross join matrix_features
    left join core_features
        on core_features.feature = feature_windows.feature
    group by feature_windows.account_id, feature_windows.month
),

final as (
    select
        window_totals.account_id,
        window_totals.month,
        window_totals.snapshot_date,
        cast(window_totals.active_days as integer) as active_days,
        cast(window_totals.daily_active_users_sum as bigint) as daily_active_users_sum,
        cast(window_totals.window_events as bigint) as window_events,
        cast(window_totals.previous_window_events as bigint) as previous_window_events,
        cast(coalesce(feature_totals.core_features_used, 0) as integer) as core_features_used,
        cast(coalesce(feature_totals.feature_x_events, 0) as bigint) as feature_x_events,
        cast(coalesce(feature_totals.feature_y_events, 0) as bigint) as feature_y_events
    from window_totals
    left join feature_totals
        on feature_totals.account_id = window_totals.account_id
        and feature_totals.month = window_totals.month
)

select * from final
