{#-
    Generic test cs_unique_grain(columns, partition_by=none): the model has at most one
    row per combination of `columns` (its grain). Nulls count as values, so a null key
    is a duplicate of another null key. Fails with one row per duplicated key.
    `partition_by`, one of `columns` (a day, say), sorts the key hashes within each of
    its values instead of all at once (cs_sorted_repeats): the same answer, since two
    rows with one key share that column, with many small sorts on a large model.
-#}
{% test cs_unique_grain(model, columns, partition_by=none) %}
{%- if partition_by and partition_by not in columns -%}
    {{ exceptions.raise_compiler_error('cs_unique_grain on ' ~ model ~ ': partition_by ' ~ partition_by
        ~ ' is not one of the grain columns ' ~ columns | join(', ')) }}
{%- endif -%}
{#- the keys whose hash repeats first (64-bit hashes sorted, cs_sorted_repeats: far less
    memory than an aggregate over the keys on a large model), then the exact count on those rows -#}
{%- set hashes_sql = 'select ' ~ (partition_by ~ ', ' if partition_by else '') ~ cs_hash_key(columns)
    ~ ' as key_hash from ' ~ model %}
select
    {{ columns | join(', ') }},
    count(*) as rows_with_key
from {{ model }}
where {{ cs_hash_key(columns) }} in (
    {{ cs_sorted_repeats(hashes_sql, 'key_hash', partition_by=partition_by) | indent(4) }}
)
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
