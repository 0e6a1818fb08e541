{#
    cs_fit_health_weights(training, l2_penalty): the logistic regression of
    int_health_weights_fitted (metrics.md "Health backtest", fitted weights), fitted on
    the rows of `training` (int_health_weights_training: shortfall_* and churned):

        P(churn) = 1 / (1 + exp(-(b0 + sum_k b_k s_k))),   b_k >= 0,

    minimising -log-likelihood + l2_penalty / 2 x sum_k b_k^2 (b0 is not penalised).

    Projected Newton steps (Bertsekas) from the intercept-only model (b0 = logit of the
    churn rate, b_k = 0). Each step is two aggregate queries over the training rows,
    run while the model is built, and a 5 x 5 linear solve here:
      1. the gradient g and Hessian H at theta (cs_fit_derivatives_sql);
      2. the Newton direction d from H d = -g, with the components at their bound
         (b_k = 0 and g_k > 0: the objective wants b_k below 0) held at 0
         (Gaussian elimination; H is positive definite, so no pivoting);
      3. the objective at theta + a d, projected on b_k >= 0, for a = 1, 1/2 .. 1/512
         (cs_fit_trial_sql), and the largest a that decreases it enough (Armijo, with
         1e-12 of slack for the rounding of the sums).
    The objective is strictly convex, so its optimum is unique. The fit has converged
    when the projected gradient is below 1e-12 per observation, far above the rounding
    of the sums (Newton gets there a step or two after 1e-9); it stops without
    converging when no step decreases the objective, or after `max_steps` steps.

    The queries are plain aggregates, so every engine runs them; the fit is not one
    query because engines plan a chain of dependent Newton steps badly (Spark's
    optimizer runs out of memory on the unrolled form).

    Returns {status, observations, churned, intercept, coefficients (4), steps}; status
    is fitted, no_training_months, no_contrast, no_component_predicts or not_converged.
    Outside execution (parsing) the queries are not run and status is none.
#}
{% macro cs_fit_health_weights(training, l2_penalty, max_steps=25) %}
    {%- set fit = {'status': none, 'observations': 0, 'churned': 0, 'intercept': none,
                   'coefficients': [none, none, none, none], 'steps': 0} %}
    {%- if not execute %}
        {{ return(fit) }}
    {%- endif %}
    {%- set l2 = l2_penalty | float %}
    {%- set counts = run_query(
        "select count(*) as observations, coalesce(sum(churned), 0) as churned, "
        ~ "case when sum(churned) > 0 and sum(churned) < count(*) "
        ~ "then ln(sum(churned) / (count(*) - sum(churned))) end as intercept from " ~ training).rows[0] %}
    {%- do fit.update({'observations': counts['observations'] | int, 'churned': counts['churned'] | int}) %}
    {%- if fit.observations == 0 %}
        {%- do fit.update({'status': 'no_training_months'}) %}
        {{ return(fit) }}
    {%- elif fit.churned == 0 or fit.churned == fit.observations %}
        {%- do fit.update({'status': 'no_contrast'}) %}
        {{ return(fit) }}
    {%- endif %}

    {%- set state = namespace(theta=[counts['intercept'] | float, 0.0, 0.0, 0.0, 0.0], done=false,
                              converged=false, steps=0) %}
    {%- for step in range(max_steps + 1) %}
        {%- if not state.done %}
            {%- set theta = state.theta %}
            {%- set row = run_query(cs_fit_derivatives_sql(training, theta)).rows[0] %}
            {%- set g = [] %}
            {%- for k in range(5) %}
                {%- do g.append((row['g' ~ k] | float) + (l2 * theta[k] if k > 0 else 0.0)) %}
            {%- endfor %}
            {%- set objective = (row['loss'] | float) + cs_fit_penalty(theta, l2) %}
            {#- the projected gradient: g_k, or at the bound only the part that would raise b_k #}
            {%- set projected = [] %}
            {%- for k in range(5) %}
                {%- do projected.append((g[k] if k == 0 or theta[k] > 0 else [g[k], 0.0] | min) | abs) %}
            {%- endfor %}
            {%- if projected | max <= 1e-12 * fit.observations %}
                {%- set state.converged = true %}
                {%- set state.done = true %}
            {%- elif step == max_steps %}
                {%- set state.done = true %}
            {%- else %}
                {#- the Newton system, the bound components held at 0, and so is a component
                    whose shortfall is 0 on every row when there is no penalty (it cannot move) #}
                {%- set bound = [false] %}
                {%- for k in range(1, 5) %}
                    {%- do bound.append((theta[k] <= 0 and g[k] > 0) or (row['h' ~ k ~ '_' ~ k] | float) + l2 <= 0) %}
                {%- endfor %}
                {%- set a = {} %}
                {%- set r = [] %}
                {%- for i in range(5) %}
                    {%- for j in range(5) %}
                        {%- set h = row['h' ~ ([i, j] | min) ~ '_' ~ ([i, j] | max)] | float
                                    + (l2 if i == j and i > 0 else 0.0) %}
                        {%- do a.update({i ~ '_' ~ j: (1.0 if i == j else 0.0) if bound[i] or bound[j] else h}) %}
                    {%- endfor %}
                    {%- do r.append(0.0 if bound[i] else -g[i]) %}
                {%- endfor %}
                {%- set d = cs_fit_solve(a, r) %}
            {%- endif %}
            {%- if not state.done and d is none %}
                {#- a singular system (components that move together, without a penalty): no
                    unique optimum, so no step #}
                {%- set state.done = true %}
            {%- elif not state.done %}
                {#- the line search along the projected arc #}
                {%- set candidates = [] %}
                {%- for s in range(10) %}
                    {%- set candidate = [] %}
                    {%- for k in range(5) %}
                        {%- set moved = theta[k] + (0.5 ** s) * d[k] %}
                        {%- do candidate.append(moved if k == 0 else [moved, 0.0] | max) %}
                    {%- endfor %}
                    {%- do candidates.append(candidate) %}
                {%- endfor %}
                {%- set trial = run_query(cs_fit_trial_sql(training, candidates)).rows[0] %}
                {%- set search = namespace(accepted=none) %}
                {%- for candidate in candidates %}
                    {%- set decrease = namespace(value=0.0) %}
                    {%- for k in range(5) %}
                        {%- set decrease.value = decrease.value + g[k] * (candidate[k] - theta[k]) %}
                    {%- endfor %}
                    {%- set candidate_objective = (trial['loss' ~ loop.index0] | float) + cs_fit_penalty(candidate, l2) %}
                    {%- if search.accepted is none
                          and candidate_objective <= objective + 1e-12 * (objective | abs) + 1e-4 * decrease.value %}
                        {%- set search.accepted = candidate %}
                    {%- endif %}
                {%- endfor %}
                {%- if search.accepted is none %}
                    {%- set state.done = true %}
                {%- else %}
                    {%- set state.theta = search.accepted %}
                    {%- set state.steps = state.steps + 1 %}
                {%- endif %}
            {%- endif %}
        {%- endif %}
    {%- endfor %}

    {%- set coefficients = state.theta[1:] %}
    {%- if not state.converged %}
        {%- do fit.update({'status': 'not_converged'}) %}
    {%- else %}
        {%- do fit.update({'status': 'fitted' if coefficients | sum > 0 else 'no_component_predicts',
                           'intercept': state.theta[0], 'coefficients': coefficients}) %}
    {%- endif %}
    {%- do fit.update({'steps': state.steps}) %}
    {{ return(fit) }}
{% endmacro %}


{#
    `dbt run-operation cs_print_health_fits --args '{trainings: [...]}'`: the fit of each
    relation or subquery (with shortfall_* and churned columns), with the L2 penalty of
    the same place in `l2_penalties` (default 1.0 each), printed as one JSON line each
    (`cs_health_fit {...}`). tests/test_health_backtest.py checks the edge cases
    with it on hand-made rows.
#}
{% macro cs_print_health_fits(trainings, l2_penalties=none) %}
    {%- for training in trainings %}
        {%- set l2_penalty = l2_penalties[loop.index0] if l2_penalties else 1.0 %}
        {{ print('cs_health_fit ' ~ tojson(cs_fit_health_weights(training, l2_penalty))) }}
    {%- endfor %}
{% endmacro %}


{# z = b0 + sum_k b_k s_k for the coefficients `theta`, as SQL over a training row #}
{% macro cs_fit_linear_predictor(theta) -%}
    ({{ theta[0] }})
    {%- for feature in ['shortfall_utilization', 'shortfall_stickiness', 'shortfall_breadth', 'shortfall_trend'] %}
    + ({{ theta[loop.index] }}) * {{ feature }}
    {%- endfor %}
{%- endmacro %}


{# -log-likelihood of one row, log(1 + exp(z)) - churned x z, without overflow #}
{% macro cs_fit_row_loss(z) -%}
    greatest({{ z }}, 0) + ln(1 + exp(-abs({{ z }}))) - churned * {{ z }}
{%- endmacro %}


{# the L2 penalty of theta's coefficients (not of the intercept theta[0]) #}
{% macro cs_fit_penalty(theta, l2) %}
    {%- set total = namespace(value=0.0) %}
    {%- for k in range(1, 5) %}
        {%- set total.value = total.value + theta[k] * theta[k] %}
    {%- endfor %}
    {{ return(0.5 * l2 * total.value) }}
{% endmacro %}


{# the sums of the log-likelihood's gradient (g0 .. g4), Hessian (hj_k, j <= k) and loss at theta #}
{% macro cs_fit_derivatives_sql(training, theta) -%}
    {%- set x = ['1', 'shortfall_utilization', 'shortfall_stickiness', 'shortfall_breadth', 'shortfall_trend'] -%}
    select
        sum(loss) as loss,
        {%- for k in range(5) %}
        sum((p - churned) * {{ x[k] }}) as g{{ k }},
        {%- endfor %}
        {%- for j in range(5) %}
        {%- for k in range(j, 5) %}
        sum(p * (1 - p) * {{ x[j] }} * {{ x[k] }}) as h{{ j }}_{{ k }}{{ ',' if not (j == 4 and k == 4) }}
        {%- endfor %}
        {%- endfor %}
    from (
        select
            churned,
            {%- for k in range(1, 5) %}
            {{ x[k] }},
            {%- endfor %}
            case when z >= 0 then 1 / (1 + exp(-z)) else exp(z) / (1 + exp(z)) end as p,
            {{ cs_fit_row_loss('z') }} as loss
        from (
            select *, {{ cs_fit_linear_predictor(theta) }} as z
            from {{ training }}
        ) as linear
    ) as scored
{%- endmacro %}


{# the log-likelihood's loss at each candidate theta: loss0, loss1, .. #}
{% macro cs_fit_trial_sql(training, candidates) -%}
    select
        {%- for candidate in candidates %}
        sum({{ cs_fit_row_loss('z' ~ loop.index0) }}) as loss{{ loop.index0 }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            churned,
            {%- for candidate in candidates %}
            {{ cs_fit_linear_predictor(candidate) }} as z{{ loop.index0 }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ training }}
    ) as linear
{%- endmacro %}


{# the solution d of a d = r for a positive definite 5 x 5 `a` ({'i_j': value}), by Gaussian
   elimination; none when a pivot is 0 (to the rounding), i.e. `a` is singular #}
{% macro cs_fit_solve(a, r) %}
    {%- set m = {} %}
    {%- for key, value in a.items() %}
        {%- do m.update({key: value}) %}
    {%- endfor %}
    {%- set rhs = {} %}
    {%- for i in range(5) %}
        {%- do rhs.update({i: r[i]}) %}
    {%- endfor %}
    {%- for p in range(5) %}
        {%- if not m[p ~ '_' ~ p] > 1e-12 * ([m['0_0'], 1.0] | max) %}
            {{ return(none) }}
        {%- endif %}
        {%- for i in range(p + 1, 5) %}
            {%- set factor = m[i ~ '_' ~ p] / m[p ~ '_' ~ p] %}
            {%- for j in range(p, 5) %}
                {%- do m.update({i ~ '_' ~ j: m[i ~ '_' ~ j] - factor * m[p ~ '_' ~ j]}) %}
            {%- endfor %}
            {%- do rhs.update({i: rhs[i] - factor * rhs[p]}) %}
        {%- endfor %}
    {%- endfor %}
    {%- set d = {} %}
    {%- for i in [4, 3, 2, 1, 0] %}
        {%- set total = namespace(value=rhs[i]) %}
        {%- for j in range(i + 1, 5) %}
            {%- set total.value = total.value - m[i ~ '_' ~ j] * d[j] %}
        {%- endfor %}
        {%- do d.update({i: total.value / m[i ~ '_' ~ i]}) %}
    {%- endfor %}
    {{ return([d[0], d[1], d[2], d[3], d[4]]) }}
{% endmacro %}
