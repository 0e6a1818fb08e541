{#-
    A contract's not_null constraints on Spark. dbt-spark sets them with `alter table
    ... change column ... set not null`, which only Delta tables take: on the Parquet
    tables of a Spark without Delta it fails, and with file_format parquet dbt-spark
    skips them. Here, on a table that is not Delta, one query counts the rows with a
    null in a not_null column and stops the build when there is one, as the
    constraint would have (the table is then already written, unlike with a
    constraint). On Delta, dbt-spark's own macro runs.
-#}
{% macro spark__persist_constraints(relation, model) %}
    {%- if config.get('file_format', 'delta') == 'delta' -%}
        {{ return(dbt_spark.spark__persist_constraints(relation, model)) }}
    {%- endif -%}
    {%- set contract = config.get('contract') -%}
    {%- if not (contract and contract.enforced) -%}
        {{ return('') }}
    {%- endif -%}
    {%- set not_null = [] -%}
    {%- for name, column in model.columns.items() -%}
        {%- for constraint in column.constraints if constraint.type == 'not_null' -%}
            {%- do not_null.append(name) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not_null | length == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set counts = [] -%}
    {%- for name in not_null -%}
        {%- do counts.append('count_if(' ~ adapter.quote(name) ~ ' is null)') -%}
    {%- endfor -%}
    {%- set found = run_query('select ' ~ counts | join(', ') ~ ' from ' ~ relation).rows[0] -%}
    {%- set violated = [] -%}
    {%- for name in not_null -%}
        {%- if found[loop.index0] > 0 -%}
            {%- do violated.append(name ~ ' (' ~ found[loop.index0] ~ ' rows)') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if violated -%}
        {{ exceptions.raise_compiler_error(relation ~ ': the contract says not null, but these columns have nulls: '
            ~ violated | join(', ')) }}
    {%- endif -%}
{% endmacro %}
