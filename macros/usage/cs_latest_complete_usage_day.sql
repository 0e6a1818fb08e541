{#-
    cs_latest_complete_usage_day(daily_rows_sql): SQL (a scalar subquery) giving the
    latest *complete* usage day. `daily_rows_sql` selects (usage_date, rows): how many
    usage rows there are per day. A day is complete when it holds at least
    `usage_complete_day_share` [0.1] of the average rows per day of the 28 days before
    it (the first day always is). So a few stray rows dated ahead of the rest of an
    export (one row for 9 days later, say) are not taken for the export's last day.
    Null when there is no usage.

    Read by the refresh cutoff of the usage aggregates (cs_usage_refresh_cutoff below)
    and by the warning test warn_latest_usage_days_look_stray (the as-of date itself is
    the latest usage day, as metrics.md defines it).
-#}
{% macro cs_latest_complete_usage_day(daily_rows_sql) %}
    {%- set share = var('usage_complete_day_share') | float -%}
    (
        with daily_rows as (
            {{ daily_rows_sql }}
        ),

        days_with_reference as (
            select
                usage_date,
                rows,
                avg(rows) over (
                    order by usage_date
                    range between interval 28 day preceding and interval 1 day preceding
                ) as reference_rows
            from daily_rows
            where usage_date is not null
        )

        select max(usage_date)
        from days_with_reference
        where reference_rows is null
            or rows >= {{ share }} * reference_rows
    )
{%- endmacro %}


{#-
    cs_usage_refresh_cutoff(daily_rows_sql): the day after which an incremental usage
    aggregate reads the usage rows again: the latest complete day in the aggregate's
    own table (`daily_rows_sql`, see above) minus `usage_incremental_lookback_days`
    [3], for rows that arrive late. A stray row dated ahead therefore does not move
    the cutoff past the days still to come. An earlier cutoff only means more days
    read again (each is replaced whole), so the result is the same. A row added or
    changed on or before the cutoff is not read; mart_raw_intake then shows rows read
    <> accepted + rejected, and its test fails. On Spark the cutoff moves back to the
    end of the month before (cs_day_partition_start, macros/adapters/cs_incremental.sql):
    there the day-grain tables are replaced by month.
-#}
{% macro cs_usage_refresh_cutoff(daily_rows_sql) %}
    {%- set lookback = var('usage_incremental_lookback_days') | int -%}
    {{ cs_day_partition_start(
        'coalesce(cast(' ~ dbt.dateadd('day', -1 * lookback, cs_latest_complete_usage_day(daily_rows_sql))
        ~ ' as date), cast(\'1900-01-01\' as date))') }}
{%- endmacro %}
