{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month',
        on_schema_change='fail',
        full_build_batch_rows=var('usage_window_full_build_batch_rows'),
        post_hook=[
            "{{ cs_insert_usage_window_batches(cs_usage_feature_windows_sql, ref('stg_raw__usage')) }}",
            "delete from {{ this }} where month not in (select month from {{ ref('int_months') }})",
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
-- month. (Keeping a list of features per account-day instead made the account-day
-- aggregate 4-5 times slower: lists are expensive to build in DuckDB.) Incremental
-- by month, like int_usage_aggregated_to_account_months (macro
-- cs_usage_window_months): a run reads only the days of the months it recomputes.
--
-- A full build of more than `usage_window_full_build_batch_rows` usage rows runs in
-- batches of reporting months, each with the same SQL (macros/health/
-- cs_usage_window_models.sql, cs_usage_window_batches.sql): the model's statement
-- computes the first batch, the post-hook inserts the others.
{{ cs_usage_feature_windows_sql(cs_usage_window_batches(ref('stg_raw__usage'), announce=true)[0]) }}
