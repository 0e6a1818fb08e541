{#-
    Where the raw files are, and what the contract says about them.

    cs_raw_dir()              the raw directory: env CS_RAW_DIR, else the bundled demo
                              dataset, data/demo relative to the directory dbt runs in
                              (the project directory; make and cs_warehouse set
                              CS_RAW_DIR to an absolute path).
    cs_raw_file(name)         the file of a source: <dir>/<name>.parquet if it exists,
                              else <dir>/<name>.csv if it exists, else none.
    cs_contract(name)         the source's node from _raw__sources.yml (graph.sources).
    cs_sql_string(text)       a SQL string literal (paths with quotes), and
    cs_sql_identifier(name)   a quoted SQL identifier (a column named `Notes "internal"`
                              in a file's header): macros/adapters/cs_sql_quoting.sql.
-#}

{% macro cs_raw_dir() %}
    {%- set raw_dir = env_var('CS_RAW_DIR', '') | trim -%}
    {%- if raw_dir == '' -%}
        {%- set raw_dir = 'data/demo' -%}
    {%- endif -%}
    {{- return(raw_dir.rstrip('/')) -}}
{% endmacro %}


{#- cs_sql_string and cs_sql_identifier differ by engine: macros/adapters/cs_sql_quoting.sql -#}


{% macro cs_raw_file(source_name) %}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set raw_dir = cs_raw_dir() -%}
    {%- for extension in ['parquet', 'csv'] -%}
        {%- set candidate = raw_dir ~ '/' ~ source_name ~ '.' ~ extension -%}
        {%- set found = run_query(cs_file_exists_sql(candidate)) -%}
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


{#- The read expression of a raw file (cs_read_raw_file): every CSV value is read as
    text first so that an unreadable value can be reported instead of silently
    becoming null; a CSV file is read with the column names of its header. -#}
{% macro cs_read_expression(raw_file) %}
    {%- if raw_file.format == 'csv' and raw_file.get('columns') is none -%}
        {%- do raw_file.update({'columns': cs_csv_header(raw_file)}) -%}
    {%- endif -%}
    {{- return(cs_read_raw_file(raw_file)) -}}
{% endmacro %}


{#- The column names in the header row of a CSV file, in order (a byte-order mark,
    surrounding spaces and quotes removed; an empty name becomes column<N>), or
    none when the file has no line at all. Stops the build on a name that appears
    twice (case and spaces ignored, as when columns are matched to the contract).
    The first line (cs_first_line_sql) is split at commas outside quotes
    (cs_csv_fields). -#}
{% macro cs_csv_header(raw_file) %}
    {{- cs_check_file_order(raw_file) -}}
    {%- set first_line = run_query(cs_first_line_sql(raw_file.path)) -%}
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
    open. cs_warehouse.validate.files.csv_fields is the same reading. -#}
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


{#- The accepted values the raw contract declares for a column (meta.accepted_values),
    for tests downstream that check the same list: cs_contract_accepted_values('surveys',
    'survey'). cs_contract_source_names(): every source of the contract. Both read the
    graph, so they are for tests' arguments, which render when the tests run. -#}
{% macro cs_contract_accepted_values(source_name, column_name) %}
    {%- if not execute -%}
        {{- return([]) -}}
    {%- endif -%}
    {%- set column = cs_contract(source_name).columns.get(column_name) -%}
    {%- if column is none or not column.meta.get('accepted_values') -%}
        {{ exceptions.raise_compiler_error('The raw contract declares no accepted_values for ' ~ source_name ~ '.' ~ column_name) }}
    {%- endif -%}
    {{- return(column.meta['accepted_values']) -}}
{% endmacro %}


{% macro cs_contract_source_names() %}
    {%- set names = [] -%}
    {%- for node in graph.sources.values() if node.source_name == 'raw' -%}
        {%- do names.append(node.name) -%}
    {%- endfor -%}
    {{- return(names | sort) -}}
{% endmacro %}
