{#-
    cs_weighted_mean_of_present(components): the weighted mean of the components
    that are not null, with the weights renormalised over those components
    (metrics.md "Health score"). `components` is a list of (expression, weight)
    pairs. Null where every component is null (or every present weight is 0).
-#}
{% macro cs_weighted_mean_of_present(components) -%}
    (
        {%- for expression, weight in components %}
        coalesce(({{ expression }}) * {{ weight }}, 0){{ ' +' if not loop.last }}
        {%- endfor %}
    ) / nullif(
        {%- for expression, weight in components %}
        case when ({{ expression }}) is not null then {{ weight }} else 0 end{{ ' +' if not loop.last }}
        {%- endfor %}
    , 0)
{%- endmacro %}


{#-
    cs_clamp(expression, low, high): expression limited to [low, high].
-#}
{% macro cs_clamp(expression, low, high) -%}
    greatest({{ low }}, least({{ high }}, {{ expression }}))
{%- endmacro %}


{#-
    cs_stages(): the lifecycle stages of metrics.md "Lifecycle stage" with their
    rank, lowest first, from the var lifecycle_stages (entry < onboard < active < loyal).
    cs_stages_relation(): the same as a relation (stage, stage_rank), for a spine.
    cs_stage_rank(expression): the rank of a stage name.
-#}
{% macro cs_stages() -%}
    {%- set stages = [] %}
    {%- for stage in var('lifecycle_stages') %}
        {%- do stages.append((stage, loop.index)) %}
    {%- endfor %}
    {{ return(stages) }}
{%- endmacro %}


{% macro cs_stages_relation() -%}
    (
        {%- for stage, rank in cs_stages() %}
        select '{{ stage }}' as stage, {{ rank }} as stage_rank{{ ' union all' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}


{% macro cs_stage_rank(expression) -%}
    case {{ expression }}
        {%- for stage, rank in cs_stages() %}
        when '{{ stage }}' then {{ rank }}
        {%- endfor %}
    end
{%- endmacro %}


{#-
    cs_conditions_relation(): the Toreta conditions (condition, condition_rank),
    lowest first, from the var health_conditions (bad < normal < good), for a spine.
-#}
{% macro cs_conditions_relation() -%}
    (
        {%- for condition in var('health_conditions') %}
        select '{{ condition }}' as condition, {{ loop.index }} as condition_rank{{ ' union all' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}


{#-
    cs_tenure_phase(age_months): the tenure phase of metrics.md "Tenure phase"
    (SmartHR, Box) from the months since the cohort month: onboarding from month 0,
    adoption from `tenure_adoption_from_month` [4], renewal from
    `tenure_renewal_from_month` [10].
-#}
{% macro cs_tenure_phase(age_months) -%}
    case
        when {{ age_months }} >= {{ var('tenure_renewal_from_month') }} then 'renewal'
        when {{ age_months }} >= {{ var('tenure_adoption_from_month') }} then 'adoption'
        when {{ age_months }} >= 0 then 'onboarding'
    end
{%- endmacro %}
