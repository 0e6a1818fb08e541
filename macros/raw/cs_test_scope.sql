{#-
    The scope of the data tests that scan every usage row (the contract test on
    stg_raw__usage, the grain test on int_usage_aggregated_to_account_days). Their
    `where` config is the marker `__recent_usage_days__`, replaced here:

      var test_scope: full (default)  every row is checked;
      var test_scope: recent          only the rows dated in the last
                                      `test_recent_days` [10] days of the relation.

    test_scope: recent is the daily refresh (`make refresh`). An incremental run
    writes the days after (its latest day - `usage_incremental_lookback_days` [3]),
    so the last 10 days hold every row it wrote as long as the refresh runs at least
    once a week. Older rows were checked by the runs that wrote them; a full
    `dbt build` checks every row again. This overrides dbt's get_where_subquery and
    behaves as dbt's for any other `where`.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where and '__recent_usage_days__' in where -%}
        {%- set scope = var('test_scope', 'full') -%}
        {%- if scope == 'full' -%}
            {%- do return(relation) -%}
        {%- elif scope != 'recent' -%}
            {{ exceptions.raise_compiler_error('var test_scope must be full or recent, not ' ~ scope) }}
        {%- endif -%}
        {%- set where = where.replace('__recent_usage_days__',
            'usage_date > (select max(usage_date) - ' ~ (var('test_recent_days', 10) | int) ~ ' from ' ~ relation ~ ')') -%}
        {#- no alias: a test may give the relation its own (`from model as child`) -#}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ')') -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}
