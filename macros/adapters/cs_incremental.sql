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
                              where condition holds, a condition on `column` alone.
                              DuckDB: delete. Spark: drops the partitions of `column`
                              (the model must be partitioned by it) whose values meet
                              the condition, found by a query when the hook runs; a
                              null partition is not dropped.

    Left to do on Spark: a run that writes no row for a day or month keeps that
    partition's old rows (delete+insert on DuckDB does the same: only keys present in
    the new rows are deleted); one file per partition and run, so a daily partition
    grows small files (1,100 days in the demo) and wants compaction.
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
