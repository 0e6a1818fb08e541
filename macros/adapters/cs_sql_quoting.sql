{#-
    cs_sql_string(text): a SQL string literal of text (a path, a value, a pattern).
    cs_sql_identifier(name): a quoted SQL identifier (a column named `Notes "internal"`
    in a file's header).

    DuckDB and standard SQL double a quote inside a literal and quote identifiers with
    double quotes. Spark reads a double-quoted name as a string (its ANSI option for
    identifiers needs ANSI mode, which dbt-spark turns off), quotes identifiers with
    backticks, and reads backslash escapes in literals: '\d' is 'd' there, so a regular
    expression's backslashes are doubled.
-#}
{% macro cs_sql_string(text) -%}
    {{ return(adapter.dispatch('cs_sql_string', 'cs_warehouse')(text)) }}
{%- endmacro %}

{% macro default__cs_sql_string(text) -%}
    {{- return("'" ~ (text | string).replace("'", "''") ~ "'") -}}
{%- endmacro %}

{% macro spark__cs_sql_string(text) -%}
    {{- return("'" ~ (text | string).replace('\\', '\\\\').replace("'", "\\'") ~ "'") -}}
{%- endmacro %}


{% macro cs_sql_identifier(name) -%}
    {{ return(adapter.dispatch('cs_sql_identifier', 'cs_warehouse')(name)) }}
{%- endmacro %}

{% macro default__cs_sql_identifier(name) -%}
    {{- return('"' ~ (name | string).replace('"', '""') ~ '"') -}}
{%- endmacro %}

{% macro spark__cs_sql_identifier(name) -%}
    {{- return('`' ~ (name | string).replace('`', '``') ~ '`') -}}
{%- endmacro %}
