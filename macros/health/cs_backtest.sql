{#-
    cs_auc_delong(relation, group_columns): the ROC AUC of a score for a binary
    outcome in each group, with DeLong's standard error and a 95% interval
    (metrics.md "Health backtest"). `relation` (a relation or a parenthesised
    select) has the group columns, `score` (not null) and `is_positive` (boolean,
    not null; true = the event happened, e.g. churned).

    A higher score means a lower risk, so the AUC is the probability that an
    observation with the event scores lower than one without it, ties counting one
    half: sklearn.metrics.roc_auc_score(is_positive, -score). With n1 events and
    n0 non-events, for each distinct score s with pos(s) events and neg(s) others:
        V10(s) = (non-events scoring above s + neg(s) / 2) / n0   (each event at s)
        V01(s) = (events scoring below s + pos(s) / 2) / n1       (each non-event at s)
        AUC    = sum pos(s) V10(s) / n1
        S10    = sum pos(s) (V10(s) - AUC)^2 / (n1 - 1),  S01 likewise over neg(s), n0
        SE     = sqrt(S10 / n1 + S01 / n0)                 (DeLong et al. 1988)
    Interval: AUC -/+ z SE, clamped to [0, 1]. The AUC is null without both events
    and non-events, the interval without at least two of each.
    Portable SQL: grouped counts and running sums in window functions, no join.
    Group columns may be null (a null is a group of its own).
-#}
{% macro cs_auc_delong(relation, group_columns) -%}
{%- set groups = group_columns | join(', ') -%}
{%- set z = cs_wilson_z() -%}
auc_counts as (
    select
        {{ groups }},
        score,
        sum(case when is_positive then 1 else 0 end) as pos,
        sum(case when is_positive then 0 else 1 end) as neg
    from {{ relation }}
    group by {{ groups }}, score
),

auc_cumulated as (
    select
        *,
        coalesce(sum(neg) over (
            partition by {{ groups }} order by score desc
            rows between unbounded preceding and 1 preceding), 0) as neg_above,
        coalesce(sum(pos) over (
            partition by {{ groups }} order by score
            rows between unbounded preceding and 1 preceding), 0) as pos_below,
        sum(pos) over (partition by {{ groups }}) as n1,
        sum(neg) over (partition by {{ groups }}) as n0
    from auc_counts
),

auc_components as (
    select
        *,
        case when n0 > 0 then (cast(neg_above as double) + 0.5 * neg) / n0 end as v10,
        case when n1 > 0 then (cast(pos_below as double) + 0.5 * pos) / n1 end as v01
    from auc_cumulated
),

auc_points as (
    select
        *,
        case when n1 > 0 and n0 > 0 then sum(pos * v10) over (partition by {{ groups }}) / n1 end as auc
    from auc_components
),

auc_groups as (
    select
        {{ groups }},
        max(n1) + max(n0) as observations,
        max(n1) as positives,
        max(auc) as auc,
        case
            when max(n1) >= 2 and max(n0) >= 2
                then sqrt(
                    sum(pos * (v10 - auc) * (v10 - auc)) / (max(n1) - 1) / max(n1)
                    + sum(neg * (v01 - auc) * (v01 - auc)) / (max(n0) - 1) / max(n0)
                )
        end as auc_std_error
    from auc_points
    group by {{ groups }}
),

auc_final as (
    select
        {{ groups }},
        cast(observations as bigint) as observations,
        cast(positives as bigint) as positives,
        auc,
        auc_std_error,
        case when auc_std_error is not null then greatest(0.0, auc - {{ z }} * auc_std_error) end as auc_ci_low,
        case when auc_std_error is not null then least(1.0, auc + {{ z }} * auc_std_error) end as auc_ci_high
    from auc_groups
)
{%- endmacro %}


{#-
    cs_health_weights_relation(): one row (weight_utilization, weight_stickiness,
    weight_breadth, weight_trend) with the weights the health score uses: the fixed
    vars health_weight_*, or with `health_weights: fitted` int_health_weights_fitted.
-#}
{% macro cs_health_weights_relation() -%}
{%- if var('health_weights') == 'fitted' %}
    (
        select
            max(case when component = 'license_utilization' then fitted_weight end) as weight_utilization,
            max(case when component = 'stickiness' then fitted_weight end) as weight_stickiness,
            max(case when component = 'breadth' then fitted_weight end) as weight_breadth,
            max(case when component = 'trend' then fitted_weight end) as weight_trend
        from {{ ref('int_health_weights_fitted') }}
    )
{%- else %}
    (
        select
            cast({{ var('health_weight_utilization') }} as double) as weight_utilization,
            cast({{ var('health_weight_stickiness') }} as double) as weight_stickiness,
            cast({{ var('health_weight_breadth') }} as double) as weight_breadth,
            cast({{ var('health_weight_trend') }} as double) as weight_trend
    )
{%- endif %}
{%- endmacro %}
