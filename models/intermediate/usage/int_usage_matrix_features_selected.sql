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

{%- set text_null = 'cast(null as ' ~ dbt.type_string() ~ ')' %}

-- the core features feature_x may be: every one but the var y
x_candidates as (
    select
        feature,
        core_usage_rank
    from features
    where is_core
        and feature is distinct from {{ cs_sql_string(var_y) if var_y else text_null }}
),

matrix_x as (
    select
        coalesce(
            {{ cs_sql_string(var_x) if var_x else text_null }},
            (
                select min(x_candidates.feature)
                from x_candidates
                where x_candidates.core_usage_rank = (select min(x_ranks.core_usage_rank) from x_candidates as x_ranks)
            )
        ) as feature_x
),

-- the core features feature_y may be: every one but feature_x
y_candidates as (
    select
        features.feature,
        features.core_usage_rank
    from features
    cross join matrix_x
    where features.is_core
        and features.feature is distinct from matrix_x.feature_x
),

final as (
    select
        matrix_x.feature_x,
        coalesce(
            {{ cs_sql_string(var_y) if var_y else text_null }},
            (
                select min(y_candidates.feature)
                from y_candidates
                where y_candidates.core_usage_rank = (select min(y_ranks.core_usage_rank) from y_candidates as y_ranks)
            )
        ) as feature_y
    from matrix_x
)

select * from final
