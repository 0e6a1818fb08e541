{#-
    cs_null_safe_equals(left, right): a join condition that is true when both sides
    are equal or both are null, so that a null group key joins to itself. DuckDB and
    standard SQL say `is not distinct from`; Spark says `<=>`. Both keep the join a
    hash join (an `or ... is null` condition would not).
-#}
{% macro cs_null_safe_equals(left, right) -%}
    {{ return(adapter.dispatch('cs_null_safe_equals', 'cs_warehouse')(left, right)) }}
{%- endmacro %}

{% macro default__cs_null_safe_equals(left, right) -%}
{{ left }} is not distinct from {{ right }}
{%- endmacro %}

{% macro spark__cs_null_safe_equals(left, right) -%}
{{ left }} <=> {{ right }}
{%- endmacro %}
