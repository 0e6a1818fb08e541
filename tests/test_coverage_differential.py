"""Differential test: every mart of issue 5 (tier coverage, CSM book, onboarding,
NPS, product feedback, community impact, CS scorecard) against an independent
pandas computation written here from the raw files and metrics.md, on generated
data.

The reference shares no code with the dbt models. It recomputes MRR, customers,
movements, tiers and the CSM on each snapshot day from the raw files itself. Two
inputs are taken from other marts because they are other areas' definitions and
are tested there: the lifecycle stage (fct_account_monthly, for the NPS `stage`
segment) and the pass-through revenue rates and stage-up counts of the scorecard
(mart_revenue_monthly, mart_stage_monthly).

Conventions, as documented in the models: "the last N days" are the N days that end
on the snapshot day; a response, ticket or touch counts in the month of its date up
to the month's snapshot day; the post-onboarding upsell window is matched at month
grain (an expansion month that overlaps value date .. value date + 30 days).
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

PROJECT_DIR = Path(__file__).resolve().parents[1]
REPORTING_CURRENCY = "JPY"
# shared with the revenue tests, so the warehouses are built once per session
GENERATED = [(1, 80), (7, 150), (4, 400)]
REL = 1e-9


# --- reading the raw directory ---------------------------------------------------------------

def read_source(raw_dir: Path, name: str, dates: tuple[str, ...] = (), columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """A source as a DataFrame (Parquet wins over CSV); empty with `columns` when absent."""
    parquet, text = raw_dir / f"{name}.parquet", raw_dir / f"{name}.csv"
    if parquet.exists():
        frame = pd.read_parquet(parquet)
    elif text.exists():
        frame = pd.read_csv(text, dtype=str, keep_default_na=False).replace("", None)
    else:
        frame = pd.DataFrame({column: pd.Series(dtype=object) for column in columns})
    for column in dates:
        frame[column] = pd.to_datetime(frame[column])
    return frame


def dbt_vars() -> dict:
    return yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]


class Reference:
    """Everything the marts need, computed with pandas from a raw directory."""

    def __init__(self, raw_dir: Path):
        self.vars = dbt_vars()
        self.accounts = read_source(raw_dir, "accounts")
        lines = read_source(raw_dir, "contracts", dates=("start_date", "end_date"))
        lines["mrr"] = lines["mrr"].astype(float)
        lines["currency"] = lines.get("currency", pd.Series(index=lines.index, dtype=object)).fillna(REPORTING_CURRENCY)
        usage = read_source(raw_dir, "usage", dates=("usage_date",))
        self.as_of = usage["usage_date"].max()
        self.lines = lines[lines["start_date"] <= self.as_of]
        self.fx = read_source(raw_dir, "fx_rates", dates=("month",), columns=("currency", "month", "rate"))
        self.fx["rate"] = self.fx["rate"].astype(float)
        self.csms = read_source(raw_dir, "csms", columns=("csm_id", "csm_name", "team", "fte"))
        self.csms["fte"] = self.csms["fte"].astype(float).fillna(1.0) if len(self.csms) else self.csms["fte"]
        self.assignments = read_source(raw_dir, "csm_assignments", dates=("valid_from", "valid_to"),
                                       columns=("account_id", "csm_id", "valid_from", "valid_to"))
        self.touches = read_source(raw_dir, "touchpoints", dates=("touched_at",),
                                   columns=("touch_id", "account_id", "csm_id", "touched_at", "channel", "purpose"))
        self.surveys = read_source(raw_dir, "surveys", dates=("responded_at",),
                                   columns=("response_id", "account_id", "responded_at", "survey", "score"))
        self.surveys["score"] = self.surveys["score"].astype(float)
        self.tickets = read_source(raw_dir, "tickets", dates=("opened_at",),
                                   columns=("ticket_id", "account_id", "opened_at", "category", "feature"))
        self.milestones = read_source(raw_dir, "milestones", dates=("achieved_at",),
                                      columns=("account_id", "milestone", "achieved_at"))
        self.community = read_source(raw_dir, "community", dates=("activity_date",),
                                     columns=("account_id", "activity_date", "activity", "quantity"))
        self.policy = pd.read_csv(PROJECT_DIR / "seeds" / "tier_policy.csv")
        self._calendar()
        self._mrr()
        self._customer_months()

    # calendar: months from the earliest live start to the as-of month; snapshot day
    def _calendar(self):
        first = self.lines["start_date"].min().to_period("M").to_timestamp()
        last = self.as_of.to_period("M").to_timestamp()
        months = pd.DataFrame({"month": pd.date_range(first, last, freq="MS")})
        months["snapshot_date"] = (months["month"] + pd.offsets.MonthEnd(0)).clip(upper=self.as_of)
        self.months = months
        self.last_month = last

    # MRR(a, M) on each snapshot day, lines converted at the month's rate
    def _mrr(self):
        grid = self.lines.merge(self.months, how="cross")
        active = grid[(grid["start_date"] <= grid["snapshot_date"])
                      & (grid["end_date"].isna() | (grid["end_date"] >= grid["snapshot_date"]))]
        active = active.merge(self.fx, on=["currency", "month"], how="left")
        active["rate"] = np.where(active["currency"] == REPORTING_CURRENCY, 1.0, active["rate"])
        assert active["rate"].notna().all(), "a line without an FX rate"
        active = active.assign(mrr_converted=active["mrr"] * active["rate"])
        mrr = active.groupby(["account_id", "month"], as_index=False)["mrr_converted"].sum()
        mrr = mrr.rename(columns={"mrr_converted": "mrr"})
        # spine: every account from its first customer month through the as-of month
        first_customer = mrr[mrr["mrr"] > 0].groupby("account_id")["month"].min().rename("cohort_month")
        spine = first_customer.reset_index().merge(self.months[["month"]], how="cross")
        spine = spine[spine["month"] >= spine["cohort_month"]]
        spine = spine.merge(mrr, on=["account_id", "month"], how="left").fillna({"mrr": 0.0})
        spine = spine.sort_values(["account_id", "month"]).reset_index(drop=True)
        spine["previous_mrr"] = spine.groupby("account_id")["mrr"].shift(1).fillna(0.0)
        spine["is_expansion"] = (spine["previous_mrr"] > 0) & (spine["mrr"] > spine["previous_mrr"])
        spine["is_churn"] = (spine["previous_mrr"] > 0) & (spine["mrr"] == 0)
        self.spine = spine.merge(self.months, on="month")

    # customer-months with tier, CSM on the snapshot day and the touch flags
    def _customer_months(self):
        customers = self.spine[self.spine["mrr"] > 0][["account_id", "month", "snapshot_date", "mrr"]].copy()
        customers["arr"] = 12 * customers["mrr"]
        policy = self.policy.sort_values("tier_rank")

        def tier_of(arr: float) -> str:
            return policy[policy["min_arr"] <= arr].iloc[0]["tier"]

        customers["tier"] = customers["arr"].map(tier_of)
        overrides = self.accounts.set_index("account_id").get("tier_override")
        if overrides is not None:
            override = customers["account_id"].map(overrides)
            customers["tier"] = override.where(override.notna(), customers["tier"])
        customers = customers.merge(policy, on="tier", how="left")
        # the CSM assigned on the snapshot day
        pairs = customers[["account_id", "month", "snapshot_date"]].merge(self.assignments, on="account_id")
        pairs = pairs[(pairs["valid_from"] <= pairs["snapshot_date"])
                      & (pairs["valid_to"].isna() | (pairs["valid_to"] >= pairs["snapshot_date"]))]
        assert not pairs.duplicated(["account_id", "month"]).any()
        customers = customers.merge(pairs[["account_id", "month", "csm_id"]], on=["account_id", "month"], how="left")
        # touches on or before the snapshot day
        touches = customers[["account_id", "month", "snapshot_date"]].merge(self.touches, on="account_id")
        touches = touches[touches["touched_at"] <= touches["snapshot_date"]]
        human = touches[touches["channel"] != "automated"].groupby(["account_id", "month"])["touched_at"].max()
        automated = touches[(touches["channel"] == "automated") & (touches["touched_at"] >= touches["month"])]
        automated = automated.groupby(["account_id", "month"]).size()
        customers = customers.set_index(["account_id", "month"])
        customers["last_touch_date"] = human
        customers["automated_touches_in_month"] = automated
        customers = customers.reset_index()
        days_since = (customers["snapshot_date"] - customers["last_touch_date"]).dt.days
        customers["is_compliant"] = days_since < customers["cadence_days"]  # NaN -> False
        customers["has_automated"] = customers["automated_touches_in_month"].fillna(0) > 0
        customers["is_assigned"] = customers["csm_id"].notna()
        customers["is_unassigned"] = customers["accounts_per_csm"].notna() & customers["csm_id"].isna()
        self.customers = customers

    # --- marts ---------------------------------------------------------------------------
    def csm_tier_books(self) -> pd.DataFrame:
        assigned = self.customers[self.customers["is_assigned"]]
        books = assigned.groupby(["month", "csm_id", "tier"], as_index=False).agg(
            customers=("account_id", "size"), arr=("arr", "sum"), accounts_per_csm=("accounts_per_csm", "first"))
        books["required_fte"] = (books["customers"] / books["accounts_per_csm"]).fillna(0.0)
        books["csm_required"] = books.groupby(["month", "csm_id"])["required_fte"].transform("sum")
        books = books.merge(self.csms[["csm_id", "fte"]], on="csm_id", how="left")
        books["allocated_fte"] = np.where(books["csm_required"] > 0,
                                          books["fte"] * books["required_fte"] / books["csm_required"].where(
                                              books["csm_required"] > 0, 1.0), 0.0)
        return books

    def tier_coverage(self) -> pd.DataFrame:
        grid = self.months[["month"]].merge(self.policy, how="cross")
        c = self.customers
        by_tier = c.groupby(["month", "tier"]).agg(
            customers=("account_id", "size"), arr=("arr", "sum"), assigned_customers=("is_assigned", "sum"),
            unassigned_customers=("is_unassigned", "sum"), compliant=("is_compliant", "sum"),
            automated=("has_automated", "sum"))
        fte = self.csm_tier_books().groupby(["month", "tier"])["allocated_fte"].sum()
        out = grid.set_index(["month", "tier"]).join(by_tier).join(fte).reset_index()
        counts = ["customers", "assigned_customers", "unassigned_customers", "compliant", "automated"]
        out[counts] = out[counts].fillna(0).astype(int)
        out["arr"] = out["arr"].fillna(0.0)
        out["allocated_fte"] = out["allocated_fte"].fillna(0.0)
        out["target_accounts_per_csm"] = out["accounts_per_csm"]
        out["actual_accounts_per_fte"] = (out["assigned_customers"] / out["allocated_fte"]).where(out["allocated_fte"] > 0)
        out["coverage_ratio"] = out["target_accounts_per_csm"] / out["actual_accounts_per_fte"].where(
            out["actual_accounts_per_fte"] != 0)
        has_customers = out["customers"] > 0
        out["touch_compliance_rate"] = (out["compliant"] / out["customers"]).where(
            out["cadence_days"].notna() & has_customers)
        out["automated_touch_share"] = (out["automated"] / out["customers"]).where(
            out["cadence_days"].isna() & has_customers)
        return out

    def csm_book(self) -> pd.DataFrame:
        grid = self.months[["month"]].merge(self.csms[["csm_id", "csm_name", "fte"]], how="cross")
        books = self.csm_tier_books().groupby(["month", "csm_id"]).agg(
            customers=("customers", "sum"), arr=("arr", "sum"), required_fte=("required_fte", "sum"))
        out = grid.set_index(["month", "csm_id"]).join(books).reset_index()
        out["customers"] = out["customers"].fillna(0).astype(int)
        out[["arr", "required_fte"]] = out[["arr", "required_fte"]].fillna(0.0)
        out["arr_per_fte"] = out["arr"] / out["fte"]
        out["load"] = out["required_fte"] / out["fte"]
        out["is_overloaded"] = out["load"] > 1.0 + 1e-9
        return out

    def _in_months(self, frame: pd.DataFrame, date_column: str) -> pd.DataFrame:
        frame = frame.assign(month=frame[date_column].dt.to_period("M").dt.to_timestamp())
        frame = frame.merge(self.months, on="month")
        return frame[frame[date_column] <= frame["snapshot_date"]]

    def nps_monthly(self, stages: pd.DataFrame) -> pd.DataFrame:
        responses = self._in_months(self.surveys, "responded_at")
        tiers = self.customers[["account_id", "month", "tier"]]
        responses = responses.merge(tiers, on=["account_id", "month"], how="left")
        responses = responses.merge(stages, on=["account_id", "month"], how="left")
        parts = [responses.assign(segment_type="all", segment="all"),
                 responses[responses["tier"].notna()].assign(segment_type="tier", segment=lambda f: f["tier"]),
                 responses[responses["stage"].notna()].assign(segment_type="stage", segment=lambda f: f["stage"])]
        segmented = pd.concat(parts, ignore_index=True)
        rows = []
        keys = set(segmented.groupby(["month", "segment_type", "segment"]).groups)
        keys |= {(month, "all", "all") for month in self.months["month"]}
        groups = {key: frame for key, frame in segmented.groupby(["month", "segment_type", "segment"])}
        for key in keys:
            frame = groups.get(key, segmented.iloc[0:0])
            nps = frame[frame["survey"] == "nps"]["score"]
            csat = frame[frame["survey"] == "csat"]["score"]
            ces = frame[frame["survey"] == "ces"]["score"]
            promoters, detractors = int((nps >= 9).sum()), int((nps <= 6).sum())
            rows.append({"month": key[0], "segment_type": key[1], "segment": key[2], "responses": len(nps),
                         "promoters": promoters, "passives": int(((nps > 6) & (nps < 9)).sum()),
                         "detractors": detractors,
                         "nps": 100.0 * (promoters - detractors) / len(nps) if len(nps) else math.nan,
                         "mean_csat": csat.mean() if len(csat) else math.nan,
                         "mean_ces": ces.mean() if len(ces) else math.nan,
                         "csat_responses": len(csat), "ces_responses": len(ces)})
        return pd.DataFrame(rows)

    def product_feedback(self) -> pd.DataFrame:
        tickets = self._in_months(self.tickets, "opened_at")
        tickets["feature"] = tickets["feature"].fillna("(none)")
        return tickets.groupby(["month", "category", "feature"], as_index=False).agg(
            tickets=("ticket_id", "size"), accounts=("account_id", "nunique"))

    def onboarding_cohorts(self) -> pd.DataFrame:
        target, window = self.vars["onboarding_target_days"], self.vars["post_onboarding_upsell_days"]
        cohorts = self.spine.groupby("account_id")["cohort_month"].first().reset_index()
        first_start = self.lines.groupby("account_id")["start_date"].min().rename("first_start")
        milestones = self.milestones[self.milestones["achieved_at"] <= self.as_of]
        onboarded = milestones[milestones["milestone"] == "onboarding_complete"].set_index("account_id")["achieved_at"]
        setup = milestones[milestones["milestone"] == "setup_complete"].set_index("account_id")["achieved_at"]
        cohorts["first_start"] = cohorts["account_id"].map(first_start)
        cohorts["value_date"] = cohorts["account_id"].map(onboarded).fillna(cohorts["account_id"].map(setup))
        cohorts["days"] = (cohorts["value_date"] - cohorts["first_start"]).dt.days
        expansions = self.spine[self.spine["is_expansion"]][["account_id", "month", "snapshot_date"]]
        upsold = set()
        for account_id, value_date in cohorts.dropna(subset=["value_date"])[["account_id", "value_date"]].values:
            own = expansions[expansions["account_id"] == account_id]
            if ((own["snapshot_date"] >= value_date) & (own["month"] <= value_date + pd.Timedelta(days=window))).any():
                upsold.add(account_id)
        ces = self.surveys[(self.surveys["survey"] == "ces") & (self.surveys["responded_at"] <= self.as_of)]
        ces = ces.merge(cohorts[["account_id", "cohort_month"]], on="account_id")
        rows = []
        for cohort_month, frame in cohorts.groupby("cohort_month"):
            reached = frame.dropna(subset=["value_date"])
            scores = ces[ces["cohort_month"] == cohort_month]["score"]
            n_upsold = sum(account in upsold for account in reached["account_id"])
            rows.append({"cohort_month": cohort_month, "accounts": len(frame),
                         "completed_within_target": int((reached["days"] <= target).sum()),
                         "completion_rate": (reached["days"] <= target).sum() / len(frame),
                         "median_days_to_value": reached["days"].median() if len(reached) else math.nan,
                         "mean_days_to_value": reached["days"].mean() if len(reached) else math.nan,
                         "post_onboarding_upsell_rate": n_upsold / len(reached) if len(reached) else math.nan,
                         "mean_ces": scores.mean() if len(scores) else math.nan,
                         "reached_value_accounts": len(reached), "post_onboarding_upsold_accounts": n_upsold,
                         "ces_responses": len(scores)})
        return pd.DataFrame(rows)

    def community_impact(self) -> pd.DataFrame:
        lookback = self.vars["community_lookback_days"]
        observed = self.customers[self.customers["month"] + pd.DateOffset(months=12) <= self.last_month]
        observed = observed[["account_id", "month", "snapshot_date", "mrr"]].copy()
        activity = observed.merge(self.community[["account_id", "activity_date"]], on="account_id")
        recent = activity[(activity["activity_date"] <= activity["snapshot_date"])
                          & (activity["activity_date"] > activity["snapshot_date"] - pd.Timedelta(days=lookback))]
        active_keys = set(zip(recent["account_id"], recent["month"]))
        observed["has_community_activity"] = [key in active_keys for key in zip(observed["account_id"], observed["month"])]
        mrr_at = self.spine.set_index(["account_id", "month"])["mrr"]
        later = [mrr_at.get((a, m + pd.DateOffset(months=12)), 0.0) for a, m in zip(observed["account_id"], observed["month"])]
        observed["mrr_later"] = later
        churns = self.spine[self.spine["is_churn"]]
        churn_months = churns.groupby("account_id")["month"].apply(list).to_dict()
        observed["churned"] = [any(m < c <= m + pd.DateOffset(months=12) for c in churn_months.get(a, []))
                               for a, m in zip(observed["account_id"], observed["month"])]
        rows = []
        for flag in (True, False):
            group = observed[observed["has_community_activity"] == flag]
            rows.append({"has_community_activity": flag, "observations": len(group), "churned": int(group["churned"].sum()),
                         "mrr": group["mrr"].sum(), "mrr_12m_later": group["mrr_later"].sum(),
                         "net_revenue_retention_12m": group["mrr_later"].sum() / group["mrr"].sum() if len(group) else math.nan,
                         "churn_rate_12m": group["churned"].mean() if len(group) else math.nan})
        return pd.DataFrame(rows)

    def scorecard_own_columns(self, nps: pd.DataFrame) -> pd.DataFrame:
        out = self.months[["month"]].copy()
        by_month = self.customers.groupby("month").agg(customers=("account_id", "size"), arr=("arr", "sum"))
        touches = self._in_months(self.touches, "touched_at")
        toss_ups = touches[touches["purpose"] == "toss_up"].groupby("month").size().rename("toss_up_count")
        upsells = self.spine[self.spine["is_expansion"]].groupby("month").size().rename("upsell_count")
        out = out.set_index("month").join(by_month).join(toss_ups).join(upsells)
        out = out.fillna({"customers": 0, "arr": 0.0, "toss_up_count": 0, "upsell_count": 0})
        all_nps = nps[nps["segment_type"] == "all"].set_index("month")
        out["nps"] = all_nps["nps"]
        out["nps_responses"] = all_nps["responses"]
        return out.reset_index()


# --- comparing ----------------------------------------------------------------------------------

def assert_frames_match(mart: pd.DataFrame, expected: pd.DataFrame, keys: list[str], name: str) -> None:
    """Same keys; every column of `expected` equal in the mart (numbers within REL, nulls alike)."""
    mart = mart.copy()
    for frame in (mart, expected):
        for key in keys:
            if "month" in key:
                frame[key] = pd.to_datetime(frame[key])
    merged = mart.merge(expected, on=keys, how="outer", suffixes=("", "_expected"), indicator=True)
    missing = merged[merged["_merge"] != "both"]
    assert missing.empty, f"{name}: rows only on one side:\n{missing[keys + ['_merge']].head(10)}"
    problems = []
    for column in expected.columns:
        if column in keys:
            continue
        actual, wanted = merged[column], merged[f"{column}_expected"]
        for index in merged.index:
            a, w = actual[index], wanted[index]
            a_null, w_null = a is None or pd.isna(a), w is None or pd.isna(w)
            if a_null or w_null:
                ok = a_null and w_null
            elif isinstance(w, (bool, np.bool_)):
                ok = bool(a) == bool(w)
            else:
                ok = math.isclose(float(a), float(w), rel_tol=REL, abs_tol=1e-9)
            if not ok:
                problems.append(f"{column} at {tuple(merged.loc[index, keys])}: mart {a!r}, reference {w!r}")
    assert not problems, f"{name}: {len(problems)} differences, e.g.\n" + "\n".join(problems[:15])


# --- the tests ------------------------------------------------------------------------------------

@pytest.fixture(scope="module", params=GENERATED, ids=[f"seed{s}_n{n}" for s, n in GENERATED])
def case(request, dataset, warehouse_for):
    seed, accounts = request.param
    raw_dir = dataset(seed, accounts)
    return warehouse_for(raw_dir), Reference(Path(raw_dir))


def test_generated_data_exercises_the_marts(case):
    # the comparison proves little on data without the cases: check they are there
    warehouse, ref = case
    c = ref.customers
    assert c["is_assigned"].any() and c["is_unassigned"].any() and c["is_compliant"].any()
    assert (c["cadence_days"].notna() & ~c["is_compliant"]).any()
    assert c["has_automated"].any()
    assert c.groupby(["month", "csm_id"])["tier"].nunique().max() > 1, "no CSM book spans two tiers"
    assert (ref.onboarding_cohorts()["post_onboarding_upsold_accounts"] > 0).any()
    assert (ref.community_impact()["observations"] > 0).all()


def test_tier_coverage_matches_reference(case):
    warehouse, ref = case
    columns = ["tier_rank", "customers", "arr", "assigned_customers", "unassigned_customers",
               "target_accounts_per_csm", "allocated_fte", "actual_accounts_per_fte", "coverage_ratio",
               "touch_compliance_rate", "automated_touch_share"]
    expected = ref.tier_coverage()[["month", "tier", *columns]]
    assert_frames_match(warehouse.table("mart_tier_coverage"), expected, ["month", "tier"], "mart_tier_coverage")


def test_csm_book_matches_reference(case):
    warehouse, ref = case
    expected = ref.csm_book()[["month", "csm_id", "fte", "customers", "arr", "arr_per_fte", "required_fte", "load",
                               "is_overloaded"]]
    assert_frames_match(warehouse.table("mart_csm_book"), expected, ["month", "csm_id"], "mart_csm_book")


def test_nps_monthly_matches_reference(case):
    warehouse, ref = case
    stages = warehouse.query("select account_id, month, stage from fct_account_monthly")
    stages["month"] = pd.to_datetime(stages["month"])
    assert_frames_match(warehouse.table("mart_nps_monthly"), ref.nps_monthly(stages),
                        ["month", "segment_type", "segment"], "mart_nps_monthly")


def test_product_feedback_matches_reference(case):
    warehouse, ref = case
    assert_frames_match(warehouse.table("mart_product_feedback"), ref.product_feedback(),
                        ["month", "category", "feature"], "mart_product_feedback")


def test_onboarding_cohorts_match_reference(case):
    warehouse, ref = case
    assert_frames_match(warehouse.table("mart_onboarding_cohorts"), ref.onboarding_cohorts(),
                        ["cohort_month"], "mart_onboarding_cohorts")


def test_community_impact_matches_reference(case):
    warehouse, ref = case
    assert_frames_match(warehouse.table("mart_community_impact"), ref.community_impact(),
                        ["has_community_activity"], "mart_community_impact")


def test_scorecard_matches_reference(case):
    warehouse, ref = case
    stages = warehouse.query("select account_id, month, stage from fct_account_monthly")
    stages["month"] = pd.to_datetime(stages["month"])
    expected = ref.scorecard_own_columns(ref.nps_monthly(stages))
    scorecard = warehouse.table("mart_cs_scorecard")
    assert_frames_match(scorecard, expected, ["month"], "mart_cs_scorecard")
    # the revenue rates and stage-ups are those of their marts, month by month
    revenue = warehouse.table("mart_revenue_monthly").set_index("month")
    stage_ups = warehouse.table("mart_stage_monthly").groupby("month")["stage_up_count"].sum()
    passed = revenue[["nrr_12m", "grr_12m", "logo_churn_rate", "renewal_churn_rate", "annualized_logo_churn",
                      "meets_10pct_rule", "maturity_level"]].assign(stage_up_count=stage_ups).reset_index()
    assert_frames_match(scorecard.drop(columns=["maturity_level"]), passed.drop(columns=["maturity_level"]),
                        ["month"], "mart_cs_scorecard (passed through)")
    joined = scorecard.set_index("month")["maturity_level"].fillna("-")
    assert joined.equals(revenue["maturity_level"].fillna("-").reindex(joined.index))
