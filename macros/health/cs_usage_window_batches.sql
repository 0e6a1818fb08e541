{#-
    A full build of a usage window model (int_usage_*_to_account_months) in batches
    of reporting months, opt-in per model:

        config(full_build_batch_rows=var('usage_window_full_build_batch_rows'),
               post_hook=["{{ cs_insert_usage_window_batches(the_models_sql_macro, counted_relation) }}", ...])
        {{ the_models_sql_macro(cs_usage_window_batches(counted_relation, announce=true)[0]) }}

    Why: a window model groups every usage row of a month's window by account, month
    (and feature). Over the whole history at once that aggregate has tens of millions
    of groups on a large warehouse and can run out of memory_limit even with no other
    node running. A reporting month's figures read only
    its own windows, so computing the months a range at a time gives the same rows,
    and each range's aggregate fits in memory.

    How: on a full build (the first build, or --full-refresh), the rows of
    `counted` (the relation the model aggregates) are counted per calendar month of
    usage_date, and the months are cut into consecutive ranges of at most
    `full_build_batch_rows` rows each (a month with more rows is a range alone). The
    model's statement computes the first range, the post-hook inserts the others one
    by one with the same SQL. The ranges are open at both ends (the first takes
    every month before the second, the last every month from its start), so every
    month of int_months is in exactly one range, with or without usage. An
    incremental run, a null `full_build_batch_rows` or a history that fits one
    range: one statement, as before.
-#}

{#- The batches of a full build: a list of {'first_month', 'next_month', 'label'}
    (dates as 'YYYY-MM-DD' text, none for an open end), in month order; [none]
    (one batch, no filter) where the model does not batch (see above). The model's
    statement announces the batches in the log (announce=true), the post-hook not. -#}
{% macro cs_usage_window_batches(counted, announce=false) %}
    {%- set batch_rows = config.get('full_build_batch_rows') -%}
    {%- if not execute or batch_rows is none or is_incremental() -%}
        {{- return([none]) -}}
    {%- endif -%}
    {%- set batch_rows = batch_rows | int -%}
    {%- set months = run_query(
        'select cast(cast(' ~ dbt.date_trunc('month', 'usage_date') ~ ' as date) as varchar) as month,'
        ~ ' count(*) as row_count from ' ~ counted ~ ' where usage_date is not null group by 1 order by 1') -%}

    {%- set starts = cs_batch_starts(months.rows, batch_rows) -%}
    {%- if starts | length < 2 -%}
        {{- return([none]) -}}
    {%- endif -%}

    {%- set batches = [] -%}
    {%- for start in starts -%}
        {%- set first_month = none if loop.first else start -%}
        {%- set next_month = none if loop.last else starts[loop.index0 + 1] -%}
        {%- if loop.first -%}
            {%- set label = 'the months before ' ~ next_month -%}
        {%- elif loop.last -%}
            {%- set label = 'the months from ' ~ first_month -%}
        {%- else -%}
            {%- set label = 'the months from ' ~ first_month ~ ' before ' ~ next_month -%}
        {%- endif -%}
        {%- do batches.append({'first_month': first_month, 'next_month': next_month, 'label': label}) -%}
    {%- endfor -%}
    {%- if announce -%}
        {{- log(this.identifier ~ ': a full build in ' ~ batches | length ~ ' batches of months', info=true) -}}
    {%- endif -%}
    {{- return(batches) -}}
{% endmacro %}


{#- The filter of one batch on a relation's month column: `where ...`, or nothing
    for no batch. -#}
{% macro cs_usage_window_batch_months(batch, column='month') %}
    {%- if batch is none -%}{{- return('') -}}{%- endif -%}
    {%- set conditions = [] -%}
    {%- if batch.first_month is not none -%}
        {%- do conditions.append(column ~ ' >= cast(' ~ cs_sql_string(batch.first_month) ~ ' as date)') -%}
    {%- endif -%}
    {%- if batch.next_month is not none -%}
        {%- do conditions.append(column ~ ' < cast(' ~ cs_sql_string(batch.next_month) ~ ' as date)') -%}
    {%- endif -%}
    {{- return('where ' ~ conditions | join(' and ')) -}}
{% endmacro %}


{#- The filter of one batch on the usage it reads (`where ...` on usage_date, or
    nothing): the days its windows can hold, from 2 x health_window_days before its
    first month (a current and a previous window) to the day before the next batch's
    first month (a snapshot day is at the latest its month's last day). Only there
    so that the scan skips the other batches' row groups: the join to the window
    days decides which rows count. -#}
{% macro cs_usage_window_batch_days(batch, column='usage_date') %}
    {%- if batch is none -%}{{- return('') -}}{%- endif -%}
    {%- set conditions = [] -%}
    {%- if batch.first_month is not none -%}
        {%- do conditions.append(column ~ ' >= cast('
            ~ dbt.dateadd('day', -2 * (var('health_window_days') | int), 'cast(' ~ cs_sql_string(batch.first_month) ~ ' as date)')
            ~ ' as date)') -%}
    {%- endif -%}
    {%- if batch.next_month is not none -%}
        {%- do conditions.append(column ~ ' < cast(' ~ cs_sql_string(batch.next_month) ~ ' as date)') -%}
    {%- endif -%}
    {{- return('where ' ~ conditions | join(' and ')) -}}
{% endmacro %}


{#- The post-hook of a batched window model: on a full build, insert every batch
    after the first (which the model's own statement wrote), each rendered by
    `model_sql(batch)`. Returns the SQL dbt runs as the hook: a no-op, since the
    inserts have run by then. -#}
{% macro cs_insert_usage_window_batches(model_sql, counted) %}
    {%- if not execute or is_incremental() -%}
        {{- return('select 1 as no_batches_left') -}}
    {%- endif -%}
    {%- set batches = cs_usage_window_batches(counted) -%}
    {%- for batch in batches[1:] -%}
        {%- call statement('window_batch_' ~ loop.index) -%}
            insert into {{ this }}
            select * from (
                {{ model_sql(batch) }}
            )
        {%- endcall -%}
        {{- log(this.identifier ~ ': batch ' ~ (loop.index + 1) ~ ' of ' ~ batches | length
            ~ ' (' ~ batch.label ~ ') inserted', info=true) -}}
    {%- endfor -%}
    {{- return('select ' ~ batches | length ~ ' as batches_of_the_full_build') -}}
{% endmacro %}
