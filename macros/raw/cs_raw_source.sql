{#-
    The pieces of a base model (models/staging/raw/base/base_raw__<source>.sql), which
    reads one raw file as the contract in models/staging/raw/_raw__sources.yml
    declares it:

    cs_raw_source(source_name)   the source's file, checked; every other macro here
                                 takes what it returns. It stops the build, naming the
                                 file, the column and sample values, where
                                 - a required file is missing,
                                 - a required column is missing,
                                 - a CSV file is not UTF-8 (a Shift_JIS/CP932 or UTF-16
                                   export from Excel, say),
                                 - a CSV file is empty, names a column twice, or has a
                                   row whose number of fields differs from its header's,
                                 - a value cannot be read as its column's type, or is a
                                   number outside the range of that type (the
                                   contract's meta.limits),
                                 - a required file has no data rows (a header only).
                                 An absent optional file, or an empty one, reads as no
                                 rows.
    cs_source_rows(raw)          every row of the file, numbered in file order
                                 (source_row_number), its values as read.
    cs_typed(raw, column)        a column's typed value: parsed from text (cs_parse),
                                 null where the file lacks the column, and the
                                 contract's default where null.
    cs_as_read(raw)              the file's values as read (raw__1, raw__2, ...), kept
                                 for the JSON of a rejected row.
    cs_row_as_read(raw, when)    that JSON (`source_row` in raw_rejects) where `when`.
    cs_source_file(raw)          the file's path, as a SQL string.
-#}
{% macro cs_raw_source(source_name) %}
    {%- set raw = {'source_name': source_name, 'path': none, 'format': none, 'file_columns': {}, 'values': {}} -%}
    {%- if not execute -%}
        {{- return(raw) -}}
    {%- endif -%}

    {%- set contract = cs_contract(source_name) -%}
    {%- set table_meta = contract.meta -%}
    {%- set columns = contract.columns.values() | list -%}
    {%- set raw_file = cs_raw_file(source_name) -%}

    {%- if raw_file is none -%}
        {%- if table_meta.get('required', false) -%}
            {{ exceptions.raise_compiler_error(
                'Missing required file for source "' ~ source_name ~ '": neither '
                ~ cs_raw_dir() ~ '/' ~ source_name ~ '.csv nor ' ~ source_name ~ '.parquet exists. '
                ~ 'Set CS_RAW_DIR to the directory that holds your exports (see docs/data-contract.md).') }}
        {%- endif -%}
        {{- log('Optional source ' ~ source_name ~ ' is absent: its staging model is empty.', info=true) -}}
        {{- return(raw) -}}
    {%- endif -%}

    {%- if raw_file.format == 'csv' -%}
        {{- cs_check_utf8(raw_file) -}}
        {%- do raw_file.update({'columns': cs_csv_header(raw_file)}) -%}
        {%- if raw_file.columns is none -%}
            {%- if table_meta.get('required', false) -%}
                {{ exceptions.raise_compiler_error(raw_file.path ~ ': the file is empty (not even a header row). The source "'
                    ~ source_name ~ '" is required: export it again with its header and rows.') }}
            {%- endif -%}
            {{- log(raw_file.path ~ ' is empty (no header row): the optional source ' ~ source_name ~ ' is treated as absent.', info=true) -}}
            {{- return(raw) -}}
        {%- endif -%}
    {%- endif -%}
    {%- set read_expression = cs_read_expression(raw_file) -%}

    {#- the file's columns, matched to the contract's by name (case and spaces ignored) -#}
    {%- set file_columns = cs_file_columns(read_expression) -%}
    {%- set missing = [] -%}
    {%- for column in columns if column.meta.get('required', false) and column.name not in file_columns -%}
        {%- do missing.append(column.name) -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            raw_file.path ~ ': missing required column(s) ' ~ missing | join(', ')
            ~ '. The file has: ' ~ (file_columns.values() | map(attribute='name') | join(', ')) ~ '.') }}
    {%- endif -%}
    {%- set contract_names = columns | map(attribute='name') | list -%}
    {%- set extra = [] -%}
    {%- for key, file_column in file_columns.items() if key not in contract_names -%}
        {%- do extra.append(file_column.name) -%}
    {%- endfor -%}
    {%- if extra -%}
        {{- log(raw_file.name ~ ': ignoring column(s) not in the contract: ' ~ extra | join(', '), info=true) -}}
    {%- endif -%}

    {#- how each present column becomes its typed value -#}
    {%- set value_expressions = {} -%}
    {%- set to_check = [] -%}
    {%- for column in columns if column.name in file_columns -%}
        {%- set file_column = file_columns[column.name] -%}
        {%- set quoted = cs_sql_identifier(file_column.name) -%}
        {%- if cs_is_native_type(file_column.type, column.data_type) -%}
            {%- do value_expressions.update({column.name: 'cast(' ~ quoted ~ ' as ' ~ cs_data_type(column.data_type) ~ ')'}) -%}
        {%- elif file_column.type.startswith('timestamp') and cs_type_kind(column.data_type) == 'date' -%}
            {#- a Parquet timestamp (pandas writes dates so) is a date where it is midnight -#}
            {%- set parsed = cs_date_at_midnight(quoted) -%}
            {%- do value_expressions.update({column.name: parsed}) -%}
            {%- do to_check.append({'column': column, 'quoted': quoted, 'parsed': parsed}) -%}
        {%- else -%}
            {%- do value_expressions.update({column.name: cs_parse(quoted, column.data_type)}) -%}
            {%- if column.data_type | lower != 'varchar' -%}
                {%- do to_check.append({'column': column, 'quoted': quoted, 'parsed': cs_parse(quoted, column.data_type)}) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set rows_read = cs_check_readable(raw_file, read_expression, to_check) -%}
    {%- if rows_read == 0 and table_meta.get('required', false) -%}
        {{ exceptions.raise_compiler_error(raw_file.path ~ ': no data rows, only a header. The source "' ~ source_name
            ~ '" is required: the warehouse has no figures without it. Export it again with its rows.') }}
    {%- endif -%}

    {%- do raw.update({'path': raw_file.path, 'format': raw_file.format, 'columns': raw_file.get('columns'),
        'file_columns': file_columns, 'values': value_expressions}) -%}
    {{- return(raw) -}}
{% endmacro %}


{% macro cs_source_rows(raw) %}
    {%- if raw.path is none -%}
select cast(null as bigint) as source_row_number
where false
    {%- else -%}
{{ cs_numbered_raw_rows(raw) }}
    {%- endif -%}
{% endmacro %}


{% macro cs_typed(raw, column_name) %}
    {%- if not execute -%}{{ return('null') }}{%- endif -%}
    {%- set column = cs_contract(raw.source_name).columns.get(column_name) -%}
    {%- if column is none -%}
        {{ exceptions.raise_compiler_error('base_raw__' ~ raw.source_name ~ ' reads column ' ~ column_name
            ~ ', which the raw contract (_raw__sources.yml) does not declare for ' ~ raw.source_name) }}
    {%- endif -%}
    {{- return(cs_with_default(raw['values'].get(column_name, 'null'), column)) -}}
{% endmacro %}


{% macro cs_as_read(raw) %}
    {%- if raw.file_columns | length == 0 -%}
        {{- return('cast(null as ' ~ dbt.type_string() ~ ') as raw__0') -}}
    {%- endif -%}
    {%- set items = [] -%}
    {%- for key, file_column in raw.file_columns.items() -%}
        {%- do items.append(cs_sql_identifier(file_column.name) ~ ' as raw__' ~ loop.index) -%}
    {%- endfor -%}
    {{- return(items | join(',\n        ')) -}}
{% endmacro %}


{% macro cs_row_as_read(raw, when) %}
    {%- if raw.file_columns | length == 0 -%}
        {{- return('cast(null as ' ~ dbt.type_string() ~ ')') -}}
    {%- endif -%}
    {%- set pairs = [] -%}
    {%- for key, file_column in raw.file_columns.items() -%}
        {#- a timestamp as text, which both engines write alike (Spark's JSON writer would put a T in it) -#}
        {%- set value = 'raw__' ~ loop.index -%}
        {%- do pairs.append((file_column.name, 'cast(' ~ value ~ ' as ' ~ dbt.type_string() ~ ')'
            if file_column.type.startswith('timestamp') else value)) -%}
    {%- endfor -%}
    {{- return('case when ' ~ when ~ ' then ' ~ cs_json_object(pairs) ~ ' end') -}}
{% endmacro %}


{% macro cs_source_file(raw) %}
    {{- return('cast(null as ' ~ dbt.type_string() ~ ')' if raw.path is none else cs_sql_string(raw.path)) -}}
{% endmacro %}


{#- A file's columns, in file order: {name as matched to the contract (trimmed,
    lower case): {'name': as in the file, 'type': DuckDB's type, lower case}}. -#}
{% macro cs_file_columns(read_expression) %}
    {%- set described = run_query(cs_describe_sql('select * from ' ~ read_expression)) -%}
    {%- set file_columns = {} -%}
    {%- for row in described.rows -%}
        {%- do file_columns.update({(row[0] | trim | lower): {'name': row[0], 'type': (row[1] | lower)}}) -%}
    {%- endfor -%}
    {{- return(file_columns) -}}
{% endmacro %}


{#- A column's value, or its contract default where it is null. -#}
{% macro cs_with_default(expression, column) %}
    {%- set default = column.meta.get('default') -%}
    {%- if default is none -%}
        {{- return('cast(' ~ expression ~ ' as ' ~ cs_data_type(column.data_type) ~ ')') -}}
    {%- endif -%}
    {%- if default is string and default.startswith('var:') -%}
        {%- set default = var(default[4:]) -%}
    {%- endif -%}
    {%- set literal = cs_sql_string(default) if default is string else (default | string | lower) -%}
    {{- return('cast(coalesce(' ~ expression ~ ', ' ~ literal ~ ') as ' ~ cs_data_type(column.data_type) ~ ')') -}}
{% endmacro %}


{#- True where a Parquet column already has the contract's type (no text to parse). -#}
{% macro cs_is_native_type(file_type, data_type) %}
    {%- set target = data_type | lower -%}
    {%- set integers = ['tinyint', 'smallint', 'integer', 'bigint', 'utinyint', 'usmallint', 'uinteger'] -%}
    {%- if file_type == 'varchar' -%}{{ return(false) }}
    {%- elif target == 'date' -%}{{ return(file_type == 'date') }}
    {%- elif target in ('bigint', 'integer') -%}{{ return(file_type in integers) }}
    {%- elif target.startswith('decimal') -%}{{ return(file_type in integers or file_type.startswith('decimal') or file_type in ('double', 'float')) }}
    {%- elif target == 'boolean' -%}{{ return(file_type == 'boolean') }}
    {%- else -%}{{ return(false) }}{%- endif -%}
{% endmacro %}


{#- Stop on a CSV file that is not UTF-8, naming the likely encoding: UTF-16 where
    the file starts with a UTF-16 byte-order mark (Excel's "Unicode text"), else
    Shift_JIS (CP932), the encoding of Excel's Japanese CSV exports
    (cs_encoding_check_sql). -#}
{% macro cs_check_utf8(raw_file) %}
    {%- set checked = run_query(cs_encoding_check_sql(raw_file.path)) -%}
    {%- if checked.rows[0][1] -%}
        {{ exceptions.raise_compiler_error(
            raw_file.path ~ ': the file is not UTF-8 text: it is UTF-16 (Excel\'s "Unicode text" export). '
            ~ 'Save it as "CSV UTF-8 (comma delimited)", or convert it: iconv -f UTF-16 -t UTF-8 '
            ~ raw_file.name ~ ' > ' ~ raw_file.name ~ '.utf8') }}
    {%- elif checked.rows[0][0] -%}
        {{ exceptions.raise_compiler_error(
            raw_file.path ~ ': the file is not UTF-8 text. It is probably Shift_JIS (CP932), '
            ~ 'the encoding Excel uses for Japanese CSV exports. Re-save it as "CSV UTF-8", '
            ~ 'or convert it: iconv -f CP932 -t UTF-8 ' ~ raw_file.name ~ ' > ' ~ raw_file.name ~ '.utf8') }}
    {%- endif -%}
{% endmacro %}


{#- Stop on values that cannot be read as their column's type, with samples; a
    number that has its format but that its type cannot hold is named as out of
    range, with the range (the contract's meta.limits). Returns the number of rows
    read (one scan of the file does both). -#}
{% macro cs_check_readable(raw_file, read_expression, to_check) %}
    {%- set numeric = [] -%}
    {%- for item in to_check -%}
        {%- do numeric.append(cs_type_kind(item.column.data_type) in ('integer', 'decimal')) -%}
    {%- endfor -%}
    {%- set counts_sql -%}
        select
        {%- for item in to_check %}
            count(*) filter (where nullif(trim(cast({{ item.quoted }} as {{ dbt.type_string() }})), '') is not null and {{ item.parsed }} is null),
            {%- if numeric[loop.index0] %}
            count(*) filter (where {{ cs_has_number_format(item.quoted, item.column.data_type) }} and {{ item.parsed }} is null),
            {%- else %}
            0,
            {%- endif %}
        {%- endfor %}
            count(*)
        from {{ read_expression }}
    {%- endset -%}
    {%- set counts = run_query(counts_sql).rows[0] -%}
    {%- set problems = [] -%}
    {%- set kinds = [] -%}
    {%- for item in to_check -%}
        {%- set out_of_range = counts[2 * loop.index0 + 1] -%}
        {%- set unreadable = counts[2 * loop.index0] - out_of_range -%}
        {%- set bad = "nullif(trim(cast(" ~ item.quoted ~ " as " ~ dbt.type_string() ~ ")), '') is not null and " ~ item.parsed ~ ' is null' -%}
        {%- set in_format = cs_has_number_format(item.quoted, item.column.data_type) if numeric[loop.index0] else 'false' -%}
        {%- if unreadable > 0 -%}
        {%- set samples = run_query(
            'select distinct cast(' ~ item.quoted ~ ' as ' ~ dbt.type_string() ~ ') from ' ~ read_expression
            ~ ' where ' ~ bad ~ ' and not ' ~ in_format ~ ' limit 5') -%}
        {%- do problems.append('column ' ~ item.column.name ~ ': ' ~ unreadable ~ ' value(s) cannot be read as '
            ~ cs_type_label(item.column.data_type) ~ ', e.g. '
            ~ "'" ~ (samples.rows | map(attribute=0) | join("', '")) ~ "'") -%}
        {%- do kinds.append('unreadable values') -%}
        {%- endif -%}
        {%- if out_of_range > 0 -%}
        {%- set samples = run_query(
            'select distinct cast(' ~ item.quoted ~ ' as ' ~ dbt.type_string() ~ ') from ' ~ read_expression
            ~ ' where ' ~ bad ~ ' and ' ~ in_format ~ ' limit 5') -%}
        {%- do problems.append('column ' ~ item.column.name ~ ': ' ~ out_of_range ~ ' value(s) out of range for '
            ~ cs_limit_label(item.column.data_type) ~ ', e.g. '
            ~ "'" ~ (samples.rows | map(attribute=0) | join("', '")) ~ "'") -%}
        {%- do kinds.append('numbers out of range') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(raw_file.path ~ ': ' ~ kinds | unique | join(' and ') ~ '.\n  '
            ~ problems | join('\n  ')) }}
    {%- endif -%}
    {{ return(counts[2 * (to_check | length)]) }}
{% endmacro %}
