{#-
    cs_usage_window_months(months): the SQL of the reporting months whose usage
    windows a window model (int_usage_*_to_account_months) must (re)compute, from a
    relation `months` with month and snapshot_date (int_months).

    On a full build: every month. On an incremental run, only the months whose
    figures can have changed:
      - months not built yet (a new month, or one that had no usage);
      - months whose snapshot day moved (the partial as-of month as the as-of date
        moves on);
      - months built with another `health_window_days`;
      - months whose windows can hold a day that the account-day aggregate re-read
        on this run: a snapshot day after (latest snapshot day built -
        `usage_incremental_lookback_days`). A month's windows end on its snapshot
        day, so a month with an earlier snapshot day holds no re-read day.
    The model deletes and re-inserts those months whole (delete+insert on month).
-#}
{% macro cs_usage_window_months(months) %}
    select
        {{ months }}.month,
        {{ months }}.snapshot_date
    from {{ months }}
    {%- if is_incremental() %}
    left join (
        select
            month,
            min(snapshot_date) as snapshot_date,
            min(window_days) as window_days
        from {{ this }}
        group by month
    ) as built_months
        on built_months.month = {{ months }}.month
    where built_months.month is null
        or built_months.snapshot_date <> {{ months }}.snapshot_date
        or built_months.window_days <> {{ var('health_window_days') | int }}
        or {{ months }}.snapshot_date > (
            select cast({{ dbt.dateadd('day', -1 * (var('usage_incremental_lookback_days') | int), 'max(snapshot_date)') }} as date)
            from {{ this }}
        )
    {%- endif %}
{% endmacro %}


{#-
    cs_usage_window_days(window_months): the day -> snapshot lookup of the window
    models: for each month of `window_months` (month, snapshot_date), the
    `health_window_days` days ending on its snapshot day (is_current_window) and,
    unless current_only, the as many days before them (the previous window).
-#}
{% macro cs_usage_window_days(window_months, current_only=false) %}
    {%- set window_days = var('health_window_days') | int -%}
    select
        {{ window_months }}.month,
        {{ window_months }}.snapshot_date,
        cast({{ dbt.dateadd('day', '-1 * offsets.offset_days', window_months ~ '.snapshot_date') }} as date) as usage_date,
        offsets.offset_days < {{ window_days }} as is_current_window
    from {{ window_months }}
    cross join range(0, {{ window_days if current_only else 2 * window_days }}) as offsets(offset_days)
{% endmacro %}
