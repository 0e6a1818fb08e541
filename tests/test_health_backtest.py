"""The health backtest (metrics.md "Health backtest") against independent computations.

- The AUC and its DeLong interval of every group of mart_health_backtest_auc equal
  sklearn.metrics.roc_auc_score and a pairwise DeLong written here in numpy, recomputed
  from the rows of mart_health_backtest; the holdout AUCs of mart_health_weights
  likewise, from the components.
- The health deciles, the churn rates with their Wilson intervals and the lift of
  mart_health_backtest_bands, and the calibration bands, equal pandas.
- On data where the generator plants one component as what drives churn
  (--churn-driver), that component has the highest AUC of the components and the
  fitted weights put the most weight on it; with health_weights: fitted the health
  score is the weighted mean with the fitted weights.
- No leakage: every contract line that is still live on the as-of date is made to
  end on it (every customer churns the day after), and nothing dated after it is
  kept; the backtest built on that data equals the backtest built on the original.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from sklearn.metrics import roc_auc_score

Z = 1.959963984540054
BACKTEST_MARTS = ["mart_health_backtest", "mart_health_backtest_auc", "mart_health_backtest_bands",
                  "mart_health_backtest_calibration", "mart_health_weights"]
COMPONENTS = ["license_utilization", "stickiness", "breadth", "trend"]


# ---- references -------------------------------------------------------------------------
def delong_reference(is_positive: np.ndarray, score: np.ndarray) -> tuple[float, float]:
    """(AUC, DeLong standard error) from every (event, non-event) pair; a higher score
    means less risk, so a pair counts 1 when the event scores lower, 1/2 on a tie."""
    is_positive = np.asarray(is_positive, dtype=bool)
    x, y = np.asarray(score)[is_positive], np.asarray(score)[~is_positive]
    psi = (x[:, None] < y[None, :]) + 0.5 * (x[:, None] == y[None, :])
    auc = psi.mean()
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    se = np.sqrt(v10.var(ddof=1) / len(x) + v01.var(ddof=1) / len(y)) if len(x) > 1 and len(y) > 1 else np.nan
    return auc, se


def wilson(successes: float, n: float) -> tuple[float, float]:
    p = successes / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * np.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def test_delong_reference_on_a_hand_checked_case():
    # events score 1 and 3, non-events 2 and 4: pairs (1<2, 1<4, 3>2, 3<4) -> 3/4
    auc, se = delong_reference(np.array([1, 0, 1, 0]), np.array([1.0, 2.0, 3.0, 4.0]))
    assert auc == pytest.approx(0.75)
    # V10 = (1, 0.5), V01 = (0.5, 1): var 0.125 each -> se = sqrt(0.125/2 + 0.125/2)
    assert se == pytest.approx(np.sqrt(0.125))
    assert roc_auc_score([1, 0, 1, 0], -np.array([1.0, 2.0, 3.0, 4.0])) == pytest.approx(auc)


# ---- data -------------------------------------------------------------------------------
def _cut_at_as_of(raw_dir: Path, out_dir: Path, as_of: str) -> Path:
    """A copy of raw_dir in which every contract line live on `as_of` ends on it (the
    account churns the next day), no line starts after it, and no usage is after it."""
    shutil.copytree(raw_dir, out_dir)
    contracts = pd.read_csv(raw_dir / "contracts.csv", dtype=str, keep_default_na=False)
    contracts = contracts[contracts["start_date"] <= as_of].copy()
    live_after = (contracts["end_date"] == "") | (contracts["end_date"] > as_of)
    assert live_after.sum() > 50, "the as-of date should fall while many lines are live"
    contracts.loc[live_after, "end_date"] = as_of
    contracts.to_csv(out_dir / "contracts.csv", index=False, lineterminator="\n")
    usage = pq.read_table(raw_dir / "usage.parquet")
    usage = usage.filter(pd.Series(usage.column("usage_date").to_pandas() <= pd.Timestamp(as_of).date()).to_numpy())
    pq.write_table(usage, out_dir / "usage.parquet")
    return out_dir


@pytest.fixture(scope="module")
def backtest(small_warehouse):
    """The shared small warehouse (generated data, as-of date = its last usage day)."""
    return small_warehouse


@pytest.fixture(scope="module")
def as_of(backtest) -> str:
    as_of_date = pd.Timestamp(backtest.query("select as_of_date from int_as_of_date")["as_of_date"].iloc[0])
    # mid-month, so that a churn the day after still falls in the as-of month itself
    assert as_of_date.day < as_of_date.days_in_month
    return str(as_of_date.date())


@pytest.fixture(scope="module")
def backtest_cut(warehouse_for, small_dataset, as_of, tmp_path_factory):
    cut = _cut_at_as_of(small_dataset, tmp_path_factory.mktemp("cut") / "raw", as_of)
    return warehouse_for(cut, {"as_of_date": as_of})


@pytest.fixture(scope="module")
def observations(backtest) -> pd.DataFrame:
    return backtest.table("mart_health_backtest")


# ---- AUC and DeLong -----------------------------------------------------------------------
def _long(observations: pd.DataFrame) -> pd.DataFrame:
    rows = observations[observations["is_observable"]].copy()
    rows["tenure_months"] = rows["tenure_months"].astype(float)
    renewal = rows["renewal_outcome"].map({"churned": True, "renewed": False})
    outcomes = {"logo_churn": rows["is_churned_within_horizon"], "contraction": rows["is_contracted_within_horizon"],
                "renewal_churn": renewal}
    parts = []
    for outcome, positive in outcomes.items():
        for predictor in ["health_score", *COMPONENTS, "tenure_months"]:
            base = pd.DataFrame({"outcome": outcome, "predictor": predictor, "score": rows[predictor],
                                 "is_positive": positive, "month": rows["month"], "tier": rows["tier"],
                                 "stage": rows["stage"]}).dropna(subset=["score", "is_positive"])
            parts.append(base)
    return pd.concat(parts, ignore_index=True)


def test_auc_and_delong_interval_equal_sklearn_and_the_pairwise_reference(backtest, observations):
    auc = backtest.table("mart_health_backtest_auc")
    long = _long(observations)
    expected = []
    for grouping, key in [("overall", None), ("month", "month"), ("tier", "tier"), ("stage", "stage")]:
        groups = [((None,), long)] if key is None else long.dropna(subset=[key]).groupby([key])
        for (value,), group in groups:
            for (outcome, predictor), cell in group.groupby(["outcome", "predictor"]):
                positive = cell["is_positive"].astype(bool).to_numpy()
                row = {"outcome": outcome, "predictor": predictor, "grouping": grouping,
                       "key": None if key is None else str(pd.Timestamp(value).date()) if key == "month" else value,
                       "observations_ref": len(cell), "positives_ref": int(positive.sum())}
                if 0 < positive.sum() < len(positive):
                    row["auc_sklearn"] = roc_auc_score(positive, -cell["score"].to_numpy())
                    row["auc_pairs"], row["se"] = delong_reference(positive, cell["score"].to_numpy())
                expected.append(row)
    expected = pd.DataFrame(expected)
    auc["key"] = np.where(auc["grouping"] == "month", auc["month"].astype(str),
                          np.where(auc["grouping"] == "overall", None, auc["segment"]))
    merged = expected.merge(auc, on=["outcome", "predictor", "grouping", "key"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    assert len(merged) > 300
    assert (merged["observations"] == merged["observations_ref"]).all()
    assert (merged["positives"] == merged["positives_ref"]).all()
    defined = merged["auc_sklearn"].notna()
    assert defined.sum() > 300
    assert merged.loc[~defined, "auc"].isna().all()
    np.testing.assert_allclose(merged.loc[defined, "auc"], merged.loc[defined, "auc_sklearn"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(merged.loc[defined, "auc"], merged.loc[defined, "auc_pairs"], rtol=0, atol=1e-12)
    with_se = defined & merged["se"].notna()
    assert with_se.sum() > 300
    assert merged.loc[~with_se, "auc_std_error"].isna().all()
    np.testing.assert_allclose(merged.loc[with_se, "auc_std_error"], merged.loc[with_se, "se"], rtol=1e-9, atol=1e-12)
    low = np.maximum(0, merged.loc[with_se, "auc_pairs"] - Z * merged.loc[with_se, "se"])
    high = np.minimum(1, merged.loc[with_se, "auc_pairs"] + Z * merged.loc[with_se, "se"])
    np.testing.assert_allclose(merged.loc[with_se, "auc_ci_low"], low, atol=1e-9)
    np.testing.assert_allclose(merged.loc[with_se, "auc_ci_high"], high, atol=1e-9)


def test_holdout_auc_of_both_weightings_equals_sklearn(backtest, observations):
    weights = backtest.table("mart_health_weights").set_index("weighting")
    assert weights.loc["fixed", "is_active"] and not weights.loc["fitted", "is_active"]
    assert weights.loc["fitted", "fit_status"] == "fitted"
    holdout = observations[observations["backtest_period"] == "holdout"]
    for weighting, row in weights.iterrows():
        w = np.array([row["weight_utilization"], row["weight_stickiness"], row["weight_breadth"], row["weight_trend"]])
        values = holdout[COMPONENTS].to_numpy(dtype=float)
        present = ~np.isnan(values)
        score = 100 * np.nansum(values * w, axis=1) / (present * w).sum(axis=1)
        churned = holdout["is_churned_within_horizon"].astype(bool).to_numpy()
        assert row["holdout_observations"] == len(holdout)
        assert row["holdout_churned"] == churned.sum()
        assert row["holdout_auc"] == pytest.approx(roc_auc_score(churned, -score), abs=1e-9)
        _, se = delong_reference(churned, score)
        assert row["holdout_auc_std_error"] == pytest.approx(se, rel=1e-6)
    assert weights.loc["fitted", ["weight_utilization", "weight_stickiness", "weight_breadth",
                                  "weight_trend"]].sum() == pytest.approx(1.0)


# ---- the weight fit ------------------------------------------------------------------------
def _training(observations: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(shortfalls, churned) of the training observations with every component present."""
    rows = observations[observations["backtest_period"] == "training"].dropna(subset=COMPONENTS)
    return 1 - rows[COMPONENTS].to_numpy(dtype=float), rows["is_churned_within_horizon"].astype(bool).to_numpy(float)


def _penalised_logit_gradient(theta: np.ndarray, shortfalls: np.ndarray, churned: np.ndarray, l2: float) -> np.ndarray:
    design = np.column_stack([np.ones(len(shortfalls)), shortfalls])
    residual = 1 / (1 + np.exp(-(design @ theta))) - churned
    return design.T @ residual + l2 * np.concatenate([[0.0], theta[1:]])


def _scipy_fit(shortfalls: np.ndarray, churned: np.ndarray, l2: float) -> np.ndarray:
    """The penalised logistic regression of metrics.md by scipy's L-BFGS-B, to its tightest tolerances."""
    from scipy.optimize import minimize

    design = np.column_stack([np.ones(len(shortfalls)), shortfalls])

    def objective(theta):
        z = design @ theta
        value = np.sum(np.logaddexp(0.0, z) - churned * z) + 0.5 * l2 * np.sum(theta[1:] ** 2)
        return value, _penalised_logit_gradient(theta, shortfalls, churned, l2)

    result = minimize(objective, np.zeros(5), jac=True, method="L-BFGS-B", bounds=[(None, None)] + [(0.0, None)] * 4,
                      options={"maxiter": 10_000, "gtol": 1e-12, "ftol": 1e-16})
    return result.x


def _assert_the_fit_is_the_optimum(warehouse) -> None:
    """The SQL fit (int_health_weights_fitted) against scipy, and the optimality (KKT)
    conditions checked in numpy: the gradient is 0 for every free coefficient, and at
    least 0 for a coefficient held at its bound 0."""
    shortfalls, churned = _training(warehouse.table("mart_health_backtest"))
    fit = warehouse.query("select * from int_health_weights_fitted").set_index("component").loc[COMPONENTS]
    assert (fit["fit_status"] == "fitted").all()
    assert (fit["training_observations"] == len(churned)).all() and (fit["training_churned"] == churned.sum()).all()
    l2 = float(fit["l2_penalty"].iloc[0])
    theta = np.concatenate([[fit["intercept"].iloc[0]], fit["coefficient"].to_numpy(float)])
    gradient = _penalised_logit_gradient(theta, shortfalls, churned, l2)
    free = np.concatenate([[True], theta[1:] > 0])
    assert np.abs(gradient[free]).max() <= 1e-9 * len(churned), gradient
    assert (gradient[~free] >= -1e-9 * len(churned)).all(), gradient
    np.testing.assert_allclose(theta, _scipy_fit(shortfalls, churned, l2), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(fit["fitted_weight"].to_numpy(float), theta[1:] / theta[1:].sum(), rtol=1e-12)


def test_fitted_weights_are_the_penalised_logit_optimum(backtest):
    _assert_the_fit_is_the_optimum(backtest)


def _training_rows(rows: list[tuple[float, float, float, float, int]]) -> str:
    """Hand-made training rows (shortfalls of utilization, stickiness, breadth, trend; churned) as a subquery."""
    columns = "shortfall_utilization, shortfall_stickiness, shortfall_breadth, shortfall_trend, churned"
    if not rows:
        return f"(select {', '.join(f'cast(0 as double) as {c.strip()}' for c in columns.split(','))} where false) as t"
    values = ", ".join("(" + ", ".join(f"cast({v} as double)" for v in row) + ")" for row in rows)
    return f"(select * from (values {values}) as v({columns})) as t"


def test_the_fit_on_hand_made_rows(tmp_path):
    """Edge cases of the fit (macros/health/cs_health_fit.sql), checked by hand:
    - only utilization's shortfall varies: the other shortfalls are 0 on every row, so their
      gradient is 0 at b_k = 0 and they stay there; utilization gets the whole weight, and
      its coefficient is scipy's;
    - no shortfall varies: the optimum is b_k = 0 with b0 = logit(1/2) = 0, no component predicts;
    - nobody churned, or everybody did: no contrast; no row at all: no training months;
    - without a penalty, the same rows as the first case have a closed form: 1 of 3 churned
      at shortfall 0 and 2 of 3 at shortfall 1, so b0 = ln(1/2) and b0 + b1 = ln(2); the
      shortfalls that are 0 everywhere cannot move and stay at 0;
    - without a penalty, two shortfalls equal on every row have no unique optimum: not converged."""
    varying = [(0, 0, 0, 0, 1), (0, 0, 0, 0, 0), (0, 0, 0, 0, 0), (1, 0, 0, 0, 1), (1, 0, 0, 0, 1), (1, 0, 0, 0, 0)]
    collinear = [(0, 0, 0, 0, 1), (0, 0, 0, 0, 0), (1, 1, 0, 0, 1), (1, 1, 0, 0, 0), (1, 1, 0, 0, 1)]
    cases = [varying, [(0, 0, 0, 0, 1), (0, 0, 0, 0, 0)], [(0.5, 0, 0, 0, 0), (0, 0.5, 0, 0, 0)],
             [(0.5, 0, 0, 0, 1), (0, 0.5, 0, 0, 1)], [], varying, collinear]
    l2_penalties = [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0]
    from cs_warehouse.dbt_runner import run_dbt

    result = run_dbt(["run-operation", "cs_print_health_fits", "--args",
                      json.dumps({"trainings": [_training_rows(rows) for rows in cases],
                                  "l2_penalties": l2_penalties})],
                     warehouse=tmp_path / "empty.duckdb", target_path=tmp_path / "target", timeout=600)
    assert result.returncode == 0, result.stdout[-5000:]
    fits = [json.loads(line.split(" ", 1)[1]) for line in result.stdout.splitlines()
            if line.startswith("cs_health_fit ")]
    assert len(fits) == len(cases), result.stdout[-5000:]

    assert fits[0]["status"] == "fitted" and (fits[0]["observations"], fits[0]["churned"]) == (6, 3)
    assert fits[0]["coefficients"][1:] == [0.0, 0.0, 0.0]
    rows = np.array(varying, dtype=float)
    expected = _scipy_fit(rows[:, :4], rows[:, 4], 1.0)
    np.testing.assert_allclose([fits[0]["intercept"], *fits[0]["coefficients"]], expected, rtol=1e-6, atol=1e-9)

    assert fits[1]["status"] == "no_component_predicts"
    assert fits[1]["coefficients"] == [0.0, 0.0, 0.0, 0.0]
    assert fits[1]["intercept"] == pytest.approx(0.0, abs=1e-12)
    for fit in fits[2:4]:
        assert fit["status"] == "no_contrast" and fit["coefficients"] == [None] * 4 and fit["intercept"] is None
    assert fits[4]["status"] == "no_training_months" and fits[4]["observations"] == 0
    assert fits[5]["status"] == "fitted"
    np.testing.assert_allclose([fits[5]["intercept"], *fits[5]["coefficients"]],
                               [np.log(1 / 2), np.log(2) - np.log(1 / 2), 0, 0, 0], rtol=1e-9, atol=1e-12)
    assert fits[6]["status"] == "not_converged" and fits[6]["coefficients"] == [None] * 4


# ---- deciles, Wilson, lift, calibration ---------------------------------------------------
def test_deciles_churn_rates_wilson_and_lift_equal_pandas(backtest, observations):
    rows = observations[observations["is_observable"] & observations["health_score"].notna()].copy()
    decile = np.ceil(10 * rows["health_score"].rank(method="max", pct=True)).astype(int)
    assert (rows["health_decile"] == decile).all()
    assert observations.loc[~observations["is_observable"], "health_decile"].isna().all()
    bands = backtest.table("mart_health_backtest_bands").set_index(["band_type", "band"])
    overall = rows["is_churned_within_horizon"].mean()
    for band_type, column in [("health_decile", "health_decile"), ("condition", "condition")]:
        for band, group in rows.groupby(column):
            row = bands.loc[(band_type, str(band))]
            churned = int(group["is_churned_within_horizon"].sum())
            assert (row["observations"], row["churned"]) == (len(group), churned)
            assert row["churn_rate"] == pytest.approx(churned / len(group))
            low, high = wilson(churned, len(group))
            assert (row["churn_rate_ci_low"], row["churn_rate_ci_high"]) == pytest.approx((low, high), abs=1e-12)
            assert row["lift"] == pytest.approx(churned / len(group) / overall)
            assert row["min_health_score"] == pytest.approx(group["health_score"].min())
    assert len(bands) == 13


def test_calibration_bands_equal_pandas(backtest, observations):
    calibration = backtest.table("mart_health_backtest_calibration").set_index("band_rank")
    assert list(calibration.index.sort_values()) == list(range(1, 11))
    rows = observations[observations["health_score"].notna()].copy()
    rows["band"] = np.minimum(10, np.floor(rows["health_score"] / 10).astype(int) + 1)
    for band in range(1, 11):
        row = calibration.loc[band]
        training = rows[(rows["band"] == band) & (rows["backtest_period"] == "training")]
        holdout = rows[(rows["band"] == band) & (rows["backtest_period"] == "holdout")]
        assert row["training_observations"] == len(training)
        assert row["holdout_observations"] == len(holdout)
        if len(training):
            assert row["expected_churn_rate"] == pytest.approx(training["is_churned_within_horizon"].mean())
        if len(holdout):
            churned = int(holdout["is_churned_within_horizon"].sum())
            assert row["observed_churn_rate"] == pytest.approx(churned / len(holdout))
            low, high = wilson(churned, len(holdout))
            assert row["observed_churn_rate_ci_low"] == pytest.approx(low, abs=1e-12)
            assert row["observed_churn_rate_ci_high"] == pytest.approx(high, abs=1e-12)


def test_observation_rules(observations, as_of):
    """Outcomes only where M + H <= the as-of month; the periods in their order."""
    as_of_month = pd.Timestamp(as_of).to_period("M").to_timestamp()
    horizon = pd.to_datetime(observations["month"]) + pd.DateOffset(months=3)
    assert (observations["is_observable"] == (horizon <= as_of_month)).all()
    unobserved = observations[~observations["is_observable"]]
    assert unobserved[["is_churned_within_horizon", "is_contracted_within_horizon", "renewal_outcome"]].isna().all().all()
    assert (unobserved["backtest_period"] == "censored").all()
    months = observations.groupby("backtest_period")["month"].agg(["min", "max"])
    assert months.loc["training", "max"] < months.loc["gap", "min"] <= months.loc["gap", "max"] \
        < months.loc["holdout", "min"]
    # the training windows end on or before the first holdout month
    assert pd.Timestamp(months.loc["training", "max"]) + pd.DateOffset(months=3) <= pd.Timestamp(
        months.loc["holdout", "min"])
    assert pd.Timestamp(months.loc["holdout", "max"]) == as_of_month - pd.DateOffset(months=3)
    assert pd.Timestamp(months.loc["holdout", "min"]) == as_of_month - pd.DateOffset(months=3 + 5)


# ---- no leakage -----------------------------------------------------------------------------
@pytest.mark.parametrize("mart", BACKTEST_MARTS)
def test_outcomes_after_the_as_of_date_change_nothing(backtest, backtest_cut, mart):
    original = backtest.table(mart)
    cut = backtest_cut.table(mart)
    keys = list(original.columns[:2]) if mart != "mart_health_backtest_auc" else \
        ["outcome", "predictor", "grouping", "month", "segment"]
    original = original.sort_values(keys).reset_index(drop=True)
    cut = cut.sort_values(keys).reset_index(drop=True)
    # integers, strings, dates and flags exactly; doubles to 1e-12 (a sum's last bit can
    # differ between two builds with parallel aggregation)
    pd.testing.assert_frame_equal(original, cut, check_exact=False, rtol=1e-12, atol=1e-15)


def test_the_cut_data_does_end_every_customer_on_the_as_of_date(backtest_cut, as_of):
    """The leakage test would prove nothing if the cut did not reach the warehouse."""
    live_after = backtest_cut.query(
        "select count(*) as n from stg_raw__contracts where end_date is null or end_date > ?", [as_of])
    assert live_after["n"].iloc[0] == 0
    assert backtest_cut.query("select count(*) as n from mart_health_backtest where not is_observable")["n"].iloc[0] > 0


# ---- planted driver ---------------------------------------------------------------------------
@pytest.fixture(scope="module", params=[("stickiness", "fitted"), ("license_utilization", "fixed")])
def planted(request, warehouse_for, dataset):
    driver, weighting = request.param
    raw = dataset(31, 300, "--churn-driver", driver)
    return driver, weighting, warehouse_for(raw, {"health_weights": weighting})


def test_the_planted_driver_ranks_first_and_gets_the_most_weight(planted):
    driver, weighting, warehouse = planted
    auc = warehouse.query(
        "select predictor, auc, auc_ci_low from mart_health_backtest_auc"
        " where outcome = 'logo_churn' and grouping = 'overall' and predictor_kind = 'component'"
        " order by auc desc")
    assert auc["predictor"].iloc[0] == driver, auc
    assert auc["auc_ci_low"].iloc[0] > 0.5, auc
    weights = warehouse.table("mart_health_weights").set_index("weighting")
    fitted = weights.loc["fitted", ["weight_utilization", "weight_stickiness", "weight_breadth", "weight_trend"]]
    assert fitted.astype(float).idxmax() == {"stickiness": "weight_stickiness",
                                             "license_utilization": "weight_utilization"}[driver], fitted
    assert weights.loc[weighting, "is_active"]


def test_fitted_weights_switch_the_health_score(planted):
    driver, weighting, warehouse = planted
    if weighting != "fitted":
        pytest.skip("this case builds with the fixed weights")
    weights = warehouse.table("mart_health_weights").set_index("weighting").loc["fitted"]
    w = weights[["weight_utilization", "weight_stickiness", "weight_breadth", "weight_trend"]].to_numpy(float)
    health = warehouse.table("fct_account_monthly")
    values = health[COMPONENTS].to_numpy(dtype=float)
    present = ~np.isnan(values)
    expected = 100 * np.nansum(values * w, axis=1) / (present * w).sum(axis=1)
    np.testing.assert_allclose(health["health_score"], expected, atol=1e-8)
    assert health["health_score"].between(0, 100).all()
    backtest = warehouse.table("mart_health_backtest")
    shortfall = (1 - backtest[COMPONENTS].to_numpy(float)) * w
    assert (backtest["weakest_component"] == np.array(COMPONENTS)[np.nanargmax(shortfall, axis=1)]).all()


def test_the_fit_on_planted_data_is_the_penalised_logit_optimum(planted):
    _assert_the_fit_is_the_optimum(planted[2])
