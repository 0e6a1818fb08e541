{#-
    cs_auc_delong(relation, group_columns, outcomes): the ROC AUC of a score for
    each binary outcome in each group, with DeLong's standard error and a 95%
    interval (metrics.md "Health backtest"). `relation` (a relation or a
    parenthesised select) has the group columns, `score` (not null) and, for each
    outcome o in `outcomes`, the counts pos_<o> (the event happened, e.g. churned)
    and neg_<o> (it did not): 1 and 0 on a row-level relation, both 0 on a row that
    does not count for o. The result has a row per group and outcome with at least
    one event or non-event, and an `outcome` column.

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
    Portable SQL: grouped counts, and running sums over an integer group id ordered
    by score, one sort of the rows for all the outcomes (the outcomes are columns
    until the end, so the rows are the distinct scores of a group, not those of a
    group and outcome); the group totals and the AUC are grouped and joined back,
    not windowed. Group columns may be null (a null is a group of its own).
-#}
{% macro cs_auc_delong(relation, group_columns, outcomes) -%}
{%- set groups = group_columns | join(', ') -%}
{%- set z = cs_wilson_z() -%}
{%- set running = 'over (partition by auc_keyed.auc_group_id order by auc_keyed.score
            rows between unbounded preceding and current row)' -%}
auc_counts as (
    select
        {{ groups }},
        score,
        {%- for o in outcomes %}
        sum(pos_{{ o }}) as pos_{{ o }},
        sum(neg_{{ o }}) as neg_{{ o }}{{ ',' if not loop.last }}
        {%- endfor %}
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

-- the counts as doubles from here on: exact (below 2^53), and a running sum of a
-- double is several times faster on DuckDB than one of the 128-bit integer that its
-- sum() of integers returns
auc_keyed as (
    select
        auc_group_ids.auc_group_id,
        auc_counts.score,
        {%- for o in outcomes %}
        cast(auc_counts.pos_{{ o }} as double) as pos_{{ o }},
        cast(auc_counts.neg_{{ o }} as double) as neg_{{ o }}{{ ',' if not loop.last }}
        {%- endfor %}
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
        {%- for o in outcomes %}
        sum(pos_{{ o }}) as n1_{{ o }},
        sum(neg_{{ o }}) as n0_{{ o }}{{ ',' if not loop.last }}
        {%- endfor %}
    from auc_keyed
    group by auc_group_id
),

-- one ordering: the running sums from the lowest score up to the row
auc_cumulated as (
    select
        auc_keyed.*,
        {%- for o in outcomes %}
        sum(auc_keyed.neg_{{ o }}) {{ running }} as neg_up_to_{{ o }},
        sum(auc_keyed.pos_{{ o }}) {{ running }} as pos_up_to_{{ o }}{{ ',' if not loop.last }}
        {%- endfor %}
    from auc_keyed
),

auc_components as (
    select
        auc_cumulated.*,
        {%- for o in outcomes %}
        auc_totals.n1_{{ o }},
        auc_totals.n0_{{ o }},
        case when auc_totals.n0_{{ o }} > 0
            then (auc_totals.n0_{{ o }} - auc_cumulated.neg_up_to_{{ o }}
                + 0.5 * auc_cumulated.neg_{{ o }}) / auc_totals.n0_{{ o }}
        end as v10_{{ o }},
        case when auc_totals.n1_{{ o }} > 0
            then (auc_cumulated.pos_up_to_{{ o }} - auc_cumulated.pos_{{ o }}
                + 0.5 * auc_cumulated.pos_{{ o }}) / auc_totals.n1_{{ o }}
        end as v01_{{ o }}{{ ',' if not loop.last }}
        {%- endfor %}
    from auc_cumulated
    inner join auc_totals
        on auc_totals.auc_group_id = auc_cumulated.auc_group_id
),

auc_per_group as (
    select
        auc_group_id,
        {%- for o in outcomes %}
        case when max(n1_{{ o }}) > 0 and max(n0_{{ o }}) > 0
            then sum(pos_{{ o }} * v10_{{ o }}) / max(n1_{{ o }}) end as auc_{{ o }}{{ ',' if not loop.last }}
        {%- endfor %}
    from auc_components
    group by auc_group_id
),

auc_points as (
    select
        auc_components.*,
        {%- for o in outcomes %}
        auc_per_group.auc_{{ o }}{{ ',' if not loop.last }}
        {%- endfor %}
    from auc_components
    inner join auc_per_group
        on auc_per_group.auc_group_id = auc_components.auc_group_id
),

auc_by_id_wide as (
    select
        auc_group_id,
        {%- for o in outcomes %}
        max(n1_{{ o }}) + max(n0_{{ o }}) as observations_{{ o }},
        max(n1_{{ o }}) as positives_{{ o }},
        max(auc_{{ o }}) as auc_{{ o }},
        case
            when max(n1_{{ o }}) >= 2 and max(n0_{{ o }}) >= 2
                then sqrt(
                    sum(pos_{{ o }} * (v10_{{ o }} - auc_{{ o }}) * (v10_{{ o }} - auc_{{ o }}))
                    / (max(n1_{{ o }}) - 1) / max(n1_{{ o }})
                    + sum(neg_{{ o }} * (v01_{{ o }} - auc_{{ o }}) * (v01_{{ o }} - auc_{{ o }}))
                    / (max(n0_{{ o }}) - 1) / max(n0_{{ o }})
                )
        end as auc_std_error_{{ o }}{{ ',' if not loop.last }}
        {%- endfor %}
    from auc_points
    group by auc_group_id
),

auc_outcomes as (
    {%- for o in outcomes %}
    select '{{ o }}' as outcome
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

-- one row per group and outcome, for the outcomes with an event or a non-event
auc_by_id as (
    select
        auc_by_id_wide.auc_group_id,
        auc_outcomes.outcome,
        {%- for measure in ['observations', 'positives', 'auc', 'auc_std_error'] %}
        case auc_outcomes.outcome
            {%- for o in outcomes %}
            when '{{ o }}' then auc_by_id_wide.{{ measure }}_{{ o }}
            {%- endfor %}
        end as {{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    from auc_by_id_wide
    cross join auc_outcomes
),

auc_groups as (
    select
        {% for column in group_columns -%}
        auc_group_ids.{{ column }},
        {% endfor -%}
        auc_by_id.outcome,
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
        outcome,
        cast(observations as bigint) as observations,
        cast(positives as bigint) as positives,
        auc,
        auc_std_error,
        case when auc_std_error is not null then greatest(0.0, auc - {{ z }} * auc_std_error) end as auc_ci_low,
        case when auc_std_error is not null then least(1.0, auc + {{ z }} * auc_std_error) end as auc_ci_high
    from auc_groups
    where observations > 0
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
