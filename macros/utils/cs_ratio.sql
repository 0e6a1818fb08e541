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
