{#-
    The scope of the data tests that scan every usage row (the contract test on
    stg_raw__usage, the grain test on int_usage_aggregated_to_account_days). Their
    `where` config is the marker `__recent_usage_days__`, replaced here according to
    the environment variable CS_TEST_SCOPE:

      full (default)  every row is checked;
      recent          only the rows dated in the last `test_recent_days` [10] days
                      of the tested relation.

    CS_TEST_SCOPE=recent is the daily refresh (`make refresh`). An incremental run
    writes the days after (its latest day - `usage_incremental_lookback_days` [3]),
    so the last 10 days hold every row it wrote as long as the refresh runs at least
    once a week. Older rows were checked by the runs that wrote them; a full
    `dbt build` (and `make publish`) checks every row again.

    An environment variable, not a dbt var: it is read when the test runs, so that
    changing it costs no re-parse of the project (a changed --vars makes dbt parse
    the whole project again). This overrides dbt's get_where_subquery and
    behaves as dbt's for any other `where`.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where and '__recent_usage_days__' in where -%}
        {%- set scope = env_var('CS_TEST_SCOPE', 'full') if execute else 'full' -%}
        {%- if scope == 'full' -%}
            {%- do return(relation) -%}
        {%- elif scope != 'recent' -%}
            {{ exceptions.raise_compiler_error('CS_TEST_SCOPE must be full or recent, not ' ~ scope) }}
        {%- endif -%}
        {%- set where = where.replace('__recent_usage_days__',
            'usage_date > (select max(usage_date) - ' ~ (var('test_recent_days') | int) ~ ' from ' ~ relation ~ ')') -%}
        {#- no alias: a test may give the relation its own (`from model as child`) -#}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ')') -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}
