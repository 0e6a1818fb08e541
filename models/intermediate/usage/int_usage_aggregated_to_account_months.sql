{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month',
        on_schema_change='fail',
        full_build_batch_rows=var('usage_window_full_build_batch_rows'),
        post_hook=[
            "{{ cs_insert_usage_window_batches(cs_usage_account_windows_sql, ref('int_usage_aggregated_to_account_days')) }}",
            "delete from {{ this }} where month not in (select month from {{ ref('int_months') }})",
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
--
-- A full build of more than `usage_window_full_build_batch_rows` account-days runs in
-- batches of reporting months, each with the same SQL (macros/health/
-- cs_usage_window_models.sql, cs_usage_window_batches.sql): the model's statement
-- computes the first batch, the post-hook inserts the others.
{{ cs_usage_account_windows_sql(cs_usage_window_batches(ref('int_usage_aggregated_to_account_days'), announce=true)[0]) }}
