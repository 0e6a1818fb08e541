"""One row per health component: the weight fitted to churn, beside the fixed one.

metrics.md "Health backtest", fitted weights. On the `training` customer-months of
int_health_backtest_outcomes (each one's whole outcome window ends on or before the
first holdout month, so nothing of the holdout period is seen), with every component
present, fit a logistic regression of churn within the horizon on the components'
shortfalls (1 - component):

    P(churn) = 1 / (1 + exp(-(b0 + sum_k b_k (1 - c_k)))),   b_k >= 0,

maximising the log-likelihood minus `health_fit_l2_penalty` / 2 x sum_k b_k^2 (the
intercept is not penalised). The fitted weight of component k is b_k / sum_k b_k:
non-negative and summing to 1, so the fitted health score is still 100 x a weighted
mean of components, 0-100, and each component's weighted shortfall says what pulled
it down. Where the fit cannot be made (no training month, no churn or no retention
in it, every b_k = 0, no convergence) fit_status says why and fitted_weight is null;
with `health_weights: fitted` a test on fit_status then stops the build before any
score is computed.
"""
import numpy as np
import pandas as pd
from scipy.optimize import minimize

COMPONENTS = ["license_utilization", "stickiness", "breadth", "trend"]


def fit_shortfall_logit(shortfalls: np.ndarray, churned: np.ndarray, l2_penalty: float):
    """(intercept, coefficients >= 0) of the penalised logistic regression above."""
    x = np.asarray(shortfalls, dtype=np.float64)
    y = np.asarray(churned, dtype=np.float64)
    k = x.shape[1]

    def objective(theta):
        z = theta[0] + x @ theta[1:]
        # log(1 + exp(z)) - y z, stably
        loss = np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * l2_penalty * np.sum(theta[1:] ** 2)
        p = 0.5 * (1.0 + np.tanh(0.5 * z))
        residual = p - y
        gradient = np.concatenate([[residual.sum()], x.T @ residual + l2_penalty * theta[1:]])
        return loss, gradient

    rate = min(max(y.mean(), 1e-6), 1 - 1e-6)
    start = np.concatenate([[np.log(rate / (1 - rate))], np.zeros(k)])
    result = minimize(objective, start, jac=True, method="L-BFGS-B",
                      bounds=[(None, None)] + [(0.0, None)] * k,
                      options={"maxiter": 1000, "gtol": 1e-9, "ftol": 1e-15})
    if not result.success:
        return None, None
    return float(result.x[0]), np.asarray(result.x[1:])


def model(dbt, session):
    dbt.config(materialized="table")
    l2_penalty = float(dbt.config.get("l2_penalty"))
    fixed = {
        "license_utilization": float(dbt.config.get("weight_utilization")),
        "stickiness": float(dbt.config.get("weight_stickiness")),
        "breadth": float(dbt.config.get("weight_breadth")),
        "trend": float(dbt.config.get("weight_trend")),
    }

    # joined and filtered in DuckDB: only the training rows reach pandas
    components = dbt.ref("int_account_health_components_monthly").set_alias("c")
    outcomes = dbt.ref("int_health_backtest_outcomes").filter("backtest_period = 'training'").set_alias("o")
    training = (
        components.join(outcomes, "c.account_id = o.account_id and c.month = o.month")
        .filter(" and ".join(f"c.{name} is not null" for name in COMPONENTS))
        .project(", ".join(f"c.{name}" for name in COMPONENTS) + ", o.is_churned_within_horizon")
        .df()
    )

    observations = len(training)
    churned = int(training["is_churned_within_horizon"].astype(bool).sum()) if observations else 0
    intercept = None
    coefficients = [None] * len(COMPONENTS)
    weights = [None] * len(COMPONENTS)
    if observations == 0:
        status = "no_training_months"
    elif churned == 0 or churned == observations:
        status = "no_contrast"
    else:
        shortfalls = 1.0 - training[COMPONENTS].to_numpy(dtype=np.float64)
        intercept, beta = fit_shortfall_logit(shortfalls, training["is_churned_within_horizon"].to_numpy(bool),
                                              l2_penalty)
        if beta is None:
            status = "not_converged"
        elif beta.sum() <= 0:
            status = "no_component_predicts"
            coefficients = list(beta)
        else:
            status = "fitted"
            coefficients = list(beta)
            weights = list(beta / beta.sum())

    return pd.DataFrame({
        "component": COMPONENTS,
        "fixed_weight": [fixed[component] for component in COMPONENTS],
        "fitted_weight": pd.array(weights, dtype="Float64"),
        "coefficient": pd.array(coefficients, dtype="Float64"),
        "intercept": pd.array([intercept] * len(COMPONENTS), dtype="Float64"),
        "training_observations": np.full(len(COMPONENTS), observations, dtype=np.int64),
        "training_churned": np.full(len(COMPONENTS), churned, dtype=np.int64),
        "l2_penalty": np.full(len(COMPONENTS), l2_penalty),
        "fit_status": [status] * len(COMPONENTS),
    })
