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
-- have no row: they count as 0 downstream.
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

-- one row: the list of core features, and the two features of the utilization matrix
feature_sets as (
    select
        (select list(feature order by feature) from features where is_core) as core_features,
        matrix_features.feature_x,
        matrix_features.feature_y
    from matrix_features
),

account_days_in_windows as (
    select
        account_days.account_id,
        window_days.month,
        window_days.snapshot_date,
        window_days.is_current_window,
        account_days.daily_active_users,
        account_days.events,
        -- the core features with events that day
        list_transform(
            list_filter(
                account_days.feature_usage,
                lambda usage: usage.events > 0 and list_contains(feature_sets.core_features, usage.feature)
            ),
            lambda usage: usage.feature
        ) as core_features_used,
        coalesce(list_sum(list_transform(
            list_filter(account_days.feature_usage, lambda usage: usage.feature = feature_sets.feature_x),
            lambda usage: usage.events
        )), 0) as feature_x_events,
        coalesce(list_sum(list_transform(
            list_filter(account_days.feature_usage, lambda usage: usage.feature = feature_sets.feature_y),
            lambda usage: usage.events
        )), 0) as feature_y_events
    from account_days
    inner join window_days
        on window_days.usage_date = account_days.usage_date
    left join feature_sets
        on true
),

final as (
    select
        account_id,
        month,
        snapshot_date,
        cast(sum(case when is_current_window and events > 0 then 1 else 0 end) as integer) as active_days,
        cast(sum(case when is_current_window then daily_active_users else 0 end) as bigint) as daily_active_users_sum,
        cast(sum(case when is_current_window then events else 0 end) as bigint) as window_events,
        cast(sum(case when is_current_window then 0 else events end) as bigint) as previous_window_events,
        cast(len(list_distinct(flatten(list(case when is_current_window then core_features_used end)))) as integer) as core_features_used,
        cast(sum(case when is_current_window then feature_x_events else 0 end) as bigint) as feature_x_events,
        cast(sum(case when is_current_window then feature_y_events else 0 end) as bigint) as feature_y_events
    from account_days_in_windows
    group by account_id, month, snapshot_date
)

select * from final
