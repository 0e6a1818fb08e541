-- One row: the two features of the utilization matrix (metrics.md "Utilization
-- matrix"). feature_x is the var utilization_matrix_feature_x, else the core feature
-- with the most events that is not the var y; feature_y is the var
-- utilization_matrix_feature_y, else the core feature with the most events that is
-- not feature_x. Null where the data has too few core features.
{%- set var_x = var('utilization_matrix_feature_x', none) -%}
{%- set var_y = var('utilization_matrix_feature_y', none) %}
with

features as (
    select * from {{ ref('int_usage_features_ranked') }}
),

matrix_x as (
    select
        coalesce(
            {{ cs_sql_string(var_x) if var_x else 'cast(null as ' ~ dbt.type_string() ~ ')' }},
            (
                select min_by(feature, core_usage_rank)
                from features
                where is_core
                    and feature is distinct from {{ cs_sql_string(var_y) if var_y else 'cast(null as ' ~ dbt.type_string() ~ ')' }}
            )
        ) as feature_x
),

final as (
    select
        matrix_x.feature_x,
        coalesce(
            {{ cs_sql_string(var_y) if var_y else 'cast(null as ' ~ dbt.type_string() ~ ')' }},
            (
                select min_by(features.feature, features.core_usage_rank)
                from features
                where features.is_core
                    and features.feature is distinct from matrix_x.feature_x
            )
        ) as feature_y
    from matrix_x
)

select * from final
