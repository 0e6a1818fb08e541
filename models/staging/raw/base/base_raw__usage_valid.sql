{{
    config(
        materialized='incremental',
        incremental_strategy=cs_replace_strategy(),
        unique_key=cs_day_partition_column('usage_date'),
        partition_by=cs_partition_by(cs_day_partition_column('usage_date')),
        on_schema_change='fail',
    )
}}
-- The usage rows that break no rule on their own, typed: the one table the usage path
-- writes at the grain of the file (account_id, usage_date, feature). It is written in
-- one scan of the file (base_raw__usage is a view over it), and every other usage model
-- reads this table, not the file: the duplicate key check (base_raw__usage_duplicates),
-- the accepted rows (stg_raw__usage) and, through them, the aggregates.
--
-- Incremental by day: a run reads only the days after the cutoff (the latest complete
-- day held here minus `usage_incremental_lookback_days`,
-- macros/usage/cs_latest_complete_usage_day.sql) and replaces those days whole (dbt's
-- delete+insert on usage_date; on Spark, from the start of the cutoff's month, and
-- insert_overwrite of month partitions: macros/adapters/cs_incremental.sql).
-- load_number says which load wrote the row (1 for a full build, one more for each
-- incremental run), so that base_raw__usage_duplicates checks only the days of the
-- latest load; two builds of the same file are identical.
with

usage as (
    select * from {{ ref('base_raw__usage') }}
    where reject_reason is null
        {% if is_incremental() %}
        and usage_date > {{ cs_usage_refresh_cutoff(
            'select usage_date, count(*) as rows from ' ~ this ~ ' group by usage_date') }}
        {% endif %}
),

final as (
    select
        source_row_number,
        account_id,
        usage_date,
        feature,
        active_users,
        events,
        {% if is_incremental() -%}
        (select coalesce(max(loads.load_number), 0) + 1 from {{ this }} as loads)
        {%- else -%}
        1
        {%- endif %} as load_number
    from usage
)

{{ cs_select_with_day_partition('final', 'usage_date') }}
