"""Honest small numbers: the n, the Wilson interval and the min-n flag of each rate that
reports show on small n, and the rolling NPS, against scipy and pandas.

The counts behind each rate (customers_start, renewals_due, cohort_accounts, ...) are
checked against pandas in test_revenue_differential, test_coverage_differential and
test_health_differential; here every interval is recomputed with scipy's Wilson
interval from those counts, the touch-compliant counts and the onboarding windows
from the raw files (test_coverage_differential.Reference), and the rolling NPS from
the monthly responses of mart_nps_monthly.
"""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import binomtest
from test_coverage_differential import Reference, dbt_vars

MIN_N = dbt_vars()["min_n_to_show"]


def scipy_wilson(successes, n) -> tuple[float, float]:
    if n == 0 or pd.isna(n) or pd.isna(successes):
        return (math.nan, math.nan)
    interval = binomtest(int(successes), int(n)).proportion_ci(confidence_level=0.95, method="wilson")
    return float(interval.low), float(interval.high)


def assert_intervals(frame: pd.DataFrame, successes: str, n: str, low: str, high: str, label: str) -> None:
    checked = 0
    for _, row in frame.iterrows():
        expected_low, expected_high = scipy_wilson(row[successes], row[n])
        if math.isnan(expected_low):
            assert pd.isna(row[low]) and pd.isna(row[high]), f"{label}: an interval without observations"
            continue
        assert row[low] == pytest.approx(expected_low, abs=1e-9), (label, dict(row))
        assert row[high] == pytest.approx(expected_high, abs=1e-9), (label, dict(row))
        assert row[low] <= row[successes] / row[n] <= row[high]
        checked += 1
    assert checked > 0, f"{label}: no interval to check"


@pytest.fixture(scope="module")
def reference(small_dataset) -> Reference:
    return Reference(Path(small_dataset))


def test_revenue_rates_carry_their_intervals_and_flags(small_warehouse):
    revenue = small_warehouse.table("mart_revenue_monthly")
    assert_intervals(revenue, "churned_customers", "customers_start", "logo_churn_rate_ci_low",
                     "logo_churn_rate_ci_high", "logo churn")
    assert_intervals(revenue, "renewals_churned", "renewals_due", "renewal_churn_rate_ci_low",
                     "renewal_churn_rate_ci_high", "renewal churn")
    assert (revenue["is_renewal_churn_rate_below_min_n"] == (revenue["renewals_due"] < MIN_N)).all()
    assert (revenue["is_logo_churn_rate_below_min_n"] == (revenue["customers_start"] < MIN_N)).all()
    # the data has both small and large n, so the flag is exercised both ways
    assert revenue["is_renewal_churn_rate_below_min_n"].any() and not revenue["is_renewal_churn_rate_below_min_n"].all()


def test_touch_compliance_has_its_count_interval_and_flag(small_warehouse, reference):
    coverage = small_warehouse.table("mart_tier_coverage")
    coverage["month"] = pd.to_datetime(coverage["month"])
    expected = reference.tier_coverage().set_index(["month", "tier"])
    for _, row in coverage.iterrows():
        wanted = expected.loc[(row["month"], row["tier"])]
        if pd.isna(wanted["cadence_days"]):
            assert pd.isna(row["touch_compliant_customers"]) and pd.isna(row["touch_compliance_rate_ci_low"])
        else:
            assert row["touch_compliant_customers"] == wanted["compliant"], (row["month"], row["tier"])
    with_cadence = coverage[coverage["touch_compliant_customers"].notna()]
    assert_intervals(with_cadence, "touch_compliant_customers", "customers", "touch_compliance_rate_ci_low",
                     "touch_compliance_rate_ci_high", "touch compliance")
    assert (coverage["is_below_min_n"] == (coverage["customers"] < MIN_N)).all()
    assert coverage["is_below_min_n"].any() and not coverage["is_below_min_n"].all()


def test_cohort_retention_and_onboarding_completion_carry_intervals(small_warehouse, reference):
    retention = small_warehouse.table("mart_cohort_retention")
    assert_intervals(retention, "retained_accounts", "cohort_accounts", "logo_retention_ci_low",
                     "logo_retention_ci_high", "logo retention")
    assert (retention["is_below_min_n"] == (retention["cohort_accounts"] < MIN_N)).all()
    onboarding = small_warehouse.table("mart_onboarding_cohorts")
    assert_intervals(onboarding, "completed_within_target", "accounts", "completion_rate_ci_low",
                     "completion_rate_ci_high", "onboarding completion")
    assert (onboarding["is_below_min_n"] == (onboarding["accounts"] < MIN_N)).all()


def test_onboarding_cohorts_say_when_their_target_window_is_complete(small_warehouse, reference):
    target = dbt_vars()["onboarding_target_days"]
    cohorts = reference.spine.groupby("account_id")["cohort_month"].first()
    first_start = reference.lines.groupby("account_id")["start_date"].min()
    last_start = first_start.reindex(cohorts.index).groupby(cohorts).max()
    expected = (last_start + pd.Timedelta(days=target)) <= reference.as_of
    onboarding = small_warehouse.table("mart_onboarding_cohorts")
    onboarding["cohort_month"] = pd.to_datetime(onboarding["cohort_month"])
    actual = onboarding.set_index("cohort_month")["is_target_window_complete"]
    assert sorted(actual.index) == sorted(expected.index)
    assert (actual == expected.reindex(actual.index)).all()
    assert actual.any() and not actual.all()


def test_rolling_nps_sums_three_months_of_responses(small_warehouse):
    window = dbt_vars()["nps_rolling_months"]
    monthly = small_warehouse.table("mart_nps_monthly")
    rolling = small_warehouse.table("mart_nps_rolling")
    # the reporting months: mart_revenue_monthly has one row for each
    months = sorted(pd.to_datetime(small_warehouse.table("mart_revenue_monthly")["month"]))
    tiers = list(pd.read_csv(Path(__file__).resolve().parents[1] / "seeds" / "tier_policy.csv")["tier"])
    segments = [("all", "all")] + [("tier", t) for t in tiers] + [("stage", s) for s in
                                                                  ["entry", "onboard", "active", "loyal"]]
    for frame in (monthly, rolling):
        frame["month"] = pd.to_datetime(frame["month"])
    assert len(rolling) == len(months) * len(segments)
    by_key = monthly.set_index(["segment_type", "segment", "month"])
    counts = ["responses", "promoters", "passives", "detractors"]
    rows = []
    for segment_type, segment in segments:
        for position, month in enumerate(months):
            in_window = months[max(0, position - window + 1):position + 1]
            sums = {column: 0 for column in counts}
            for m in in_window:
                if (segment_type, segment, m) in by_key.index:
                    for column in counts:
                        sums[column] += int(by_key.loc[(segment_type, segment, m), column])
            nps = 100.0 * (sums["promoters"] - sums["detractors"]) / sums["responses"] if sums["responses"] else None
            rows.append({"segment_type": segment_type, "segment": segment, "month": month, **sums, "nps": nps,
                         "is_below_min_n": sums["responses"] < MIN_N})
    expected = pd.DataFrame(rows).set_index(["segment_type", "segment", "month"]).sort_index()
    actual = rolling.set_index(["segment_type", "segment", "month"]).sort_index()
    assert list(actual.index) == list(expected.index)
    for column in counts + ["is_below_min_n"]:
        assert actual[column].tolist() == expected[column].tolist(), column
    both = expected["nps"].notna()
    assert actual["nps"].notna().tolist() == both.tolist()
    differences = actual["nps"].to_numpy()[both.to_numpy()] - expected["nps"].to_numpy()[both.to_numpy()].astype(float)
    assert abs(differences).max() < 1e-9
    # three months give more responses than one in most tier cells
    tier_cells = actual.xs("tier", level="segment_type")
    assert (tier_cells["responses"] > 0).any() and (actual["window_months"] == window).all()
    assert (monthly["is_below_min_n"] == (monthly["responses"] < MIN_N)).all()


@pytest.mark.parametrize("relation", ["mart_condition_upsell", "mart_utilization_matrix"])
def test_condition_and_matrix_cells_carry_intervals(small_warehouse, relation):
    cells = small_warehouse.table(relation)
    assert_intervals(cells, "upsold", "observations", "upsell_rate_ci_low", "upsell_rate_ci_high", relation)
    assert_intervals(cells, "churned", "observations", "churn_rate_ci_low", "churn_rate_ci_high", relation)
    assert (cells["is_below_min_n"] == (cells["observations"] < MIN_N)).all()


def test_community_impact_and_scorecard_carry_intervals(small_warehouse):
    community = small_warehouse.table("mart_community_impact")
    assert_intervals(community, "churned", "observations", "churn_rate_12m_ci_low", "churn_rate_12m_ci_high",
                     "community")
    assert (community["is_below_min_n"] == (community["observations"] < MIN_N)).all()
    scorecard = small_warehouse.table("mart_cs_scorecard").set_index("month")
    revenue = small_warehouse.table("mart_revenue_monthly").set_index("month")
    assert list(scorecard.index) == list(revenue.index)
    assert (scorecard["renewals_due"] == revenue["renewals_due"]).all()
    scorecard["renewals_churned"] = revenue["renewals_churned"]
    assert_intervals(scorecard, "renewals_churned", "renewals_due", "renewal_churn_rate_ci_low",
                     "renewal_churn_rate_ci_high", "scorecard renewal churn")
    assert (scorecard["is_renewal_churn_rate_below_min_n"] == (scorecard["renewals_due"] < MIN_N)).all()
