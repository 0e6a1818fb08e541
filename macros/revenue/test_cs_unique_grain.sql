{#-
    Generic test cs_unique_grain(columns): the model has at most one row per
    combination of `columns` (its grain). Nulls count as values, so a null key is
    a duplicate of another null key. Fails with one row per duplicated key.
-#}
{% test cs_unique_grain(model, columns) %}
select
    {{ columns | join(', ') }},
    count(*) as rows_with_key
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
