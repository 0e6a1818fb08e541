{{
    config(
        materialized='incremental',
        incremental_strategy='cs_replace_recent_days',
        incremental_date_column='usage_date',
        on_schema_change='fail',
        full_build_batch_rows=var('usage_full_build_batch_rows'),
        post_hook="{{ cs_insert_full_build_batches('usage') }}",
    )
}}
-- Every row of the usage file, typed, with reject_reason (null = accepted).
--
-- The usage file is the big one, so this model is incremental by usage_date
-- (macros/raw/cs_recent_days.sql): an incremental run reads, types and checks only
-- the rows dated after (the latest accepted day - `usage_incremental_lookback_days`
-- [3]) and the rows without a date, deletes those rows from the table and inserts
-- them again. The duplicate key includes usage_date, so duplicates are found
-- exactly within the days read; rows dated in the future (rejected) and undated
-- rows (rejected) are read again on every run. For a file that grows at its end the
-- result is the same as a full build. Not seen by an incremental run: a change to a
-- row dated on or before the cutoff (late, corrected or deleted rows, rows
-- reordered), or a change in the accounts file (an account added or removed) that
-- would accept or reject an older usage row. Those need `dbt build --full-refresh`,
-- as for int_usage_aggregated_to_account_days. Kept rows keep the source_file and
-- source_row_number of the run that read them.
--
-- A full build reads a Parquet file in batches of consecutive days of at most
-- `usage_full_build_batch_rows` [10,000,000] rows (macros/raw/cs_full_build_batches.sql):
-- the duplicate-key check then fits in memory instead of spilling to disk. Same
-- rows, same reasons.
-- depends_on: {{ source('raw', 'usage') }}
-- depends_on: {{ ref('base_raw__accounts') }}
{{ cs_read_raw_source('usage') }}
