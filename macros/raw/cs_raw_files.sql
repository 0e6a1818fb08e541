{#-
    Where the raw files are, and what the contract says about them.

    cs_raw_dir()              the raw directory: env CS_RAW_DIR, else the bundled demo
                              dataset, data/demo relative to the directory dbt runs in
                              (the project directory; make and cs_warehouse set
                              CS_RAW_DIR to an absolute path).
    cs_raw_file(name)         the file of a source: <dir>/<name>.parquet if it exists,
                              else <dir>/<name>.csv if it exists, else none.
    cs_contract(name)         the source's node from _raw__sources.yml (graph.sources).
    cs_sql_string(text)       a SQL string literal, quotes doubled (paths with quotes).
    cs_sql_identifier(name)   a quoted SQL identifier, quotes doubled (a column named
                              `Notes "internal"` in a file's header).
-#}

{% macro cs_raw_dir() %}
    {%- set raw_dir = env_var('CS_RAW_DIR', '') | trim -%}
    {%- if raw_dir == '' -%}
        {%- set raw_dir = 'data/demo' -%}
    {%- endif -%}
    {{- return(raw_dir.rstrip('/')) -}}
{% endmacro %}


{% macro cs_sql_string(text) %}
    {{- return("'" ~ (text | string).replace("'", "''") ~ "'") -}}
{% endmacro %}


{% macro cs_sql_identifier(name) %}
    {{- return('"' ~ (name | string).replace('"', '""') ~ '"') -}}
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
    an unreadable value can be reported instead of silently becoming null.

    A CSV file is read with its dialect fixed (comma, double quotes, header row, no
    comment lines) and the column names of its header (raw_file.columns, from
    cs_csv_header), so that DuckDB's sniffer never guesses: a guess can take a
    damaged line for the header and lose every row above it. A row with more or
    fewer fields than the header stops the build with DuckDB's message, which
    names the line. Blank lines are not rows. -#}
{% macro cs_read_expression(raw_file) %}
    {%- if raw_file.format == 'parquet' -%}
        {{- return('read_parquet(' ~ cs_sql_string(raw_file.path) ~ ')') -}}
    {%- endif -%}
    {%- if raw_file.get('columns') is none -%}
        {%- do raw_file.update({'columns': cs_csv_header(raw_file)}) -%}
    {%- endif -%}
    {%- set column_types = [] -%}
    {%- for name in raw_file.columns -%}
        {%- do column_types.append(cs_sql_string(name) ~ ": 'varchar'") -%}
    {%- endfor -%}
    {{- return('read_csv(' ~ cs_sql_string(raw_file.path)
        ~ ", header = true, auto_detect = false, columns = {" ~ column_types | join(', ') ~ "}"
        ~ ", delim = ',', quote = '\"', escape = '\"', comment = '', strict_mode = true, null_padding = false)") -}}
{% endmacro %}


{#- The column names in the header row of a CSV file, in order (a byte-order mark,
    surrounding spaces and quotes removed; an empty name becomes column<N>), or
    none when the file has no line at all. Stops the build on a name that appears
    twice (case and spaces ignored, as when columns are matched to the contract).
    The first line is read without strict mode, so that a line feed inside quotes
    in a CRLF file (Alt+Enter in Excel on Windows), or the reverse mix, does not
    stop it; its names are split at commas outside quotes (cs_csv_fields). -#}
{% macro cs_csv_header(raw_file) %}
    {{- cs_require_insertion_order(raw_file) -}}
    {%- set first_line = run_query(
        'select line from read_csv(' ~ cs_sql_string(raw_file.path)
        ~ ", header = false, auto_detect = false, columns = {'line': 'varchar'}, delim = chr(30),"
        ~ " quote = '', escape = '', comment = '', strict_mode = false) limit 1") -%}
    {%- if first_line.rows | length == 0 -%}{{ return(none) }}{%- endif -%}
    {%- set fields = cs_csv_fields((first_line.rows[0][0] or '').replace('\ufeff', '')) -%}
    {%- if fields is none -%}
        {{ exceptions.raise_compiler_error(raw_file.path ~ ': the header row (line 1) has a quote that is not closed:'
            ~ ' a column name with a line break in it, or a stray ". Fix the header row and export again.') }}
    {%- endif -%}
    {%- set names = [] -%}
    {%- set seen = {} -%}
    {%- for field in fields -%}
        {%- set name = field.strip() -%}
        {%- if name == '' -%}{%- set name = 'column' ~ loop.index -%}{%- endif -%}
        {%- set key = name | lower -%}
        {%- if key in seen -%}
            {{ exceptions.raise_compiler_error(raw_file.path ~ ': column ' ~ name ~ ' appears more than once in the header row'
                ~ ' (columns ' ~ seen[key] ~ ' and ' ~ loop.index ~ '). Remove the duplicate column and export again.') }}
        {%- endif -%}
        {%- do seen.update({key: loop.index}) -%}
        {%- do names.append(name) -%}
    {%- endfor -%}
    {{- return(names) -}}
{% endmacro %}


{#- The fields of one CSV line, split at commas outside double quotes, as
    RFC 4180 (and Python's csv module) read them: a quote opens a quoted field
    where it starts the field (after spaces), "" inside it is one quote, and
    anything after its closing quote is kept as it is. None where a quote is left
    open. cs_warehouse.validate.csv_fields is the same reading. -#}
{% macro cs_csv_fields(line) %}
    {%- set state = namespace(fields=[], field='', mode='start') -%}
    {%- for char in line -%}
        {%- if state.mode == 'quoted' -%}
            {%- if char == '"' -%}{%- set state.mode = 'closed' -%}
            {%- else -%}{%- set state.field = state.field ~ char -%}{%- endif -%}
        {%- elif state.mode == 'closed' and char == '"' -%}
            {%- set state.field = state.field ~ char -%}{%- set state.mode = 'quoted' -%}
        {%- elif char == ',' -%}
            {%- do state.fields.append(state.field) -%}
            {%- set state.field = '' -%}{%- set state.mode = 'start' -%}
        {%- elif state.mode == 'start' and char == '"' -%}
            {%- set state.field = '' -%}{%- set state.mode = 'quoted' -%}
        {%- else -%}
            {%- set state.field = state.field ~ char -%}
            {%- if state.mode != 'start' or char not in ' \t' -%}{%- set state.mode = 'field' -%}{%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if state.mode == 'quoted' -%}{{ return(none) }}{%- endif -%}
    {%- do state.fields.append(state.field) -%}
    {{- return(state.fields) -}}
{% endmacro %}


{#- A CSV file's header is its first line and its rows are numbered in file order
    (`limit 1` above, `row_number() over ()` in cs_source_rows), which DuckDB
    keeps only while preserve_insertion_order is true (its default; profiles.yml
    sets it). With it false, a parallel scan may hand any line over first: a data
    row read as the header, or row numbers that point at the wrong lines, without
    an error. So a profile that turns it off stops the build here. -#}
{% macro cs_require_insertion_order(raw_file) %}
    {%- set setting = run_query("select cast(current_setting('preserve_insertion_order') as varchar)") -%}
    {%- if (setting.rows[0][0] | string | lower) != 'true' -%}
        {{ exceptions.raise_compiler_error(raw_file.path ~ ': cannot be read in file order, because the DuckDB setting'
            ~ ' preserve_insertion_order is ' ~ setting.rows[0][0] ~ ' in this dbt profile. CSV files are read by the'
            ~ ' order of their lines (the header, and source_row_number of every row), which DuckDB keeps only when it'
            ~ ' is true: set `preserve_insertion_order: true` under the profile\'s settings (as profiles.yml does).') }}
    {%- endif -%}
{% endmacro %}
