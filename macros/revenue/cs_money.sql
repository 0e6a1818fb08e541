{#-
    cs_money(expression): an amount of money in the warehouse's one money type,
    decimal(38,10). Line MRR is decimal(18,4) and FX rates decimal(18,6), so a
    converted amount has 10 decimals: the type keeps every sum exact.
-#}
{% macro cs_money(expression) -%}
    cast({{ expression }} as decimal(38,10))
{%- endmacro %}


{#-
    cs_ratio(numerator, denominator): numerator / denominator as a double, or null
    where the denominator is 0 or null (a rate of nothing is unknown, not 0).
-#}
{% macro cs_ratio(numerator, denominator) -%}
    case
        when {{ denominator }} <> 0
            then cast({{ numerator }} as double) / cast({{ denominator }} as double)
    end
{%- endmacro %}
