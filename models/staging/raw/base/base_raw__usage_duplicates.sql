{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        partition_by=cs_partition_by(cs_day_partition_column('usage_date')),
        on_schema_change='fail',
        pre_hook=[
            "{% if is_incremental() %}{{ cs_delete_rows(this, cs_day_partition_column('usage_date'), 'usage_date in (select distinct usage_date
            from ' ~ ref('base_raw__usage_valid') ~ ' where load_number = (select max(load_number)
            from ' ~ ref('base_raw__usage_valid') ~ '))') }}{% endif %}",
        ],
    )
}}
-- The usage rows rejected for a duplicate key: a row whose (account_id, usage_date,
-- feature) an earlier valid row of the file already has (the first in file order is
-- kept). One row per rejected row, with its row number, day and reason.
--
-- Only the key columns of the valid rows (base_raw__usage_valid) are read. Their 64-bit
-- hashes are sorted within each day and each compared with the one before it
-- (cs_sorted_repeats): a repeated hash is next to its twin, and no aggregate builds a
-- group per row. A duplicate key is always within one day, so the days are sorted one
-- by one, not every row at once: at 500,000 accounts that takes half the time, and
-- less memory (benchmarks/results/2026-12-06-sorted-repeats-by-day.md). The exact
-- check on the keys then runs over the few rows whose hash repeats, so two keys that
-- share a hash are not taken for duplicates.
--
-- Incremental: the key holds usage_date, so a duplicate is always within one day. An
-- incremental run checks only the days of base_raw__usage_valid's latest load (the
-- pre-hook first deletes those days' earlier duplicates), so run it after every load
-- of base_raw__usage_valid (`dbt build` does).
{%- set key_hash = cs_hash_key(['account_id', 'usage_date', 'feature']) %}
{#- an incremental run checks the rows of base_raw__usage_valid's latest load -#}
{%- set rows_to_check = 'load_number = (select max(loads.load_number) from ' ~ ref('base_raw__usage_valid')
    ~ ' as loads)' if is_incremental() else 'true' %}
with

-- the hashes of the keys to check. The valid rows are read twice, here and for the rows
-- whose hash repeats, by two CTEs each read once: DuckDB writes out in full a CTE that
-- is read twice, and one of every usage row took two thirds of this model's time
-- (benchmarks/results/2026-12-06-duplicates-cte-read-once.md)
key_hashes as (
    select
        usage_date,
        {{ key_hash }} as key_hash
    from {{ ref('base_raw__usage_valid') }}
    where {{ rows_to_check }}
),

repeated_hashes as (
    {{ cs_sorted_repeats('select usage_date, key_hash from key_hashes', 'key_hash', partition_by='usage_date')
        | indent(4) }}
),

rows_of_repeated_hashes as (
    select
        source_row_number,
        account_id,
        usage_date,
        feature
    from {{ ref('base_raw__usage_valid') }}
    where
        {{ rows_to_check }}
        and {{ key_hash }} in (select repeated_hashes.key_hash from repeated_hashes)
),

first_rows as (
    select
        account_id,
        usage_date,
        feature,
        min(source_row_number) as first_row_number
    from rows_of_repeated_hashes
    group by account_id, usage_date, feature
    having count(*) > 1
),

final as (
    select
        rows_of_repeated_hashes.source_row_number,
        rows_of_repeated_hashes.usage_date,
        'duplicate account_id, usage_date, feature' as reject_reason
    from rows_of_repeated_hashes
    inner join first_rows
        on first_rows.account_id = rows_of_repeated_hashes.account_id
        and first_rows.usage_date = rows_of_repeated_hashes.usage_date
        and first_rows.feature = rows_of_repeated_hashes.feature
    where rows_of_repeated_hashes.source_row_number > first_rows.first_row_number
)

{{ cs_select_with_day_partition('final', 'usage_date') }}
