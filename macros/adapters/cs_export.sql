{#-
    cs_write_parquet_directory(sql, directory): a statement that writes the rows of a query
    as Parquet files into a directory, replacing what the directory held. The publish of a
    Spark build (macros/utils/cs_export_for_publish.sql) copies the public relations this
    way, through dbt's own connection, so that it works over every connection method
    (session, Thrift, HTTP). Spark: its `insert overwrite directory`; the executors write
    the files, so the directory must be storage that they and the publishing machine both
    reach. DuckDB builds are published as they are, so DuckDB has no implementation.
-#}
{% macro cs_write_parquet_directory(sql, directory) -%}
    {{ return(adapter.dispatch('cs_write_parquet_directory', 'cs_warehouse')(sql, directory)) }}
{%- endmacro %}

{% macro spark__cs_write_parquet_directory(sql, directory) -%}
insert overwrite directory {{ cs_sql_string(directory) }} using parquet
{{ sql }}
{%- endmacro %}

{% macro default__cs_write_parquet_directory(sql, directory) -%}
    {{ exceptions.raise_compiler_error('cs_write_parquet_directory has no implementation for the adapter "'
        ~ adapter.type() ~ '": add ' ~ adapter.type() ~ '__cs_write_parquet_directory to macros/adapters/') }}
{%- endmacro %}
