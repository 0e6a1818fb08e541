"""mart_survival against lifelines' KaplanMeierFitter, segment by segment.

The durations and events come from the plain-Python reference
(test_revenue_reference.survival_observations: first churn age, or the age in the
as-of month for accounts that have not churned), not from the warehouse. For every
segment (all, tier, industry, plan) lifelines fits a Kaplan-Meier curve; its
default 95% interval is Greenwood's variance on the log(-log) scale, the one the
mart publishes. Every age of the mart must agree: at risk, churned and censored
exactly, the estimate and both bounds within 1e-9.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import test_revenue_reference as reference
from conftest import open_warehouse
from lifelines import KaplanMeierFitter
from test_revenue_reference import revenue_hand_raw_dir  # noqa: F401  (a shared session fixture)

GENERATED = [(1, 80), (7, 150), (4, 400)]
SEGMENT_TYPES = ["all", "tier", "industry", "plan"]


def mart_survival(warehouse) -> dict:
    with open_warehouse(warehouse.path) as connection:
        rows = connection.execute("select * from main.mart_survival").fetchall()
        names = [column[0] for column in connection.description]
    survival = {}
    for row in rows:
        record = dict(zip(names, row))
        survival.setdefault((record["segment_type"], record["segment"]), {})[record["age_months"]] = record
    return survival


def close(actual: float, expected: float) -> bool:
    return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-12)


def assert_segment_matches_lifelines(label, ages: dict, durations, events) -> None:
    fitter = KaplanMeierFitter().fit(durations, event_observed=events)
    table = fitter.event_table
    low_column, high_column = fitter.confidence_interval_.columns
    # the mart has every age from 0 to the last duration of the segment
    assert sorted(ages) == list(range(0, int(max(durations)) + 1)), label
    for age, row in ages.items():
        at = fitter.survival_function_.index[fitter.survival_function_.index <= age].max()
        expected_survival = float(fitter.survival_function_.loc[at].iloc[0])
        expected_low = float(fitter.confidence_interval_.loc[at, low_column])
        expected_high = float(fitter.confidence_interval_.loc[at, high_column])
        expected_at_risk = int(np.sum(np.asarray(durations) >= age))
        if age in table.index:
            assert row["at_risk"] == int(table.loc[age, "at_risk"]), (label, age)
            assert row["churned"] == int(table.loc[age, "observed"]), (label, age)
            assert row["censored"] == int(table.loc[age, "censored"]), (label, age)
        else:
            assert (row["churned"], row["censored"]) == (0, 0), (label, age)
        assert row["at_risk"] == expected_at_risk, (label, age)
        assert close(row["survival"], expected_survival), (label, age, row["survival"], expected_survival)
        assert close(row["survival_ci_low"], expected_low), (label, age, row["survival_ci_low"], expected_low)
        assert close(row["survival_ci_high"], expected_high), (label, age, row["survival_ci_high"], expected_high)


def check_against_lifelines(warehouse, raw_dir) -> int:
    observations = reference.survival_observations(reference.load(raw_dir))
    survival = mart_survival(warehouse)
    expected_segments = set()
    for segment_type in SEGMENT_TYPES:
        for segment, group in observations.groupby(f"segment_{segment_type}"):
            expected_segments.add((segment_type, segment))
            assert (segment_type, segment) in survival, f"segment {segment_type}={segment} missing"
            assert_segment_matches_lifelines(f"{segment_type}={segment}", survival[(segment_type, segment)],
                                             group.duration.to_numpy(), group.churned.to_numpy())
    assert set(survival) == expected_segments
    return int(observations.churned.sum())


@pytest.mark.parametrize("seed, accounts", GENERATED)
def test_survival_matches_lifelines_on_generated_data(dataset, warehouse_for, seed, accounts):
    raw_dir = dataset(seed, accounts)
    churned = check_against_lifelines(warehouse_for(raw_dir), raw_dir)
    assert churned > 0, "the dataset should have churns for the curve to be worth checking"


def test_survival_matches_lifelines_on_the_hand_dataset(revenue_hand_raw_dir, warehouse_for):
    """Includes a segment whose only account churns (industry retail: S = 0, interval [0, 0])
    and an account that churns and comes back (its first churn is the event)."""
    check_against_lifelines(warehouse_for(revenue_hand_raw_dir), revenue_hand_raw_dir)
    retail = mart_survival(warehouse_for(revenue_hand_raw_dir))[("industry", "retail")]
    assert (retail[1]["survival"], retail[1]["survival_ci_low"], retail[1]["survival_ci_high"]) == (0, 0, 0)
