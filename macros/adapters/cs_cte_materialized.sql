{#-
    cs_cte_materialized(): the keyword that makes a CTE a materialized step, where the
    engine has one: `name as {{ cs_cte_materialized() }} (...)`. On DuckDB it stops the
    optimizer from inlining the CTE and reordering the joins around it, so that one
    join at a time builds its hash table; engines without it plan the CTE as they see fit.
-#}
{% macro cs_cte_materialized() -%}
    {{ return(adapter.dispatch('cs_cte_materialized', 'cs_warehouse')()) }}
{%- endmacro %}

{% macro duckdb__cs_cte_materialized() -%}
materialized
{%- endmacro %}

{#- Spark has no such keyword (a CTE is inlined; caching would be a separate statement) -#}
{% macro spark__cs_cte_materialized() -%}
{%- endmacro %}

{% macro default__cs_cte_materialized() -%}
{%- endmacro %}
