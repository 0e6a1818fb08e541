{#-
    cs_month_series(first_month, last_month): a select-list expression that makes one
    row per month start from `first_month` to `last_month` (both the first day of a
    month, inclusive). Cast the column in a later step: some engines do not accept a
    generator inside a cast.
-#}
{% macro cs_month_series(first_month, last_month) -%}
    {{ return(adapter.dispatch('cs_month_series', 'cs_warehouse')(first_month, last_month)) }}
{%- endmacro %}

{% macro duckdb__cs_month_series(first_month, last_month) -%}
unnest(generate_series({{ first_month }}, {{ last_month }}, interval 1 month))
{%- endmacro %}

{#- Spark's date_trunc gives a timestamp: the bounds are cast to dates first -#}
{% macro spark__cs_month_series(first_month, last_month) -%}
explode(sequence(cast({{ first_month }} as date), cast({{ last_month }} as date), interval 1 month))
{%- endmacro %}

{% macro default__cs_month_series(first_month, last_month) -%}
    {{ exceptions.raise_compiler_error('cs_month_series has no implementation for the adapter "'
        ~ adapter.type() ~ '": add ' ~ adapter.type() ~ '__cs_month_series to macros/adapters/') }}
{%- endmacro %}
