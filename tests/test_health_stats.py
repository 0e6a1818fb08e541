"""The statistics of the stage-churn marts against scipy, on the same tables.

mart_stage_churn publishes, per basis and stage, observations and churned counts
with a Wilson 95% interval; mart_stage_churn_summary publishes the point-biserial
correlation between stage rank and churned, and the chi-square statistic of the
stage x outcome table with its degrees of freedom. Here scipy recomputes each of
them from the counts the marts publish (the 2 x 4 tables are all that these
statistics depend on):
- Wilson: scipy.stats.binomtest(k, n).proportion_ci(method="wilson");
- chi-square: scipy.stats.chi2_contingency(table, correction=False) on the stages
  and outcomes that have observations;
- point-biserial r: scipy.stats.pointbiserialr on the observations expanded from
  the counts (stage_rank repeated per observation, churned 0/1).
Checked on two generated warehouses (the demo dataset and the small one).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats


@pytest.fixture(scope="module", params=["demo", "small"])
def warehouse(request, demo_warehouse, small_warehouse):
    return demo_warehouse if request.param == "demo" else small_warehouse


def stage_table(warehouse, basis: str):
    frame = warehouse.query(
        "select stage, stage_rank, observations, churned from mart_stage_churn where basis = ? order by stage_rank",
        [basis])
    return frame


def test_wilson_intervals_match_scipy(warehouse):
    frame = warehouse.table("mart_stage_churn")
    checked = 0
    for row in frame.itertuples():
        if row.observations == 0:
            assert math.isnan(row.churn_rate_ci_low) and math.isnan(row.churn_rate_ci_high)
            continue
        interval = stats.binomtest(int(row.churned), int(row.observations)).proportion_ci(
            confidence_level=0.95, method="wilson")
        assert row.churn_rate == pytest.approx(row.churned / row.observations, rel=1e-12)
        assert row.churn_rate_ci_low == pytest.approx(interval.low, abs=1e-12), (row.basis, row.stage)
        assert row.churn_rate_ci_high == pytest.approx(interval.high, abs=1e-12), (row.basis, row.stage)
        assert row.churn_rate_ci_low <= row.churn_rate <= row.churn_rate_ci_high
        checked += 1
    assert checked >= 6


@pytest.mark.parametrize("basis", ["horizon", "renewal"])
def test_chi_square_matches_scipy(warehouse, basis):
    table = stage_table(warehouse, basis)
    counts = np.array([[row.churned, row.observations - row.churned] for row in table.itertuples()], dtype=float)
    counts = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0]
    summary = warehouse.query("select * from mart_stage_churn_summary where basis = ?", [basis]).iloc[0]
    assert summary["observations"] == table["observations"].sum()
    if min(counts.shape) < 2:
        assert math.isnan(summary["chi_square"]) and summary["degrees_of_freedom"] == 0
        pytest.skip(f"{basis}: the table has a single row or column")
    result = stats.chi2_contingency(counts, correction=False)
    assert summary["chi_square"] == pytest.approx(result.statistic, rel=1e-9)
    assert summary["degrees_of_freedom"] == result.dof


@pytest.mark.parametrize("basis", ["horizon", "renewal"])
def test_point_biserial_r_matches_scipy(warehouse, basis):
    table = stage_table(warehouse, basis)
    ranks, churned = [], []
    for row in table.itertuples():
        ranks += [row.stage_rank] * int(row.observations)
        churned += [1] * int(row.churned) + [0] * int(row.observations - row.churned)
    summary = warehouse.query("select * from mart_stage_churn_summary where basis = ?", [basis]).iloc[0]
    assert len(ranks) == summary["observations"] > 2
    expected = stats.pointbiserialr(churned, ranks).statistic
    assert summary["point_biserial_r"] == pytest.approx(expected, rel=1e-9)
    # and it is the Pearson correlation of the same columns
    assert summary["point_biserial_r"] == pytest.approx(np.corrcoef(ranks, churned)[0, 1], rel=1e-9)


def test_relative_risk_is_against_loyal_on_the_same_basis(warehouse):
    frame = warehouse.table("mart_stage_churn")
    for basis, group in frame.groupby("basis"):
        loyal_rate = group.loc[group["stage"] == "loyal", "churn_rate"].iloc[0]
        for row in group.itertuples():
            if loyal_rate and not math.isnan(loyal_rate) and not math.isnan(row.churn_rate):
                assert row.relative_risk_vs_loyal == pytest.approx(row.churn_rate / loyal_rate, rel=1e-12)
            else:
                assert math.isnan(row.relative_risk_vs_loyal)
