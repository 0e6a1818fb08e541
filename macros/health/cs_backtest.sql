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
    Portable SQL: grouped counts, and running sums in one window function over an
    integer group id (one sort of the rows by id and score); the group totals and
    the AUC are grouped and joined back, not windowed.
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

-- each group gets a small integer id, so that the one ordering by score below sorts
-- on (id, score) rather than on every group column
auc_group_ids as (
    select
        {{ groups }},
        row_number() over (order by {{ groups }}) as auc_group_id
    from (select distinct {{ groups }} from auc_counts) as distinct_groups
),

auc_keyed as (
    select
        auc_group_ids.auc_group_id,
        auc_counts.score,
        auc_counts.pos,
        auc_counts.neg
    from auc_counts
    inner join auc_group_ids
        on {% for column in group_columns -%}
        {{ cs_null_safe_equals('auc_group_ids.' ~ column, 'auc_counts.' ~ column) }}
        {%- if not loop.last %}
        and {% endif %}
        {%- endfor %}
),

auc_totals as (
    select
        auc_group_id,
        sum(pos) as n1,
        sum(neg) as n0
    from auc_keyed
    group by auc_group_id
),

-- one window, one ordering: the running sums from the lowest score up to the row
auc_cumulated as (
    select
        auc_keyed.*,
        auc_totals.n1,
        auc_totals.n0,
        auc_totals.n0 - sum(auc_keyed.neg) over (
            partition by auc_keyed.auc_group_id order by auc_keyed.score
            rows between unbounded preceding and current row) as neg_above,
        sum(auc_keyed.pos) over (
            partition by auc_keyed.auc_group_id order by auc_keyed.score
            rows between unbounded preceding and current row) - auc_keyed.pos as pos_below
    from auc_keyed
    inner join auc_totals
        on auc_totals.auc_group_id = auc_keyed.auc_group_id
),

auc_components as (
    select
        *,
        case when n0 > 0 then (cast(neg_above as double) + 0.5 * neg) / n0 end as v10,
        case when n1 > 0 then (cast(pos_below as double) + 0.5 * pos) / n1 end as v01
    from auc_cumulated
),

auc_per_group as (
    select
        auc_group_id,
        case when max(n1) > 0 and max(n0) > 0 then sum(pos * v10) / max(n1) end as auc
    from auc_components
    group by auc_group_id
),

auc_points as (
    select
        auc_components.*,
        auc_per_group.auc
    from auc_components
    inner join auc_per_group
        on auc_per_group.auc_group_id = auc_components.auc_group_id
),

auc_by_id as (
    select
        auc_group_id,
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
    group by auc_group_id
),

auc_groups as (
    select
        {% for column in group_columns -%}
        auc_group_ids.{{ column }},
        {% endfor -%}
        auc_by_id.observations,
        auc_by_id.positives,
        auc_by_id.auc,
        auc_by_id.auc_std_error
    from auc_by_id
    inner join auc_group_ids
        on auc_group_ids.auc_group_id = auc_by_id.auc_group_id
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


{#-
    cs_backtest_observations_fingerprint(): a scalar subquery that changes whenever
    the rows the AUC reads change: the count and the sum of 64-bit hashes
    (cs_hash_key) of every column of the observable rows of
    int_health_backtest_observations that int_health_backtest_auc uses. Equal
    rows give an equal fingerprint in any order; a changed value changes it, short
    of a 64-bit hash collision.
-#}
{% macro cs_backtest_observations_fingerprint() -%}
    {%- set columns = ['account_id', 'month', 'tier', 'stage', 'tenure_months', 'health_score',
        'license_utilization', 'stickiness', 'breadth', 'trend', 'is_churned_within_horizon',
        'is_contracted_within_horizon', 'renewal_outcome'] -%}
(
    select
        cast(count(*) as {{ dbt.type_string() }}) || ':'
        || coalesce(cast(sum(cast({{ cs_hash_key(columns) }} as decimal(38, 0))) as {{ dbt.type_string() }}), '0')
    from {{ ref('int_health_backtest_observations') }}
    where is_observable
)
{%- endmacro %}
