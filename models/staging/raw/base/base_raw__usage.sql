{{ config(materialized='view') }}
-- Every row of the usage file, typed, with reject_reason (null = accepted) for the
-- rules a row breaks on its own (macros/raw/cs_read_raw_source.sql).
--
-- A view, not a table: usage is the big file. Two models read this view, each in one
-- scan of the file: base_raw__usage_valid (the valid rows, the table every other usage
-- model reads; on a refresh only the days after the cutoff) and base_raw__usage_rejects.
-- The one rule that is not local to a row, the duplicate key (account_id, usage_date,
-- feature), is applied by base_raw__usage_duplicates and stg_raw__usage.
-- depends_on: {{ source('raw', 'usage') }}
-- depends_on: {{ ref('base_raw__accounts') }}
{{ cs_read_raw_source('usage', check_keys=false) }}
