{#-
    cs_data_type(data_type): a data_type of the raw contract (_raw__sources.yml) as the
    engine spells it in a cast. The contract says varchar for text, as DuckDB does;
    Spark's varchar needs a length, and its text type is string.
-#}
{% macro cs_data_type(data_type) -%}
    {{ return(adapter.dispatch('cs_data_type', 'cs_warehouse')(data_type)) }}
{%- endmacro %}

{% macro default__cs_data_type(data_type) -%}
    {{- return(data_type) -}}
{%- endmacro %}

{% macro spark__cs_data_type(data_type) -%}
    {{- return('string' if (data_type | lower) in ('varchar', 'text') else data_type) -}}
{%- endmacro %}
