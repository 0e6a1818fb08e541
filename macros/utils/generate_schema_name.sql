{#-
    Where a model lands: the public relations (models/marts, seeds) in the target's
    schema (`main` on DuckDB), the internal ones in the schema their folder names in
    dbt_project.yml (`staging`, `intermediate`), as that name and not prefixed with
    the target's, so that a BI tool offered only `main` sees only what it may read.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
