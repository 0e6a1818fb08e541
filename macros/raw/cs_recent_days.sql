{#-
    A base model that is incremental by day (base_raw__usage), opt-in per model:

        config(materialized='incremental', incremental_strategy='cs_replace_recent_days',
               incremental_date_column='usage_date', on_schema_change='fail')

    On an incremental run the model reads, types and checks only the rows dated after
    the cutoff, and rows whose date is null; the strategy below deletes exactly those
    rows from the table and inserts the new ones. The cutoff is the latest accepted
    day in the table minus `usage_incremental_lookback_days`, so the days that can
    still receive late rows are read again whole.

    Why the result equals a full build for a file that grows at its end: every row
    rule is local to a row, except the duplicate key, which includes the date (a
    day's rows are all re-read together) and the reference to accounts (the
    accounts file is read in full on every run). A row dated in the future is
    rejected and lies after the cutoff, so it is read again on every run, and is
    accepted once its day has come. A row with a null date is rejected and read
    again on every run (the delete removes the previous ones).

    What an incremental run does not see: a change in the file to a row dated on or
    before the cutoff (a corrected or deleted old row, rows reordered), or a change
    in the accounts file that would accept or reject an old usage row. Those need
    `dbt build --full-refresh`. Kept rows keep the `source_file` and
    `source_row_number` of the run that read them.
-#}

{#- The cutoff as a SQL date literal, read from the existing table. -#}
{% macro cs_recent_days_cutoff(relation, date_column) %}
    {%- set lookback = var('usage_incremental_lookback_days') | int -%}
    {%- set result = run_query(
        'select cast(max(' ~ date_column ~ ') - ' ~ lookback ~ ' as varchar) from ' ~ relation
        ~ ' where reject_reason is null') -%}
    {%- set cutoff = result.rows[0][0] if result.rows | length > 0 else none -%}
    {{- return("date '" ~ (cutoff or '0001-01-01') ~ "'") -}}
{% endmacro %}


{#- The rows an incremental run reads again: dated after the cutoff, or undated. -#}
{% macro cs_recent_days_predicate(date_expression, cutoff) %}
    {{- return('(' ~ date_expression ~ ' > ' ~ cutoff ~ ' or ' ~ date_expression ~ ' is null)') -}}
{% endmacro %}


{#- The incremental strategy: delete the rows the run read again, insert what it read. -#}
{% macro get_incremental_cs_replace_recent_days_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set date_column = config.get('incremental_date_column') -%}
    {%- if not date_column -%}
        {{ exceptions.raise_compiler_error('incremental_strategy cs_replace_recent_days needs the config incremental_date_column') }}
    {%- endif -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set cutoff = cs_recent_days_cutoff(target, date_column) -%}
delete from {{ target }}
where {{ cs_recent_days_predicate(date_column, cutoff) }};

insert into {{ target }} ({{ columns }})
select {{ columns }}
from {{ source }}
{%- endmacro %}
