{#-
    cs_product(expression): the product of `expression` over the rows of a group or a
    window (`{{ cs_product('1 - rate') }} over trailing_year`), as a double. The
    Kaplan-Meier survival and the annualized churn multiply monthly factors.
-#}
{% macro cs_product(expression) -%}
    {{ return(adapter.dispatch('cs_product', 'cs_warehouse')(expression)) }}
{%- endmacro %}

{% macro duckdb__cs_product(expression) -%}
product({{ expression }})
{%- endmacro %}

{% macro default__cs_product(expression) -%}
    {{ exceptions.raise_compiler_error('cs_product has no implementation for the adapter "'
        ~ adapter.type() ~ '": add ' ~ adapter.type() ~ '__cs_product to macros/adapters/') }}
{%- endmacro %}
