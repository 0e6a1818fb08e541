{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='usage_date',
        on_schema_change='fail',
    )
}}
-- One row per feature and day with usage: the feature's events and the accounts
-- with a row for it. Read from the account-day aggregate's feature lists; small
-- (features x days), so that ranking features by usage never rescans the account
-- days. Incremental like int_usage_aggregated_to_account_days: a run re-reads the
-- days after (latest day built - `usage_incremental_lookback_days`).
with

account_days as (
    select * from {{ ref('int_usage_aggregated_to_account_days') }}
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

feature_days as (
    select
        usage_date,
        unnest(feature_usage) as feature_day
    from account_days
),

final as (
    select
        usage_date,
        feature_day.feature as feature,
        cast(sum(feature_day.events) as bigint) as events,
        cast(count(*) as bigint) as accounts
    from feature_days
    group by usage_date, feature_day.feature
)

select * from final
