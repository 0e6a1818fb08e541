"""The semantic layer (models/semantic/): every metric, queried through MetricFlow on
the demo warehouse, equals the mart's figure or a pandas computation from the
public facts or the raw demo files, month by month, and the slices by tier, stage,
CSM, plan, industry, region and cohort add up like the facts they come from.

All queries run in one process (python -m cs_warehouse.metrics --queries), which
opens the warehouse read-only.
"""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import DEMO_DIR

from cs_warehouse.dbt_runner import PROJECT_DIR

MONTHLY = ["mrr", "arr", "customers", "mrr_start", "customers_start", "new_mrr", "reactivation_mrr",
           "expansion_mrr", "contraction_mrr", "churned_mrr", "new_customers", "churned_customers", "nrr", "grr",
           "logo_churn_rate", "nrr_12m", "grr_12m", "annualized_logo_churn", "renewals_due", "renewal_mrr_due",
           "renewal_churn_rate", "health_score", "nps", "nps_responses"]
# metric -> the mart_revenue_monthly column it must equal
REVENUE_COLUMN = {"mrr": "mrr_end", "customers": "customers_end", "mrr_start": "mrr_start",
                  "customers_start": "customers_start", "new_mrr": "new_mrr", "reactivation_mrr": "reactivation_mrr",
                  "expansion_mrr": "expansion_mrr", "contraction_mrr": "contraction_mrr",
                  "churned_mrr": "churned_mrr", "new_customers": "new_customers",
                  "churned_customers": "churned_customers", "nrr": "nrr", "grr": "grr",
                  "logo_churn_rate": "logo_churn_rate", "nrr_12m": "nrr_12m", "grr_12m": "grr_12m",
                  "annualized_logo_churn": "annualized_logo_churn", "renewals_due": "renewals_due",
                  "renewal_mrr_due": "renewal_mrr_due", "renewal_churn_rate": "renewal_churn_rate"}
SLICES = ["metric_time__month", "account_month__tier", "account_month__stage", "account_month__csm_id"]
ACCOUNT_SLICES = ["metric_time__month", "account__industry", "account__region", "account__cohort_month__month"]
QUERIES = [
    {"metrics": MONTHLY, "group_by": ["metric_time__month"]},
    {"metrics": ["mrr", "customers", "health_score"], "group_by": SLICES},
    {"metrics": ["mrr", "customers", "new_mrr", "churned_mrr"], "group_by": ACCOUNT_SLICES},
    {"metrics": ["touch_compliance_rate", "automated_touch_share", "coverage_ratio"],
     "group_by": ["metric_time__month", "tier_coverage_month__tier"]},
    {"metrics": ["nps_by_segment", "nps_responses_by_segment"],
     "group_by": ["metric_time__month", "nps_segment_month__segment_type", "nps_segment_month__segment"]},
    {"metrics": ["mrr", "customers", "arr"], "group_by": ["metric_time__quarter"]},
    {"metrics": ["touches", "touches_per_account"], "group_by": ["metric_time__month"]},
    {"metrics": ["touches", "touches_per_account"], "group_by": ["metric_time__month", "account_month__tier"]},
    {"metrics": ["mrr", "customers", "touches_per_account"], "group_by": ["metric_time__month", "account_month__plan"]},
]


@pytest.fixture(scope="module")
def answers(demo_warehouse, demo_compiled, tmp_path_factory) -> list[pd.DataFrame]:
    work = tmp_path_factory.mktemp("metrics")
    (work / "queries.json").write_text(json.dumps(QUERIES))
    process = subprocess.run(
        [sys.executable, "-m", "cs_warehouse.metrics", "--queries", str(work / "queries.json"), "--out", str(work),
         "--manifest", str(demo_compiled / "semantic_manifest.json"), "--warehouse", str(demo_warehouse.path)],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-5000:]
    return [pd.read_parquet(work / f"{number}.parquet") for number in range(len(QUERIES))]


def as_float(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.map(lambda value: None if value is None else float(value)), errors="coerce")


def assert_close(actual: pd.Series, expected: pd.Series, label: str) -> None:
    actual, expected = as_float(actual).to_numpy(), as_float(expected).to_numpy()
    both_null = np.isnan(actual) & np.isnan(expected)
    close = np.isclose(actual, expected, rtol=1e-9, atol=1e-9) | both_null
    assert close.all(), f"{label}: {np.count_nonzero(~close)} differ, e.g. {actual[~close][:3]} vs {expected[~close][:3]}"


def months(frame: pd.DataFrame, column: str = "metric_time__month") -> pd.DataFrame:
    frame = frame.copy()
    frame["month"] = pd.to_datetime(frame.pop(column)).dt.tz_localize(None).dt.normalize()
    return frame


def test_every_metric_is_tested():
    declared = {metric["name"] for metric in
                yaml.safe_load((PROJECT_DIR / "models" / "semantic" / "_metrics.yml").read_text())["metrics"]}
    queried = {metric for query in QUERIES for metric in query["metrics"]}
    # the parts of ratios are checked through the ratios they make
    parts = {"net_retained_mrr", "gross_retained_mrr", "renewals_churned", "nps_net_promoters",
             "net_promoter_share_of_segment"}
    assert declared - parts == queried, (declared - parts) ^ queried


def test_monthly_metrics_equal_the_marts_month_by_month(answers, demo_warehouse):
    answer = months(answers[0]).set_index("month").sort_index()
    revenue = demo_warehouse.table("mart_revenue_monthly")
    revenue["month"] = pd.to_datetime(revenue["month"])
    revenue = revenue.set_index("month").sort_index()
    assert list(answer.index) == list(revenue.index), "one row per reporting month"
    for metric, column in REVENUE_COLUMN.items():
        assert_close(answer[metric], revenue[column], metric)
    assert_close(answer["arr"], 12 * as_float(revenue["mrr_end"]), "arr")
    # health: the mean over the customers that have a score, from fct_account_monthly
    account_monthly = demo_warehouse.table("fct_account_monthly")
    account_monthly["month"] = pd.to_datetime(account_monthly["month"])
    health = account_monthly.groupby("month")["health_score"].mean().reindex(answer.index)
    assert_close(answer["health_score"], health, "health_score")
    # NPS over every response (segment 'all'); months without responses have none
    nps = demo_warehouse.query("select * from main.mart_nps_monthly where segment_type = 'all'")
    nps["month"] = pd.to_datetime(nps["month"])
    nps = nps.set_index("month").reindex(answer.index)
    assert nps["responses"].notna().sum() > 12
    assert_close(answer["nps"], nps["nps"], "nps")
    assert_close(answer["nps_responses"], nps["responses"], "nps_responses")
    expected_nps = 100 * (nps["promoters"] - nps["detractors"]) / nps["responses"]
    assert_close(answer["nps"], expected_nps, "nps from promoters and detractors")


def test_slices_by_tier_stage_and_csm_equal_the_facts(answers, demo_warehouse):
    answer = months(answers[1])
    facts = demo_warehouse.query("""
        select mrr.month, account.tier, account.stage, coalesce(account.csm_id, 'unassigned') as csm_id,
               mrr.mrr, case when mrr.mrr > 0 then 1 else 0 end as is_customer, account.health_score
        from main.fct_mrr_monthly as mrr
        left join main.fct_account_monthly as account using (account_id, month)""")
    facts["month"] = pd.to_datetime(facts["month"])
    customer_rows = facts[facts["tier"].notna()]
    expected = customer_rows.groupby(["month", "tier", "stage", "csm_id"]).agg(
        mrr=("mrr", "sum"), customers=("is_customer", "sum"), health_score=("health_score", "mean")).reset_index()
    actual = answer[answer["account_month__tier"].notna()].rename(columns={
        "account_month__tier": "tier", "account_month__stage": "stage", "account_month__csm_id": "csm_id"})
    merged = expected.merge(actual, on=["month", "tier", "stage", "csm_id"], how="outer", indicator=True,
                            suffixes=("_expected", ""))
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    assert merged["tier"].nunique() >= 3 and merged["stage"].nunique() >= 3 and merged["csm_id"].nunique() >= 3
    for metric in ("mrr", "customers", "health_score"):
        assert_close(merged[metric], merged[f"{metric}_expected"], f"{metric} by tier, stage and CSM")
    # the rows without an account month (churned and inactive months) carry no MRR
    assert as_float(answer.loc[answer["account_month__tier"].isna(), "mrr"]).fillna(0).eq(0).all()


def test_slices_by_industry_region_and_cohort_equal_the_facts(answers, demo_warehouse):
    answer = months(answers[2])
    facts = demo_warehouse.query("""
        select mrr.month, accounts.industry, accounts.region, accounts.cohort_month, mrr.mrr, mrr.previous_mrr,
               mrr.movement
        from main.fct_mrr_monthly as mrr
        inner join main.dim_accounts as accounts using (account_id)""")
    facts["month"] = pd.to_datetime(facts["month"])
    facts["cohort_month"] = pd.to_datetime(facts["cohort_month"])
    facts["mrr"] = as_float(facts["mrr"])
    facts["customers"] = (facts["mrr"] > 0).astype(int)
    facts["new_mrr"] = np.where(facts["movement"] == "new", facts["mrr"], 0.0)
    facts["churned_mrr"] = np.where(facts["movement"] == "churn", as_float(facts["previous_mrr"]), 0.0)
    keys = ["month", "industry", "region", "cohort_month"]
    expected = facts.groupby(keys, dropna=False)[["mrr", "customers", "new_mrr", "churned_mrr"]].sum().reset_index()
    actual = answer.rename(columns={"account__industry": "industry", "account__region": "region",
                                    "account__cohort_month__month": "cohort_month"})
    actual["cohort_month"] = pd.to_datetime(actual["cohort_month"]).dt.tz_localize(None)
    merged = expected.merge(actual, on=keys, how="outer", indicator=True, suffixes=("_expected", ""))
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    assert merged["industry"].nunique() >= 3 and merged["region"].nunique() >= 2
    for metric in ("mrr", "customers", "new_mrr", "churned_mrr"):
        assert_close(merged[metric], merged[f"{metric}_expected"], f"{metric} by industry, region and cohort")


def test_coverage_and_nps_segments_equal_their_marts(answers, demo_warehouse):
    coverage = months(answers[3]).rename(columns={"tier_coverage_month__tier": "tier"})
    expected = demo_warehouse.table("mart_tier_coverage")
    expected["month"] = pd.to_datetime(expected["month"])
    merged = expected.merge(coverage, on=["month", "tier"], how="outer", indicator=True, suffixes=("_mart", ""))
    assert (merged["_merge"] == "both").all()
    for metric in ("touch_compliance_rate", "automated_touch_share", "coverage_ratio"):
        assert_close(merged[metric], merged[f"{metric}_mart"], metric)
    segments = months(answers[4]).rename(columns={"nps_segment_month__segment_type": "segment_type",
                                                  "nps_segment_month__segment": "segment"})
    expected = demo_warehouse.table("mart_nps_monthly")
    expected["month"] = pd.to_datetime(expected["month"])
    merged = expected.merge(segments, on=["month", "segment_type", "segment"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert set(merged["segment_type"]) == {"all", "tier", "stage"}
    assert_close(merged["nps_by_segment"], merged["nps"], "nps_by_segment")
    assert_close(merged["nps_responses_by_segment"], merged["responses"], "nps_responses_by_segment")


def test_levels_over_a_quarter_are_the_quarters_last_month(answers, demo_warehouse):
    answer = months(answers[5], "metric_time__quarter").set_index("month").sort_index()
    revenue = demo_warehouse.table("mart_revenue_monthly")
    revenue["month"] = pd.to_datetime(revenue["month"])
    revenue["quarter"] = revenue["month"].dt.to_period("Q").dt.start_time
    last = revenue.sort_values("month").groupby("quarter").tail(1).set_index("quarter").sort_index()
    assert list(answer.index) == list(last.index)
    assert_close(answer["mrr"], last["mrr_end"], "mrr per quarter")
    assert_close(answer["customers"], last["customers_end"], "customers per quarter")
    assert_close(answer["arr"], 12 * as_float(last["mrr_end"]), "arr per quarter")


def raw_csv(name: str) -> pd.DataFrame:
    return pd.read_csv(DEMO_DIR / f"{name}.csv", dtype=str, keep_default_na=False).replace("", None)


@pytest.fixture(scope="module")
def customer_months(demo_warehouse) -> pd.DataFrame:
    """Each customer-month of the demo (MRR > 0 on the snapshot day, fct_mrr_monthly)
    with its snapshot day, tier (fct_account_monthly) and, from the raw demo files,
    its human touches in the month and its plan, computed here in pandas."""
    # the raw rows are the accepted rows: nothing of these sources was rejected
    rejected = demo_warehouse.query("select count(*) as n from main.raw_rejects "
                                    "where source in ('touchpoints', 'contracts', 'fx_rates')")
    assert int(rejected["n"].iloc[0]) == 0
    customers = demo_warehouse.query("""
        select mrr.account_id, mrr.month, months.snapshot_date, mrr.mrr, account.tier
        from main.fct_mrr_monthly as mrr
        inner join main.dim_months as months using (month)
        left join main.fct_account_monthly as account using (account_id, month)
        where mrr.mrr > 0""")
    for column in ("month", "snapshot_date"):
        customers[column] = pd.to_datetime(customers[column])
    customers["mrr"] = as_float(customers["mrr"])
    # touches: a channel other than automated, in the month, up to its snapshot day
    touches = raw_csv("touchpoints")
    touches["touched_at"] = pd.to_datetime(touches["touched_at"])
    touches = touches[touches["channel"] != "automated"].copy()
    touches["month"] = touches["touched_at"].dt.to_period("M").dt.start_time
    touched = customers.merge(touches, on=["account_id", "month"])
    touched = touched[touched["touched_at"] <= touched["snapshot_date"]]
    customers = customers.merge(touched.groupby(["account_id", "month"]).size().rename("touches").reset_index(),
                                on=["account_id", "month"], how="left")
    customers["touches"] = customers["touches"].fillna(0)
    # plan: of the largest base line active on the snapshot day (by reporting-currency
    # MRR, ties to the smallest plan name), else of the largest line
    lines = raw_csv("contracts")
    lines["start_date"] = pd.to_datetime(lines["start_date"])
    lines["end_date"] = pd.to_datetime(lines["end_date"])
    lines["mrr_local"] = lines["mrr"].astype(float)
    reporting = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]["reporting_currency"]
    lines["currency"] = lines["currency"].fillna(reporting)
    active = customers[["account_id", "month", "snapshot_date"]].merge(
        lines[["account_id", "plan", "line_type", "currency", "start_date", "end_date", "mrr_local"]], on="account_id")
    active = active[(active["start_date"] <= active["snapshot_date"])
                    & (active["end_date"].isna() | (active["end_date"] >= active["snapshot_date"]))]
    rates = raw_csv("fx_rates")
    rates["month"] = pd.to_datetime(rates["month"])
    rates["rate"] = rates["rate"].astype(float)
    active = active.merge(rates, on=["currency", "month"], how="left")
    active["rate"] = np.where(active["currency"] == reporting, 1.0, active["rate"])
    assert active["rate"].notna().all()
    active["line_mrr"] = active["mrr_local"] * active["rate"]
    active["is_addon"] = active["line_type"] != "base"
    largest = (active.sort_values(["account_id", "month", "is_addon", "line_mrr", "plan"],
                                  ascending=[True, True, True, False, True])
               .drop_duplicates(["account_id", "month"]))
    customers = customers.merge(largest[["account_id", "month", "plan"]], on=["account_id", "month"], how="left")
    assert customers["plan"].notna().all(), "every customer has a line on its snapshot day"
    return customers


def test_touches_per_account_equal_the_raw_touchpoints_month_by_month(answers, customer_months):
    answer = months(answers[6]).set_index("month").sort_index()
    expected = customer_months.groupby("month").agg(touches=("touches", "sum"), customers=("account_id", "size"))
    expected = expected.reindex(answer.index)
    assert expected["customers"].notna().all(), "a month of the answer without customers"
    assert expected["touches"].gt(0).sum() > 12 and answer.index.nunique() == len(answer)
    assert_close(answer["touches"], expected["touches"], "touches")
    assert_close(answer["touches_per_account"], expected["touches"] / expected["customers"], "touches_per_account")


def test_touches_per_account_by_tier_count_untouched_customers_as_zero(answers, customer_months):
    answer = months(answers[7]).rename(columns={"account_month__tier": "tier"})
    expected = customer_months.groupby(["month", "tier"]).agg(
        touches=("touches", "sum"), customers=("account_id", "size")).reset_index()
    expected["touches_per_account"] = expected["touches"] / expected["customers"]
    merged = expected.merge(answer[answer["tier"].notna()], on=["month", "tier"], how="outer", indicator=True,
                            suffixes=("_expected", ""))
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    # tier-months whose customers had no human touch are 0, not missing
    assert (merged["touches_expected"] == 0).sum() > 0
    for metric in ("touches", "touches_per_account"):
        assert_close(merged[metric], merged[f"{metric}_expected"], f"{metric} by tier")
    # a touch of an account that is no customer in the month counts nowhere
    assert as_float(answer.loc[answer["tier"].isna(), "touches"]).fillna(0).eq(0).all()


def test_mrr_customers_and_touches_by_plan_equal_the_raw_contracts(answers, customer_months):
    answer = months(answers[8]).rename(columns={"account_month__plan": "plan"})
    expected = customer_months.groupby(["month", "plan"]).agg(
        mrr=("mrr", "sum"), customers=("account_id", "size"), touches=("touches", "sum")).reset_index()
    expected["touches_per_account"] = expected["touches"] / expected["customers"]
    merged = expected.merge(answer[answer["plan"].notna()], on=["month", "plan"], how="outer", indicator=True,
                            suffixes=("_expected", ""))
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    assert merged["plan"].nunique() >= 3
    for metric in ("mrr", "customers", "touches_per_account"):
        assert_close(merged[metric], merged[f"{metric}_expected"], f"{metric} by plan")
    # the months without an account month (churned, inactive) carry no MRR
    assert as_float(answer.loc[answer["plan"].isna(), "mrr"]).fillna(0).eq(0).all()
