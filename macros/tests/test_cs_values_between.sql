{#-
    Generic test cs_values_between(columns, min_value=none, max_value=none): every
    non-null value of each listed column lies in [min_value, max_value] (a bound left
    out is open). Declared on a model, once per range: the rates and shares of a mart
    in [0, 1], its NRR-like ratios (which may exceed 1) at least 0. Fails with one row
    per value outside its range, naming the column.
-#}
{% test cs_values_between(model, columns, min_value=none, max_value=none) %}
{%- for column in columns %}
select
    '{{ column }}' as column_name,
    cast({{ adapter.quote(column) }} as double) as value
from {{ model }}
where {{ adapter.quote(column) }} is not null
    and (
        {%- if min_value is not none %} {{ adapter.quote(column) }} < {{ min_value }}{% endif %}
        {%- if min_value is not none and max_value is not none %} or{% endif %}
        {%- if max_value is not none %} {{ adapter.quote(column) }} > {{ max_value }}{% endif %}
    )
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
{% endtest %}
