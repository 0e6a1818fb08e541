{#-
    The on-run-end hook of every run (dbt_project.yml). It does nothing unless the publish
    of a build on Spark asks for it by setting CS_PUBLISH_EXPORT_DIR
    (cs_warehouse/publish.py). Then, when every node of the run succeeded, it writes what
    the readers of the published DuckDB file need into that directory as Parquet, through
    dbt's own connection: each model and seed of the public schema that the run built,
    and the semantic layer's time spine, in <directory>/<schema>/<name>/; then a listing of
    those relations with their row counts, in <directory>/_exported/, which the publish
    reads to copy them into DuckDB and check the counts (cs_warehouse/spark.py). A run
    with a failed node writes nothing: it is not published.
-#}
{% macro cs_export_for_publish(results) %}
    {%- set directory = env_var('CS_PUBLISH_EXPORT_DIR', '') -%}
    {%- if not (execute and directory) -%}
        {{ return('') }}
    {%- endif -%}
    {%- for result in results if result.status in ('error', 'fail', 'skipped') -%}
        {{ return('') }}
    {%- endfor -%}
    {#- the semantic layer's time spine is internal, but the semantic layer reads it from the published file -#}
    {%- set reader_internals = ['metricflow_time_spine'] -%}
    {%- set counts = [] -%}
    {%- for result in results
        if result.node.resource_type in ('model', 'seed')
        and (result.node.schema == target.schema or result.node.name in reader_internals) -%}
        {%- set relation = api.Relation.create(database=result.node.database, schema=result.node.schema,
                                               identifier=result.node.alias) -%}
        {%- do run_query(cs_write_parquet_directory('select * from ' ~ relation,
                                                    directory ~ '/' ~ result.node.schema ~ '/' ~ result.node.alias)) -%}
        {%- do counts.append('select ' ~ cs_sql_string(result.node.schema) ~ ' as relation_schema, '
            ~ cs_sql_string(result.node.alias) ~ ' as relation_name, count(*) as row_count from ' ~ relation) -%}
    {%- endfor -%}
    {%- if counts -%}
        {%- do run_query(cs_write_parquet_directory(counts | join('\nunion all\n'), directory ~ '/_exported')) -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
