{#-
    A full build of a large raw file in batches of days (base_raw__usage), opt-in
    per model:

        config(materialized='incremental', incremental_date_column='usage_date',
               full_build_batch_rows=var('usage_full_build_batch_rows'),
               post_hook="{{ cs_insert_full_build_batches('usage') }}")

    Why: the duplicate-key check is an aggregate over every row's key. Over the whole
    file at once it outgrows memory_limit and spills to disk, past the free disk of
    a large warehouse.
    The key includes the date, so rows of different days can never be duplicates of
    each other, and every other rule is local to a row or reads another source in
    full: checking the file a range of days at a time gives the same rows and
    reasons, and each batch's aggregate fits in memory.

    How: a full build (the first build, or --full-refresh) of a Parquet file with
    more than `full_build_batch_rows` rows cuts its days into consecutive ranges of
    at most that many rows each (a day with more rows is a batch alone). The
    model's statement reads the first range and the rows without a date; the
    post-hook inserts the other ranges one by one, each with the same SQL and its
    own filter. The filter is on the file's own date column, so the Parquet reader
    skips the row groups of other days (the usage export is written in date order).
    A CSV file, a date column stored as text, or an incremental run: one statement,
    no batches (re-reading a CSV file per batch would cost more than it saves).
-#}

{#- The batches of a full build: a list of {'filter': SQL on the file's columns,
    'label': the days it covers}, in date order; empty where the model does not
    batch (see above) or the file fits in one batch. -#}
{% macro cs_full_build_batches(raw_file, file_columns) %}
    {%- set batch_rows = config.get('full_build_batch_rows') -%}
    {%- set date_column = config.get('incremental_date_column') -%}
    {%- if batch_rows is none or not date_column or raw_file.format != 'parquet' or date_column not in file_columns -%}
        {{- return([]) -}}
    {%- endif -%}
    {%- set batch_rows = batch_rows | int -%}
    {%- set file_type = file_columns[date_column].type -%}
    {%- if file_type not in ('date', 'timestamp', 'timestamp_ms', 'timestamp_ns', 'timestamp_s') -%}
        {{- return([]) -}}
    {%- endif -%}
    {%- set quoted = adapter.quote(file_columns[date_column].name) -%}

    {%- set days = run_query(
        'select cast(cast(' ~ quoted ~ ' as date) as varchar) as day, count(*) as row_count'
        ~ ' from read_parquet(' ~ cs_sql_string(raw_file.path) ~ ')'
        ~ ' where ' ~ quoted ~ ' is not null group by 1 order by 1') -%}

    {%- set starts = cs_batch_starts(days.rows, batch_rows) -%}
    {%- if starts | length < 2 -%}
        {{- return([]) -}}
    {%- endif -%}

    {%- set batches = [] -%}
    {%- for start in starts -%}
        {%- set lower = quoted ~ ' >= cast(' ~ cs_sql_string(start) ~ ' as ' ~ file_type ~ ')' -%}
        {%- if loop.first -%}
            {%- set upper = quoted ~ ' < cast(' ~ cs_sql_string(starts[1]) ~ ' as ' ~ file_type ~ ')' -%}
            {%- do batches.append({'filter': '(' ~ upper ~ ' or ' ~ quoted ~ ' is null)',
                'label': 'the days before ' ~ starts[1] ~ ' and the rows without a date'}) -%}
        {%- elif loop.last -%}
            {%- do batches.append({'filter': lower, 'label': 'the days from ' ~ start}) -%}
        {%- else -%}
            {%- set upper = quoted ~ ' < cast(' ~ cs_sql_string(starts[loop.index0 + 1]) ~ ' as ' ~ file_type ~ ')' -%}
            {%- do batches.append({'filter': lower ~ ' and ' ~ upper,
                'label': 'the days from ' ~ start ~ ' before ' ~ starts[loop.index0 + 1]}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(batches) -}}
{% endmacro %}


{#- The first key of each batch, for rows of (key, row_count) in key order:
    consecutive keys, cut where the next key would take a batch past batch_rows (a
    key with more rows is a batch alone). Shared with the window models' batches of
    months (macros/health/cs_usage_window_batches.sql). -#}
{% macro cs_batch_starts(counted_rows, batch_rows) %}
    {%- set starts = [] -%}
    {%- set state = {'rows': 0} -%}
    {%- for row in counted_rows -%}
        {%- if not starts or state.rows + row[1] > batch_rows -%}
            {%- do starts.append(row[0]) -%}
            {%- do state.update({'rows': 0}) -%}
        {%- endif -%}
        {%- do state.update({'rows': state.rows + row[1]}) -%}
    {%- endfor -%}
    {{- return(starts) -}}
{% endmacro %}


{#- The post-hook of a batched model: on a full build, insert every batch after the
    first (which the model's own statement wrote). Returns the SQL dbt runs as the
    hook: a no-op, since the inserts have run by then. -#}
{% macro cs_insert_full_build_batches(source_name) %}
    {%- if not execute or is_incremental() -%}
        {{- return('select 1 as no_batches_left') -}}
    {%- endif -%}
    {%- set raw_file = cs_raw_file(source_name) -%}
    {%- if raw_file is none or raw_file.format != 'parquet' -%}
        {{- return('select 1 as no_batches_left') -}}
    {%- endif -%}
    {%- set batches = cs_full_build_batches(raw_file, cs_file_columns(cs_read_expression(raw_file))) -%}
    {%- for batch in batches[1:] -%}
        {%- call statement('batch_' ~ loop.index) -%}
            insert into {{ this }}
            select * from (
                {{ cs_read_raw_source(source_name, batch_filter=batch.filter) }}
            )
        {%- endcall -%}
        {{- log(this.identifier ~ ': batch ' ~ (loop.index + 1) ~ ' of ' ~ batches | length
            ~ ' (' ~ batch.label ~ ') inserted', info=true) -}}
    {%- endfor -%}
    {{- return('select ' ~ batches | length ~ ' as batches_of_the_full_build') -}}
{% endmacro %}
