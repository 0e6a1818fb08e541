{#-
    cs_hash_key(columns): a 64-bit integer hash of the values of `columns` (a list of
    column names), nulls included, for finding repeated keys by sorting hashes instead
    of grouping on the keys themselves. Equal keys have equal hashes; the caller checks
    the rows whose hash repeats on the keys themselves. A 32-bit hash would collide on
    large tables: an engine needs a 64-bit one.
-#}
{% macro cs_hash_key(columns) -%}
    {{ return(adapter.dispatch('cs_hash_key', 'cs_warehouse')(columns)) }}
{%- endmacro %}

{% macro duckdb__cs_hash_key(columns) -%}
hash({{ columns | join(', ') }})
{%- endmacro %}

{#- Spark's hash() is 32-bit (Murmur3); xxhash64 is 64-bit. It skips null arguments, so
    (a, null) and (null, a) hash alike: the caller's check on the keys sorts that out. -#}
{% macro spark__cs_hash_key(columns) -%}
xxhash64({{ columns | join(', ') }})
{%- endmacro %}

{% macro default__cs_hash_key(columns) -%}
    {{ exceptions.raise_compiler_error('cs_hash_key has no implementation for the adapter "'
        ~ adapter.type() ~ '": add ' ~ adapter.type() ~ '__cs_hash_key to macros/adapters/') }}
{%- endmacro %}
