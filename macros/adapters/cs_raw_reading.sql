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

{#- Spark's binaryFile source lists the directory (the content is not read unless
    selected); a path that does not exist is an error there, so the directory is listed
    and the name looked up. The directory must exist. Hadoop reads * ? [ { in the
    directory's path as patterns. -#}
{% macro spark__cs_file_exists_sql(path) -%}
    {%- set parts = path.rsplit('/', 1) -%}
    {{- return('select count(*) from binaryFile.' ~ cs_sql_identifier(parts[0] if parts | length > 1 else '.')
        ~ ' where substring_index(path, \'/\', -1) = ' ~ cs_sql_string(parts[-1])) -}}
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

{#- Spark reads a CSV file through an external table over it, in the staging schema
    (created here, when the model compiles; dropping it leaves the file), with the dialect
    fixed and every column a string named from the header: FAILFAST stops on a row with
    more or fewer fields than the header (Spark's message names no line); multiLine keeps
    the whole file in one partition, so rows come in file order (cs_numbered_raw_rows).
    A table, not a temporary view: a view such as base_raw__usage may reference it, and
    over Thrift it does not depend on the connection that compiled the model. -#}
{% macro spark__cs_read_raw_file(raw_file) -%}
    {%- if raw_file.format == 'parquet' -%}
        {{- return('parquet.' ~ cs_sql_identifier(raw_file.path)) -}}
    {%- endif -%}
    {#- one table per file name (the callers' dicts differ; every one has the path) -#}
    {%- set schema = generate_schema_name('staging', none) | trim -%}
    {%- set table = schema ~ '.cs_raw_csv__' ~ modules.re.sub('[^A-Za-z0-9_]', '_', raw_file.path.split('/')[-1]) -%}
    {%- set column_types = [] -%}
    {%- for name in raw_file.columns -%}
        {%- do column_types.append(cs_sql_identifier(name) ~ ' string') -%}
    {%- endfor -%}
    {%- if execute -%}
        {%- call statement('cs_raw_csv_schema') -%}
            create schema if not exists {{ schema }}
        {%- endcall -%}
        {%- call statement('cs_raw_csv_drop') -%}
            drop table if exists {{ table }}
        {%- endcall -%}
        {%- call statement('cs_raw_csv_table') -%}
            create table {{ table }} ({{ column_types | join(', ') }})
            using csv
            options (path {{ cs_sql_string(raw_file.path) }}, header 'true', enforceSchema 'true',
                inferSchema 'false', mode 'FAILFAST', multiLine 'true', sep ',', quote '"',
                escape '"', encoding 'UTF-8')
        {%- endcall -%}
    {%- endif -%}
    {{- return(table) -}}
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

{#- Spark's text source: one row per line (\n, \r\n or \r), the first split first -#}
{% macro spark__cs_first_line_sql(path) -%}
    {{- return('select value as line from text.' ~ cs_sql_identifier(path) ~ ' limit 1') -}}
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

{#- Spark: nothing to check; the CSV view is read with multiLine (one partition per
    file, rows in file order), whatever the session's settings. -#}
{% macro spark__cs_check_file_order(raw_file) -%}
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

{#- Spark's binaryFile reads the whole file into one value: files over 2 GB fail there
    (spark.sql.sources.binaryFile.maxLength), not here. -#}
{% macro spark__cs_encoding_check_sql(path) -%}
    {{- return('select not is_valid_utf8(cast(content as string)) as not_utf8,'
        ~ " substring(content, 1, 2) in (X'FFFE', X'FEFF') as is_utf16"
        ~ ' from binaryFile.' ~ cs_sql_identifier(path)) -}}
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

{#- Spark: a Parquet row's index in its file is in the hidden _metadata column; a CSV
    file is one partition (multiLine, cs_read_raw_file), so monotonically_increasing_id()
    follows its lines. The window without partition sorts the file on one core: fine
    for the CSV sources, which are small; large sources should be Parquet. -#}
{% macro spark__cs_numbered_raw_rows(raw_file) -%}
    {%- if raw_file.format == 'parquet' -%}
select
    _metadata.row_index + 1 as source_row_number,
    *
from {{ cs_read_raw_file(raw_file) }}
    {%- else -%}
select
    cast(row_number() over (order by monotonically_increasing_id()) as bigint) as source_row_number,
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

{#- Spark's `describe query` is a statement, not a relation: it runs here, and the
    query returned lists its rows, the types named as DuckDB names them (the raw macros
    compare them with the contract's data_type: varchar, integer, ...). -#}
{% macro spark__cs_describe_sql(sql) -%}
    {%- if not execute -%}
        {{- return("select 'column' as column_name, 'varchar' as column_type") -}}
    {%- endif -%}
    {%- set described = run_query('describe query ' ~ sql) -%}
    {%- set names = {'string': 'varchar', 'int': 'integer', 'timestamp_ntz': 'timestamp', 'binary': 'blob'} -%}
    {%- set rows = [] -%}
    {%- for row in described.rows -%}
        {%- set type_name = row[1] | lower -%}
        {%- do rows.append('(' ~ cs_sql_string(row[0]) ~ ', ' ~ cs_sql_string(names.get(type_name, type_name)) ~ ')') -%}
    {%- endfor -%}
    {{- return('select column_name, column_type from values ' ~ rows | join(', ') ~ ' as described(column_name, column_type)') -}}
{%- endmacro %}


{% macro cs_regexp_full_match(text, pattern) -%}
    {{ return(adapter.dispatch('cs_regexp_full_match', 'cs_warehouse')(text, pattern)) }}
{%- endmacro %}

{% macro duckdb__cs_regexp_full_match(text, pattern) -%}
    {{- return('regexp_full_match(' ~ text ~ ', ' ~ cs_sql_string(pattern) ~ ')') -}}
{%- endmacro %}

{#- Java's $ also matches before a final line break: \z is the end of the text -#}
{% macro spark__cs_regexp_full_match(text, pattern) -%}
    {{- return('(' ~ text ~ ' rlike ' ~ cs_sql_string('^(?:' ~ pattern ~ ')\\z') ~ ')') -}}
{%- endmacro %}


{% macro cs_try_cast(text, data_type) -%}
    {{ return(adapter.dispatch('cs_try_cast', 'cs_warehouse')(text, data_type)) }}
{%- endmacro %}

{% macro duckdb__cs_try_cast(text, data_type) -%}
    {{- return('try_cast(' ~ text ~ ' as ' ~ data_type ~ ')') -}}
{%- endmacro %}

{#- a contract's varchar is Spark's string (Spark's varchar needs a length) -#}
{% macro spark__cs_try_cast(text, data_type) -%}
    {{- return('try_cast(' ~ text ~ ' as ' ~ cs_data_type(data_type) ~ ')') -}}
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

{#- Spark's to_json leaves null fields out unless told otherwise; DuckDB keeps them -#}
{% macro spark__cs_json_object(pairs) -%}
    {%- set items = [] -%}
    {%- for name, expression in pairs -%}
        {%- do items.append(cs_sql_string(name) ~ ', ' ~ expression) -%}
    {%- endfor -%}
    {{- return("to_json(named_struct(\n            " ~ items | join(',\n            ')
        ~ "\n        ), map('ignoreNullFields', 'false'))") -}}
{%- endmacro %}


{% macro cs_parquet_row_count(path) -%}
    {{ return(adapter.dispatch('cs_parquet_row_count', 'cs_warehouse')(path)) }}
{%- endmacro %}

{% macro duckdb__cs_parquet_row_count(path) -%}
    {{- return('(select sum(num_rows) from parquet_file_metadata(' ~ cs_sql_string(path) ~ '))') -}}
{%- endmacro %}

{#- Spark has no function over a file's metadata; a count(*) reads no column -#}
{% macro spark__cs_parquet_row_count(path) -%}
    {{- return('(select count(*) from parquet.' ~ cs_sql_identifier(path) ~ ')') -}}
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


{#- the date of a timestamp that is midnight, else null: a Parquet file written by pandas
    stores dates as timestamps -#}
{% macro cs_date_at_midnight(timestamp) -%}
    {{ return(adapter.dispatch('cs_date_at_midnight', 'cs_warehouse')(timestamp)) }}
{%- endmacro %}

{% macro duckdb__cs_date_at_midnight(timestamp) -%}
    {{- return("case when cast(" ~ timestamp ~ " as time) = time '00:00:00' then cast(" ~ timestamp ~ " as date) end") -}}
{%- endmacro %}

{#- Spark has no time of day type: midnight is where the timestamp is its day's start -#}
{% macro spark__cs_date_at_midnight(timestamp) -%}
    {{- return("case when date_trunc('DAY', " ~ timestamp ~ ") = " ~ timestamp ~ " then cast(" ~ timestamp ~ " as date) end") -}}
{%- endmacro %}
