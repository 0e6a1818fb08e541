{#-
    Where the raw files are, and what the contract says about them.

    cs_raw_dir()              the raw directory: env CS_RAW_DIR, else the bundled demo
                              dataset (data/demo under the directory dbt runs from).
    cs_raw_file(name)         the file of a source: <dir>/<name>.parquet if it exists,
                              else <dir>/<name>.csv if it exists, else none.
    cs_contract(name)         the source's node from _raw__sources.yml (graph.sources).
    cs_sql_string(text)       a SQL string literal, quotes doubled (paths with quotes).
-#}

{% macro cs_raw_dir() %}
    {%- set raw_dir = env_var('CS_RAW_DIR', '') | trim -%}
    {%- if raw_dir == '' -%}
        {%- set raw_dir = env_var('PWD', '.') ~ '/data/demo' -%}
    {%- endif -%}
    {{- return(raw_dir.rstrip('/')) -}}
{% endmacro %}


{% macro cs_sql_string(text) %}
    {{- return("'" ~ (text | string).replace("'", "''") ~ "'") -}}
{% endmacro %}


{% macro cs_raw_file(source_name) %}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set raw_dir = cs_raw_dir() -%}
    {%- for extension in ['parquet', 'csv'] -%}
        {%- set candidate = raw_dir ~ '/' ~ source_name ~ '.' ~ extension -%}
        {#- glob() treats * ? [ as patterns: escape them so odd directory names work -#}
        {%- set pattern = candidate.replace('[', '[[]').replace('*', '[*]').replace('?', '[?]') -%}
        {%- set found = run_query('select count(*) from glob(' ~ cs_sql_string(pattern) ~ ')') -%}
        {%- if found.rows[0][0] > 0 -%}
            {{- return({'path': candidate, 'format': extension, 'name': source_name ~ '.' ~ extension}) -}}
        {%- endif -%}
    {%- endfor -%}
    {{- return(none) -}}
{% endmacro %}


{% macro cs_contract(source_name) %}
    {%- set node = graph.sources.get('source.' ~ project_name ~ '.raw.' ~ source_name) -%}
    {%- if node is none -%}
        {{ exceptions.raise_compiler_error('The raw contract has no source named ' ~ source_name) }}
    {%- endif -%}
    {{- return(node) -}}
{% endmacro %}


{#- The read expression of a raw file: every CSV value is read as text first so that
    an unreadable value can be reported instead of silently becoming null. -#}
{% macro cs_read_expression(raw_file) %}
    {%- if raw_file.format == 'parquet' -%}
        {{- return('read_parquet(' ~ cs_sql_string(raw_file.path) ~ ')') -}}
    {%- else -%}
        {{- return('read_csv(' ~ cs_sql_string(raw_file.path)
            ~ ", header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"')") -}}
    {%- endif -%}
{% endmacro %}
