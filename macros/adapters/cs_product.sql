{#-
    cs_product(expression, window=none): the product of `expression` over the rows of a
    group, or, with `window` (the name of a window, or its definition in parentheses),
    over that window: `{{ cs_product('1 - rate', 'trailing_year') }}`. A double; null
    where every value is null. The Kaplan-Meier survival and the annualized churn
    multiply monthly factors. The window is an argument because an engine without a
    product aggregate (Spark) cannot put `over` right after the function.
-#}
{% macro cs_product(expression, window=none) -%}
    {{ return(adapter.dispatch('cs_product', 'cs_warehouse')(expression, window)) }}
{%- endmacro %}

{% macro duckdb__cs_product(expression, window=none) -%}
product({{ expression }}){{ ' over ' ~ window if window is not none else '' }}
{%- endmacro %}

{#- Spark SQL has no product aggregate: the values are collected (nulls skipped) and
    folded. Over a window the list holds the frame's rows, in the window's order. -#}
{% macro spark__cs_product(expression, window=none) -%}
    {%- set over = ' over ' ~ window if window is not none else '' -%}
case when count({{ expression }}){{ over }} > 0
    then aggregate(collect_list(cast({{ expression }} as double)){{ over }}, cast(1 as double), (product, factor) -> product * factor)
end
{%- endmacro %}

{% macro default__cs_product(expression, window=none) -%}
    {{ exceptions.raise_compiler_error('cs_product has no implementation for the adapter "'
        ~ adapter.type() ~ '": add ' ~ adapter.type() ~ '__cs_product to macros/adapters/') }}
{%- endmacro %}
