"""The bundled demo reads like a believable company, with the problems it plants visible.

The demo is generated with `--profile healthy` (README.md): a mid-size SaaS whose
retention is in the usual B2B range (GRR 85-92%, annual logo churn 10-20%), with
three problems for a CS leader to find. Each is checked on the marts the reports
read, against the ranges and the plants of the profile, not against figures of one
build:
- the tier whose touches the generator misses most (truth.json) has the lowest
  touch compliance of the tiers with a cadence;
- the cohorts the generator onboarded slowly complete onboarding within target
  less often than the cohorts around them;
- some renewals due in the next 90 days have a falling health score.
"""
from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import DEMO_DIR


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((DEMO_DIR / "truth.json").read_text())


@pytest.fixture(scope="module")
def last_complete_month(demo_warehouse):
    # the month before the as-of month, or the as-of month when the as-of date ends it
    as_of = pd.Timestamp(demo_warehouse.table("dim_accounts")["as_of_date"].iloc[0])
    month = as_of.to_period("M").to_timestamp()
    complete = month if as_of == month + pd.offsets.MonthEnd(0) else month - pd.DateOffset(months=1)
    return complete


def test_the_demo_is_the_healthy_profile(truth):
    assert truth.get("profile") == "healthy"


def test_retention_is_in_the_usual_b2b_range(demo_warehouse, last_complete_month):
    revenue = demo_warehouse.table("mart_revenue_monthly").set_index("month")
    row = revenue.loc[last_complete_month]
    assert 0.85 <= row["grr_12m"] <= 0.92, row["grr_12m"]
    assert 0.10 <= row["annualized_logo_churn"] <= 0.20, row["annualized_logo_churn"]


def test_the_under_covered_tier_has_the_lowest_touch_compliance(demo_warehouse, truth, last_complete_month):
    missed = truth["planted"]["touch_miss_share_by_tier"]
    worst = max(missed, key=missed.get)
    coverage = demo_warehouse.table("mart_tier_coverage")
    coverage = coverage[(coverage["month"] == last_complete_month) & coverage["touch_compliance_rate"].notna()]
    rates = coverage.set_index("tier")["touch_compliance_rate"]
    assert rates.idxmin() == worst, rates.to_dict()
    # and not by a hair: its interval lies below every other tier's rate
    high = coverage.set_index("tier").loc[worst, "touch_compliance_rate_ci_high"]
    assert (rates.drop(worst) > high).all(), (high, rates.to_dict())


def test_the_slow_cohorts_onboarded_worse(demo_warehouse, truth):
    slow = {pd.Timestamp(f"{month}-01") for month in truth["planted"]["slow_onboarding_cohorts"]}
    cohorts = demo_warehouse.table("mart_onboarding_cohorts")
    cohorts["cohort_month"] = pd.to_datetime(cohorts["cohort_month"])
    complete = cohorts[cohorts["is_target_window_complete"]]
    in_slow = complete["cohort_month"].isin(slow)
    assert in_slow.sum() == len(slow)
    slow_rate = complete.loc[in_slow, "completed_within_target"].sum() / complete.loc[in_slow, "accounts"].sum()
    rest_rate = complete.loc[~in_slow, "completed_within_target"].sum() / complete.loc[~in_slow, "accounts"].sum()
    assert slow_rate < rest_rate - 0.3, (slow_rate, rest_rate)


def test_a_few_renewals_due_are_at_risk(demo_warehouse):
    renewals = demo_warehouse.table("mart_renewals_due")
    at_risk = set(demo_warehouse.table("mart_accounts_at_risk")["account_id"])
    risky = renewals[renewals["account_id"].isin(at_risk)]
    assert 0 < len(risky) < len(renewals) / 2
