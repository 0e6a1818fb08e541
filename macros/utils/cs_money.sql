{#-
    cs_money(expression): an amount of money in the warehouse's one money type,
    decimal(38,10). Line MRR is decimal(18,4) and FX rates decimal(18,6), so a
    converted amount has 10 decimals: the type keeps every sum exact.
-#}
{% macro cs_money(expression) -%}
    cast({{ expression }} as decimal(38,10))
{%- endmacro %}
