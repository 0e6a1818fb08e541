-- One row per customer-month: the health components (metrics.md "Usage, health and
-- stages"), on the month's snapshot day, over the trailing window of
-- `health_window_days` days that ends on it. The score and the condition are
-- int_account_health_monthly's: the components stand alone so that the weights can
-- be fitted to them (int_health_weights_fitted) without a cycle.
--   utilization = min(1, mean daily active users over the window / seats on the
--                 snapshot day); null where no active line has seats. Days without
--                 usage count as 0 in the mean.
--   stickiness  = days in the window with events > 0 / window length.
--   breadth     = distinct core features used in the window / core features in the
--                 usage data; null where the data has no core feature.
--   trend       = 0.5 + 0.5 x clamp((events - events before) / max(events before, 1), -1, 1);
--                 0.5 when both windows are empty.
-- A customer-month without any usage in its windows gets the components of no
-- usage (0 utilization, stickiness and breadth, trend 0.5), not nulls.
{%- set window_days = var('health_window_days') | int %}
with

account_months as (
    select * from {{ ref('int_account_months_classified_by_movement') }}
),

months as (
    select * from {{ ref('int_months') }}
),

usage_windows as (
    select * from {{ ref('int_usage_aggregated_to_account_months') }}
),

feature_windows as (
    select * from {{ ref('int_usage_features_aggregated_to_account_months') }}
),

seats as (
    select * from {{ ref('int_account_seats_at_snapshots') }}
),

features as (
    select * from {{ ref('int_usage_features_ranked') }}
),

core_feature_count as (
    select count(*) as core_features
    from features
    where is_core
),

-- distinct core features with events in the window
core_features_used as (
    select
        feature_windows.account_id,
        feature_windows.month,
        count(*) as core_features_used
    from feature_windows
    inner join features
        on features.feature = feature_windows.feature
    where features.is_core
        and feature_windows.window_events > 0
    group by feature_windows.account_id, feature_windows.month
),

customer_months as (
    select
        account_months.account_id,
        account_months.month,
        months.snapshot_date
    from account_months
    inner join months
        on months.month = account_months.month
    where account_months.is_customer
),

usage_joined as (
    select
        customer_months.account_id,
        customer_months.month,
        customer_months.snapshot_date,
        seats.seats,
        coalesce(usage_windows.daily_active_users_sum, 0) as daily_active_users_sum,
        coalesce(usage_windows.active_days, 0) as active_days,
        coalesce(usage_windows.window_events, 0) as window_events,
        coalesce(usage_windows.previous_window_events, 0) as previous_window_events,
        coalesce(core_features_used.core_features_used, 0) as core_features_used,
        core_feature_count.core_features
    from customer_months
    cross join core_feature_count
    left join usage_windows
        on usage_windows.account_id = customer_months.account_id
        and usage_windows.month = customer_months.month
    left join core_features_used
        on core_features_used.account_id = customer_months.account_id
        and core_features_used.month = customer_months.month
    left join seats
        on seats.account_id = customer_months.account_id
        and seats.month = customer_months.month
),

components as (
    select
        account_id,
        month,
        snapshot_date,
        seats,
        cast(daily_active_users_sum as double) / {{ window_days }} as daily_active_users,
        case
            when seats > 0
                then least(1.0, cast(daily_active_users_sum as double) / {{ window_days }} / seats)
        end as license_utilization,
        cast(active_days as double) / {{ window_days }} as stickiness,
        case
            when core_features > 0
                then cast(core_features_used as double) / core_features
        end as breadth,
        0.5 + 0.5 * {{ cs_clamp(
            '(cast(window_events as double) - previous_window_events) / greatest(previous_window_events, 1)',
            '-1.0', '1.0') }} as trend,
        window_events,
        previous_window_events
    from usage_joined
)

select * from components
