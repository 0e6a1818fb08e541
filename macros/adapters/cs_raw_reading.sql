{#-
    How an engine reads the raw files (macros/raw/ holds the rules and the messages;
    this file the SQL that differs from one engine to the next). Each macro has a
    DuckDB implementation; `default__` stops, naming the macro to add for a new engine.

    cs_file_exists_sql(path)          a query: the number of files at path (0 or 1).
    cs_read_raw_file(raw_file)        the relation of a raw file, every CSV value as
                                      text: raw_file.path, .format (csv or parquet),
                                      .columns (a CSV file's header names).
    cs_first_line_sql(path)           a query: the first line of a text file, as is.
    cs_check_file_order(raw_file)     stops the build where the engine would not read a
                                      CSV file's lines in file order.
    cs_encoding_check_sql(path)       a query: one row (not_utf8, is_utf16).
    cs_numbered_raw_rows(raw_file)    every row of a raw file, numbered in file order
                                      from 1 (source_row_number), then its columns.
    cs_describe_sql(sql)              a query: (column name, column type) of each column
                                      of the query `sql`, in order.
    cs_regexp_full_match(text, pattern)  true where the whole text matches pattern.
    cs_try_cast(text, data_type)      the text as data_type, null where it is not one.
    cs_json_object(pairs)             a JSON object (varchar) of [(name, expression)].
    cs_parquet_row_count(path)        an expression: the rows of a Parquet file, from its
                                      metadata (no row is read).
-#}

{% macro cs_file_exists_sql(path) -%}
    {{ return(adapter.dispatch('cs_file_exists_sql', 'cs_warehouse')(path)) }}
{%- endmacro %}

{% macro duckdb__cs_file_exists_sql(path) -%}
    {#- glob() treats * ? [ as patterns: escape them so odd directory names work -#}
    {%- set pattern = path.replace('[', '[[]').replace('*', '[*]').replace('?', '[?]') -%}
    {{- return('select count(*) from glob(' ~ cs_sql_string(pattern) ~ ')') -}}
{%- endmacro %}


{% macro cs_read_raw_file(raw_file) -%}
    {{ return(adapter.dispatch('cs_read_raw_file', 'cs_warehouse')(raw_file)) }}
{%- endmacro %}

{#- A CSV file is read with its dialect fixed (comma, double quotes, header row, no
    comment lines) and the column names of its header, so that DuckDB's sniffer never
    guesses: a guess can take a damaged line for the header and lose every row above
    it. A row with more or fewer fields than the header stops the build with DuckDB's
    message, which names the line. Blank lines are not rows. -#}
{% macro duckdb__cs_read_raw_file(raw_file) -%}
    {%- if raw_file.format == 'parquet' -%}
        {{- return('read_parquet(' ~ cs_sql_string(raw_file.path) ~ ')') -}}
    {%- endif -%}
    {%- set column_types = [] -%}
    {%- for name in raw_file.columns -%}
        {%- do column_types.append(cs_sql_string(name) ~ ": 'varchar'") -%}
    {%- endfor -%}
    {{- return('read_csv(' ~ cs_sql_string(raw_file.path)
        ~ ", header = true, auto_detect = false, columns = {" ~ column_types | join(', ') ~ "}"
        ~ ", delim = ',', quote = '\"', escape = '\"', comment = '', strict_mode = true, null_padding = false)") -}}
{%- endmacro %}


{% macro cs_first_line_sql(path) -%}
    {{ return(adapter.dispatch('cs_first_line_sql', 'cs_warehouse')(path)) }}
{%- endmacro %}

{#- read without strict mode, so that a line feed inside quotes in a CRLF file
    (Alt+Enter in Excel on Windows), or the reverse mix, does not stop it -#}
{% macro duckdb__cs_first_line_sql(path) -%}
    {{- return('select line from read_csv(' ~ cs_sql_string(path)
        ~ ", header = false, auto_detect = false, columns = {'line': 'varchar'}, delim = chr(30),"
        ~ " quote = '', escape = '', comment = '', strict_mode = false) limit 1") -}}
{%- endmacro %}


{% macro cs_check_file_order(raw_file) -%}
    {{ return(adapter.dispatch('cs_check_file_order', 'cs_warehouse')(raw_file)) }}
{%- endmacro %}

{#- A CSV file's header is its first line and its rows are numbered in file order
    (`limit 1` in cs_first_line_sql, `row_number() over ()` in cs_numbered_raw_rows),
    which DuckDB keeps only while preserve_insertion_order is true (its default;
    profiles.yml sets it). With it false, a parallel scan may hand any line over first:
    a data row read as the header, or row numbers that point at the wrong lines,
    without an error. So a profile that turns it off stops the build here. -#}
{% macro duckdb__cs_check_file_order(raw_file) -%}
    {%- set setting = run_query("select cast(current_setting('preserve_insertion_order') as varchar)") -%}
    {%- if (setting.rows[0][0] | string | lower) != 'true' -%}
        {{ exceptions.raise_compiler_error(raw_file.path ~ ': cannot be read in file order, because the DuckDB setting'
            ~ ' preserve_insertion_order is ' ~ setting.rows[0][0] ~ ' in this dbt profile. CSV files are read by the'
            ~ ' order of their lines (the header, and source_row_number of every row), which DuckDB keeps only when it'
            ~ ' is true: set `preserve_insertion_order: true` under the profile\'s settings (as profiles.yml does).') }}
    {%- endif -%}
    {{- return('') -}}
{%- endmacro %}


{% macro cs_encoding_check_sql(path) -%}
    {{ return(adapter.dispatch('cs_encoding_check_sql', 'cs_warehouse')(path)) }}
{%- endmacro %}

{#- Files over 2 GB are not checked here: DuckDB's reader then stops on the first
    invalid byte, naming the file and the line. -#}
{% macro duckdb__cs_encoding_check_sql(path) -%}
    {{- return('select case when size <= 2147483648 then try(decode(content)) is null else false end as not_utf8,'
        ~ " content[1:2] in ('\\xFF\\xFE'::blob, '\\xFE\\xFF'::blob) as is_utf16"
        ~ ' from read_blob(' ~ cs_sql_string(path) ~ ')') -}}
{%- endmacro %}


{% macro cs_numbered_raw_rows(raw_file) -%}
    {{ return(adapter.dispatch('cs_numbered_raw_rows', 'cs_warehouse')(raw_file)) }}
{%- endmacro %}

{#- A Parquet reader numbers its rows itself (a window over a large file costs far more). -#}
{% macro duckdb__cs_numbered_raw_rows(raw_file) -%}
    {%- if raw_file.format == 'parquet' -%}
select
    file_row_number + 1 as source_row_number,
    * exclude (file_row_number)
from read_parquet({{ cs_sql_string(raw_file.path) }}, file_row_number = true)
    {%- else -%}
select
    row_number() over () as source_row_number,
    *
from {{ cs_read_raw_file(raw_file) }}
    {%- endif -%}
{%- endmacro %}


{% macro cs_describe_sql(sql) -%}
    {{ return(adapter.dispatch('cs_describe_sql', 'cs_warehouse')(sql)) }}
{%- endmacro %}

{% macro duckdb__cs_describe_sql(sql) -%}
    {{- return('select column_name, column_type from (describe ' ~ sql ~ ')') -}}
{%- endmacro %}


{% macro cs_regexp_full_match(text, pattern) -%}
    {{ return(adapter.dispatch('cs_regexp_full_match', 'cs_warehouse')(text, pattern)) }}
{%- endmacro %}

{% macro duckdb__cs_regexp_full_match(text, pattern) -%}
    {{- return('regexp_full_match(' ~ text ~ ', ' ~ cs_sql_string(pattern) ~ ')') -}}
{%- endmacro %}


{% macro cs_try_cast(text, data_type) -%}
    {{ return(adapter.dispatch('cs_try_cast', 'cs_warehouse')(text, data_type)) }}
{%- endmacro %}

{% macro duckdb__cs_try_cast(text, data_type) -%}
    {{- return('try_cast(' ~ text ~ ' as ' ~ data_type ~ ')') -}}
{%- endmacro %}


{% macro cs_json_object(pairs) -%}
    {{ return(adapter.dispatch('cs_json_object', 'cs_warehouse')(pairs)) }}
{%- endmacro %}

{% macro duckdb__cs_json_object(pairs) -%}
    {%- set items = [] -%}
    {%- for name, expression in pairs -%}
        {%- do items.append(cs_sql_identifier(name) ~ ' := ' ~ expression) -%}
    {%- endfor -%}
    {{- return('cast(to_json(struct_pack(\n            ' ~ items | join(',\n            ') ~ '\n        )) as varchar)') -}}
{%- endmacro %}


{% macro cs_parquet_row_count(path) -%}
    {{ return(adapter.dispatch('cs_parquet_row_count', 'cs_warehouse')(path)) }}
{%- endmacro %}

{% macro duckdb__cs_parquet_row_count(path) -%}
    {{- return('(select sum(num_rows) from parquet_file_metadata(' ~ cs_sql_string(path) ~ '))') -}}
{%- endmacro %}


{#- every dispatch point above stops on an engine without an implementation -#}
{% macro cs_raw_reading_missing(name) -%}
    {{ exceptions.raise_compiler_error(name ~ ' has no implementation for the adapter "'
        ~ adapter.type() ~ '": add ' ~ adapter.type() ~ '__' ~ name ~ ' to macros/adapters/') }}
{%- endmacro %}
{% macro default__cs_file_exists_sql(path) %}{{ cs_raw_reading_missing('cs_file_exists_sql') }}{% endmacro %}
{% macro default__cs_read_raw_file(raw_file) %}{{ cs_raw_reading_missing('cs_read_raw_file') }}{% endmacro %}
{% macro default__cs_first_line_sql(path) %}{{ cs_raw_reading_missing('cs_first_line_sql') }}{% endmacro %}
{% macro default__cs_check_file_order(raw_file) %}{{ cs_raw_reading_missing('cs_check_file_order') }}{% endmacro %}
{% macro default__cs_encoding_check_sql(path) %}{{ cs_raw_reading_missing('cs_encoding_check_sql') }}{% endmacro %}
{% macro default__cs_numbered_raw_rows(raw_file) %}{{ cs_raw_reading_missing('cs_numbered_raw_rows') }}{% endmacro %}
{% macro default__cs_describe_sql(sql) %}{{ cs_raw_reading_missing('cs_describe_sql') }}{% endmacro %}
{% macro default__cs_regexp_full_match(text, pattern) %}{{ cs_raw_reading_missing('cs_regexp_full_match') }}{% endmacro %}
{% macro default__cs_try_cast(text, data_type) %}{{ cs_raw_reading_missing('cs_try_cast') }}{% endmacro %}
{% macro default__cs_json_object(pairs) %}{{ cs_raw_reading_missing('cs_json_object') }}{% endmacro %}
{% macro default__cs_parquet_row_count(path) %}{{ cs_raw_reading_missing('cs_parquet_row_count') }}{% endmacro %}
