{{ config(materialized='view') }}
-- Every row of the usage file, typed, with reject_reason (null = accepted) for the
-- rules a row breaks on its own (macros/raw/cs_read_raw_source.sql).
--
-- A view, not a table: usage is the big file, and no table holds a typed copy of
-- its rows. The queries that read this view (the usage aggregates, raw_rejects)
-- each scan the file once. The one rule that is not local to a row, the duplicate
-- key (account_id, usage_date, feature), is applied by base_raw__usage_duplicates
-- and stg_raw__usage.
-- depends_on: {{ source('raw', 'usage') }}
-- depends_on: {{ ref('base_raw__accounts') }}
{{ cs_read_raw_source('usage', check_keys=false) }}
