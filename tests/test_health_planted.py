"""The stage and condition marts recover what the generator planted.

The generator (cs_warehouse.generate) plants a renewal churn probability per
lifecycle stage (the stage in the month before the renewal month) and an upsell
probability per condition, and writes what it planted to truth.json. On the
bundled demo dataset the marts must recover it:
- the renewal basis has exactly the renewal observations and churns the generator
  counted per stage, and each stage's expected renewal churn rate lies within the
  mart's Wilson 95% interval;
- the horizon basis has exactly the 12-month observations and churns it counted;
- stage and churn correlate negatively on both bases (later stages churn less),
  with a chi-square far beyond chance;
- `good` customer-months are upsold more often than `bad` ones.

The Wilson check is statistical. Four separate 95% intervals would miss at least one
stage about one time in five, so the check uses simultaneous intervals: each
stage's Wilson interval at 1 - 0.05/4 (Bonferroni), recomputed from the mart's
counts, covers all four expected rates at least 95% of the time. The demo dataset
is fixed, so the check is deterministic; the exact counts above are what makes it
strict.
"""
from __future__ import annotations

import json
import math

import pytest
from conftest import DEMO_DIR
from scipy.stats import norm


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((DEMO_DIR / "truth.json").read_text())


@pytest.fixture(scope="module")
def stage_churn(demo_warehouse):
    return demo_warehouse.table("mart_stage_churn").set_index(["basis", "stage"])


def test_renewal_observations_are_the_generators(truth, stage_churn):
    for stage, planted in truth["renewal_observations_by_stage"].items():
        row = stage_churn.loc[("renewal", stage)]
        assert row["observations"] == planted["observations"], stage
        assert row["churned"] == planted["realized_churned"], stage
    assert stage_churn.loc["renewal", "observations"].sum() == truth["renewal_observations_total"]


STAGES = ["entry", "onboard", "active", "loyal"]


def simultaneous_wilson(successes: int, n: int) -> tuple[float, float]:
    """The Wilson interval at 1 - 0.05 / len(STAGES) (Bonferroni over the stages)."""
    z = norm.ppf(1 - 0.05 / (2 * len(STAGES)))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


@pytest.mark.parametrize("stage", STAGES)
def test_expected_renewal_churn_rate_within_the_wilson_interval(truth, stage_churn, stage):
    expected = truth["expected_renewal_churn_rate_by_stage"][stage]
    row = stage_churn.loc[("renewal", stage)]
    assert row["observations"] > 0
    low, high = simultaneous_wilson(int(row["churned"]), int(row["observations"]))
    # the simultaneous interval contains the mart's 95% interval
    assert low <= row["churn_rate_ci_low"] + 1e-12 and row["churn_rate_ci_high"] <= high + 1e-12
    assert low <= expected <= high, f"{stage}: expected {expected:.3f} outside [{low:.3f}, {high:.3f}]"


def test_horizon_observations_are_the_generators(truth, stage_churn):
    for stage, planted in truth["stage_churn_horizon_12m_by_stage"].items():
        row = stage_churn.loc[("horizon", stage)]
        assert (row["observations"], row["churned"]) == (planted["observations"], planted["churned"]), stage


def test_churn_falls_with_the_stage_on_both_bases(demo_warehouse, stage_churn):
    summary = demo_warehouse.table("mart_stage_churn_summary").set_index("basis")
    for basis in ["horizon", "renewal"]:
        assert summary.loc[basis, "point_biserial_r"] < 0, basis
        # chi-square with 3 degrees of freedom: 16.27 is the 0.001 critical value
        assert summary.loc[basis, "degrees_of_freedom"] == 3
        assert summary.loc[basis, "chi_square"] > 16.27, basis
        rates = stage_churn.loc[basis].sort_values("stage_rank")["churn_rate"].tolist()
        assert rates[0] > rates[-1], f"{basis}: entry should churn more than loyal: {rates}"
        assert stage_churn.loc[(basis, "loyal"), "relative_risk_vs_loyal"] == pytest.approx(1.0)


def test_good_condition_is_upsold_more_than_bad(demo_warehouse, truth):
    by_condition = demo_warehouse.query(
        "select condition, sum(observations) as observations, sum(upsold) as upsold"
        " from mart_condition_upsell group by condition").set_index("condition")
    rate = by_condition["upsold"] / by_condition["observations"]
    assert (by_condition["observations"] > 0).all()
    assert rate["good"] > rate["bad"], rate.to_dict()
    planted = truth["upsell_by_condition"]
    assert planted["good"]["planted_monthly_probability"] > planted["bad"]["planted_monthly_probability"]
