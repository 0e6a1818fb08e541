{#-
    How an incremental model replaces or removes whole days or months, per engine.

    cs_replace_strategy()     the incremental_strategy of a model that replaces the
                              values of its unique_key whole (a day, a month) on each
                              run: DuckDB's delete+insert. Spark without Delta or
                              Iceberg has no delete: insert_overwrite, with the key as
                              the table's partition column (cs_partition_by), replaces
                              the partitions that the run writes and keeps the others.
    cs_partition_by(column)   the partition_by config: the column on Spark (for
                              insert_overwrite, and for cs_delete_rows on an append
                              model), none on DuckDB.
    cs_delete_rows(relation, column, condition)
                              a statement (a hook) that removes the rows of relation
                              where condition holds. DuckDB: delete. Spark: drops
                              every partition of `column` (the model must be
                              partitioned by it) that holds a row meeting the
                              condition, found by a query when the hook runs, so the
                              condition must select whole partitions; a null
                              partition is not dropped.

    Day-grain models (the usage rows and their daily aggregates) are replaced by day on
    DuckDB and by month on Spark:
    cs_day_partition_column(day_column)
                              the column whose values a day-grain model replaces whole:
                              the day itself on DuckDB (its unique_key, and what
                              cs_delete_rows deletes by); on Spark `partition_month`, the
                              first day of the day's month, the table's partition column.
    cs_select_with_day_partition(relation, day_column)
                              a model's final select: `select * from relation` on
                              DuckDB; on Spark with the column partition_month added.
    cs_day_partition_start(cutoff)
                              a refresh cutoff (a date expression: rows after it are read
                              again) moved back so that the rows read fill whole
                              partitions: unchanged on DuckDB; on Spark the last day of
                              the month before the one that holds the day after it.
    Why months on Spark: each partition costs a file per write, and a metastore entry,
    whatever its size; with 1,111 day partitions (the demo's 3 years) each day-grain
    table took 15 to 29 s in the demo build, 4 to 5 s with 37 month partitions
    (benchmarks/results/2026-12-05-spark-month-partitions.md). A Spark refresh reads the
    usage again from the start of its cutoff's month, not from the cutoff: more rows,
    fewer partitions.

    Left to do on Spark: a run that writes no row for a day or month keeps that
    partition's old rows (delete+insert on DuckDB does the same: only keys present in
    the new rows are deleted); one file per partition and run, so partitions of a table
    refreshed daily grow small files and want compaction.
-#}
{% macro cs_replace_strategy() -%}
    {{ return(adapter.dispatch('cs_replace_strategy', 'cs_warehouse')()) }}
{%- endmacro %}

{% macro default__cs_replace_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro spark__cs_replace_strategy() -%}
    {{ return('insert_overwrite') }}
{%- endmacro %}


{% macro cs_partition_by(column) -%}
    {{ return(adapter.dispatch('cs_partition_by', 'cs_warehouse')(column)) }}
{%- endmacro %}

{% macro default__cs_partition_by(column) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro spark__cs_partition_by(column) -%}
    {{ return([column]) }}
{%- endmacro %}


{% macro cs_day_partition_column(day_column) -%}
    {{ return(adapter.dispatch('cs_day_partition_column', 'cs_warehouse')(day_column)) }}
{%- endmacro %}

{% macro default__cs_day_partition_column(day_column) -%}
    {{ return(day_column) }}
{%- endmacro %}

{% macro spark__cs_day_partition_column(day_column) -%}
    {{ return('partition_month') }}
{%- endmacro %}


{% macro cs_select_with_day_partition(relation, day_column) -%}
    {{ return(adapter.dispatch('cs_select_with_day_partition', 'cs_warehouse')(relation, day_column)) }}
{%- endmacro %}

{% macro default__cs_select_with_day_partition(relation, day_column) -%}
select * from {{ relation }}
{%- endmacro %}

{% macro spark__cs_select_with_day_partition(relation, day_column) -%}
select
    *,
    trunc({{ day_column }}, 'MM') as partition_month
from {{ relation }}
{%- endmacro %}


{% macro cs_day_partition_start(cutoff) -%}
    {{ return(adapter.dispatch('cs_day_partition_start', 'cs_warehouse')(cutoff)) }}
{%- endmacro %}

{% macro default__cs_day_partition_start(cutoff) -%}
{{ cutoff }}
{%- endmacro %}

{% macro spark__cs_day_partition_start(cutoff) -%}
date_sub(trunc(date_add({{ cutoff }}, 1), 'MM'), 1)
{%- endmacro %}


{% macro cs_delete_rows(relation, column, condition) -%}
    {{ return(adapter.dispatch('cs_delete_rows', 'cs_warehouse')(relation, column, condition)) }}
{%- endmacro %}

{% macro default__cs_delete_rows(relation, column, condition) -%}
delete from {{ relation }} where {{ condition }}
{%- endmacro %}

{% macro spark__cs_delete_rows(relation, column, condition) -%}
    {%- if not execute -%}
        {{- return('select 1') -}}
    {%- endif -%}
    {%- set found = run_query('select distinct cast(' ~ column ~ ' as string) from ' ~ relation
        ~ ' where ' ~ condition ~ ' and ' ~ column ~ ' is not null') -%}
    {%- set partitions = [] -%}
    {%- for row in found.rows -%}
        {%- do partitions.append('partition (' ~ column ~ ' = ' ~ cs_sql_string(row[0]) ~ ')') -%}
    {%- endfor -%}
    {%- if partitions | length == 0 -%}
        {{- return('select 1') -}}
    {%- endif -%}
    {{- return('alter table ' ~ relation ~ ' drop if exists ' ~ partitions | join(', ')) -}}
{%- endmacro %}
