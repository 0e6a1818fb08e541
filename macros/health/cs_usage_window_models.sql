{#-
    The SQL of the two usage window models, as macros so that a full build can run
    it once per batch of reporting months (macros/health/cs_usage_window_batches.sql):
    the model's statement with the first batch, its post-hook with the others.
    `batch` none = every month the run computes (cs_usage_window_months). Read the
    model files for what each one is.
-#}

{#- int_usage_aggregated_to_account_months -#}
{% macro cs_usage_account_windows_sql(batch=none) %}
with

account_days as (
    select * from {{ ref('int_usage_aggregated_to_account_days') }}
    {{ cs_usage_window_batch_days(batch) }}
),

months as (
    select * from {{ ref('int_months') }}
    {{ cs_usage_window_batch_months(batch) }}
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
{% endmacro %}


{#- int_usage_features_aggregated_to_account_months -#}
{% macro cs_usage_feature_windows_sql(batch=none) %}
with

usage as (
    select * from {{ ref('stg_raw__usage') }}
    {{ cs_usage_window_batch_days(batch) }}
),

months as (
    select * from {{ ref('int_months') }}
    {{ cs_usage_window_batch_months(batch) }}
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
{% endmacro %}
