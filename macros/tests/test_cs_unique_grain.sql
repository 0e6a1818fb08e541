{#-
    Generic test cs_unique_grain(columns): the model has at most one row per
    combination of `columns` (its grain). Nulls count as values, so a null key is
    a duplicate of another null key. Fails with one row per duplicated key.
-#}
{% test cs_unique_grain(model, columns) %}
{#- the keys whose hash repeats first (64-bit hashes sorted, cs_sorted_repeats: far less
    memory than an aggregate over the keys on a large model), then the exact count on those rows -#}
select
    {{ columns | join(', ') }},
    count(*) as rows_with_key
from {{ model }}
where {{ cs_hash_key(columns) }} in (
    {{ cs_sorted_repeats('select ' ~ cs_hash_key(columns) ~ ' as key_hash from ' ~ model, 'key_hash') | indent(4) }}
)
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
