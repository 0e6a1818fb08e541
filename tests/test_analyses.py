"""The dbt analyses in analyses/: they compile (one dbt invocation for all), their
compiled SQL runs on the demo warehouse, and each result agrees with the same
question answered independently in pandas from the public relations.
"""
from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from cs_warehouse.dbt_runner import PROJECT_DIR

ANALYSES = sorted(path.stem for path in (PROJECT_DIR / "analyses").glob("*.sql"))


@pytest.fixture(scope="module")
def compiled(demo_compiled) -> dict[str, str]:
    """Compiled SQL of every analysis, by name, with the default vars (one dbt compile)."""
    folder = demo_compiled / "compiled" / "cs_warehouse" / "analyses"
    return {path.stem: path.read_text() for path in folder.glob("*.sql")}


@pytest.fixture(scope="module")
def results(compiled, demo_warehouse) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(demo_warehouse.path), read_only=True) as connection:
        return {name: connection.execute(sql).df() for name, sql in compiled.items()}


def test_every_analysis_is_documented_and_compiles(compiled):
    documented = (PROJECT_DIR / "analyses" / "_analyses.yml").read_text()
    assert ANALYSES, "no analyses found"
    assert sorted(compiled) == ANALYSES
    for name in ANALYSES:
        assert f"- name: {name}\n" in documented, f"{name} is not documented in analyses/_analyses.yml"
        # over the public relations only
        for internal in ("stg_raw__", "base_raw__", "int_"):
            assert f'."{internal}' not in compiled[name] and f".{internal}" not in compiled[name], (name, internal)


def latest_month(demo_warehouse) -> pd.Timestamp:
    return pd.Timestamp(demo_warehouse.query("select max(month) as m from main.fct_mrr_monthly")["m"][0])


def test_stage_transition_matrix_rows_add_up_to_the_customers_of_the_month_before(results, demo_warehouse):
    matrix = results["stage_transition_matrix"]
    assert len(matrix) > 0
    end = latest_month(demo_warehouse)
    start = end - pd.DateOffset(months=11)
    assert pd.Timestamp(matrix["period_start"][0]) == start and pd.Timestamp(matrix["period_end"][0]) == end
    # independently: fct_account_monthly's customers in stage s in month M-1, for M in the period
    account_monthly = demo_warehouse.table("fct_account_monthly")
    account_monthly["month"] = pd.to_datetime(account_monthly["month"])
    previous = account_monthly[(account_monthly["month"] >= start - pd.DateOffset(months=1))
                               & (account_monthly["month"] <= end - pd.DateOffset(months=1))]
    expected = previous.groupby("stage").size()
    actual = matrix[matrix["from_stage"] != "not_customer"].groupby("from_stage")["accounts"].sum()
    assert actual.astype(int).to_dict() == expected.astype(int).to_dict()
    # and the same against mart_stage_monthly
    stage_monthly = demo_warehouse.table("mart_stage_monthly")
    stage_monthly["month"] = pd.to_datetime(stage_monthly["month"])
    in_previous = stage_monthly[(stage_monthly["month"] >= start - pd.DateOffset(months=1))
                                & (stage_monthly["month"] <= end - pd.DateOffset(months=1))]
    assert actual.astype(int).to_dict() == in_previous.groupby("stage")["customers"].sum().astype(int).to_dict()
    # each from-stage row's shares sum to 1; the cells into a stage add up to its customers in the period
    assert matrix.groupby("from_stage")["share_of_from_stage"].sum().sub(1).abs().max() < 1e-9
    in_period = account_monthly[(account_monthly["month"] >= start) & (account_monthly["month"] <= end)]
    into = matrix[matrix["to_stage"] != "churned"].groupby("to_stage")["accounts"].sum()
    assert into.astype(int).to_dict() == in_period.groupby("stage").size().astype(int).to_dict()


def test_cohort_segment_comparison_pools_the_cohorts_of_each_tier(results, demo_warehouse):
    comparison = results["cohort_segment_comparison"]
    assert set(comparison["segment"]) == {"tier2_mid_touch", "tier3_low_touch"}
    # independently from fct_mrr_monthly and the tier in the cohort month (fct_account_monthly)
    mrr = demo_warehouse.table("fct_mrr_monthly")
    tiers = demo_warehouse.query(
        "select account_id, tier from main.fct_account_monthly "
        "inner join main.fct_mrr_monthly using (account_id, month) where fct_mrr_monthly.age_months = 0")
    cohort_mrr = mrr[mrr["age_months"] == 0][["account_id", "mrr"]].rename(columns={"mrr": "cohort_mrr"})
    frame = mrr.merge(tiers, on="account_id").merge(cohort_mrr, on="account_id")
    frame = frame[frame["tier"].isin(["tier2_mid_touch", "tier3_low_touch"])]
    frame["mrr"] = frame["mrr"].astype(float)
    frame["cohort_mrr"] = frame["cohort_mrr"].astype(float)
    frame["retained"] = frame["mrr"] > 0
    frame["capped"] = frame[["mrr", "cohort_mrr"]].min(axis=1)
    grouped = frame.groupby(["tier", "age_months"]).agg(
        accounts=("account_id", "size"), retained=("retained", "sum"), cohorts=("cohort_month", "nunique"),
        mrr=("mrr", "sum"), cohort_mrr=("cohort_mrr", "sum"), capped=("capped", "sum")).reset_index()
    merged = comparison.merge(grouped, left_on=["segment", "age_months"], right_on=["tier", "age_months"],
                              how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    assert (merged["cohort_accounts"] == merged["accounts"]).all()
    assert (merged["cohorts_x"] == merged["cohorts_y"]).all()
    assert ((merged["logo_retention"] - merged["retained"] / merged["accounts"]).abs() < 1e-9).all()
    assert ((merged["revenue_retention"] - merged["mrr"] / merged["cohort_mrr"]).abs() < 1e-9).all()
    assert ((merged["gross_revenue_retention"] - merged["capped"] / merged["cohort_mrr"]).abs() < 1e-9).all()


def test_nrr_by_tier_and_csm_for_the_last_complete_quarter(results, demo_warehouse):
    nrr = results["nrr_by_tier_and_csm"]
    assert len(nrr) > 1
    end_of_data = latest_month(demo_warehouse)
    quarter_start = (end_of_data - pd.DateOffset(months=2)).to_period("Q").start_time
    assert pd.Timestamp(nrr["quarter_start"][0]) == quarter_start
    start_month, end_month = quarter_start - pd.DateOffset(months=1), quarter_start + pd.DateOffset(months=2)
    account_monthly = demo_warehouse.table("fct_account_monthly")
    account_monthly["month"] = pd.to_datetime(account_monthly["month"])
    start = account_monthly[(account_monthly["month"] == start_month) & (account_monthly["mrr"] > 0)].copy()
    start["csm_id"] = start["csm_id"].fillna("unassigned")
    mrr = demo_warehouse.table("fct_mrr_monthly")
    mrr["month"] = pd.to_datetime(mrr["month"])
    end = mrr[mrr["month"] == end_month][["account_id", "mrr"]].rename(columns={"mrr": "end_mrr"})
    frame = start.merge(end, on="account_id", how="left").fillna({"end_mrr": 0})
    frame["start_mrr"] = frame["mrr"].astype(float)
    frame["end_mrr"] = frame["end_mrr"].astype(float)
    frame["capped"] = frame[["start_mrr", "end_mrr"]].min(axis=1)
    expected = frame.groupby(["tier", "csm_id"]).agg(
        customers=("account_id", "size"), start_mrr=("start_mrr", "sum"), end_mrr=("end_mrr", "sum"),
        capped=("capped", "sum")).reset_index()
    merged = nrr.merge(expected, on=["tier", "csm_id"], how="outer", indicator=True, suffixes=("", "_expected"))
    assert (merged["_merge"] == "both").all()
    assert (merged["customers_at_start"] == merged["customers"]).all()
    assert ((merged["nrr"].astype(float) - merged["end_mrr_expected"] / merged["start_mrr_expected"]).abs() < 1e-9).all()
    assert ((merged["grr"].astype(float) - merged["capped"] / merged["start_mrr_expected"]).abs() < 1e-9).all()


def test_health_drops_lists_exactly_the_customers_that_fell_more_than_20_points(results, demo_warehouse):
    drops = results["health_drops"]
    account_monthly = demo_warehouse.table("fct_account_monthly")
    account_monthly["month"] = pd.to_datetime(account_monthly["month"])
    current_month = account_monthly["month"].max()
    now = account_monthly[account_monthly["month"] == current_month].set_index("account_id")["health_score"]
    before = account_monthly[account_monthly["month"] == current_month - pd.DateOffset(months=3)]
    before = before.set_index("account_id")["health_score"]
    drop = (before - now).dropna()
    expected = set(drop[drop > 20].index)
    assert expected, "the demo data should have some health drops over 20 points"
    assert set(drops["account_id"]) == expected
    assert (drops["health_drop"] > 20).all()
    assert list(drops["health_drop"]) == sorted(drops["health_drop"], reverse=True)


def test_churned_arr_by_stage_adds_up_to_the_churned_mrr_of_the_period(results, demo_warehouse):
    churned = results["churned_arr_by_stage"]
    end = latest_month(demo_warehouse)
    start = end - pd.DateOffset(months=11)
    revenue = demo_warehouse.table("mart_revenue_monthly")
    revenue["month"] = pd.to_datetime(revenue["month"])
    in_period = revenue[(revenue["month"] >= start) & (revenue["month"] <= end)]
    assert int(churned["churned_accounts"].sum()) == int(in_period["churned_customers"].sum()) > 0
    assert float(churned["churned_arr"].sum()) == pytest.approx(12 * float(in_period["churned_mrr"].sum()), rel=1e-12)
    # every churn finds its stage in the month before (a churned account was a customer then)
    assert "unknown" not in set(churned["stage_before"])


def test_rejects_by_source_and_reason_counts_every_reject(results, demo_warehouse):
    rejects = demo_warehouse.table("raw_rejects")
    summary = results["rejects_by_source_and_reason"]
    expected = rejects.groupby(["source", "reason"]).size().to_dict()
    actual = {(row.source, row.reason): row.rejected_rows for row in summary.itertuples()}
    assert actual == expected
