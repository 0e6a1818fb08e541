"""Health, stages and the stage marts against an independent pandas computation.

The reference below is written from metrics.md ("Usage, health and stages",
"Stage and churn") and the raw files alone: usage, contracts, milestones, surveys,
community, csm_assignments and the `features` seed. It does not read any model of
mine. The customer-months and their MRR movements are the revenue engineer's
(fct_mrr_monthly, tested in test_revenue_differential.py); the reference takes
those as given and checks everything computed on top of them:

- fct_account_monthly: every health component, the health score, condition,
  stage, advocacy, tenure phase and the CSM on the snapshot day;
- dim_accounts: last touch, days since touch, next renewal date;
- mart_stage_monthly, mart_stage_churn (both bases), mart_condition_upsell and
  mart_utilization_matrix.

The judgement calls documented in the models are followed here: days without usage
count as 0 in the mean daily active users; evidence windows are the N days ending
on the snapshot day; health is rounded to 9 decimals before it is classified.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cs_warehouse.dbt_runner import PROJECT_DIR

WINDOW = 28
WEIGHTS = {"license_utilization": 0.4, "stickiness": 0.3, "breadth": 0.2, "trend": 0.1}
STAGE_RANK = {"entry": 1, "onboard": 2, "active": 3, "loyal": 4}
TOLERANCE = 1e-9


# ---------------------------------------------------------------- raw files

def read_source(raw_dir: Path, name: str) -> pd.DataFrame | None:
    parquet, csv = raw_dir / f"{name}.parquet", raw_dir / f"{name}.csv"
    if parquet.exists():
        return pd.read_parquet(parquet)
    if csv.exists():
        return pd.read_csv(csv, dtype=str, keep_default_na=False, na_values=[""])
    return None


def dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column])
    return frame


def load_raw(raw_dir: Path) -> dict:
    raw = {}
    usage = read_source(raw_dir, "usage")
    usage["active_users"] = usage["active_users"].astype(int)
    usage["events"] = usage["events"].astype(int)
    raw["usage"] = dates(usage, "usage_date")
    contracts = dates(read_source(raw_dir, "contracts"), "start_date", "end_date")
    contracts["seats"] = pd.to_numeric(contracts["seats"])
    raw["contracts"] = contracts
    raw["accounts"] = read_source(raw_dir, "accounts")
    for name, date_columns in [("milestones", ["achieved_at"]), ("surveys", ["responded_at"]),
                               ("community", ["activity_date"]), ("csm_assignments", ["valid_from", "valid_to"]),
                               ("touchpoints", ["touched_at"])]:
        frame = read_source(raw_dir, name)
        raw[name] = dates(frame, *date_columns) if frame is not None else None
    raw["features"] = pd.read_csv(PROJECT_DIR / "seeds" / "features.csv")
    return raw


# ---------------------------------------------------------------- reference: health and stage

def reference_account_months(raw: dict, customer_months: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """One row per customer-month with every figure of fct_account_monthly computed here."""
    usage = raw["usage"][raw["usage"]["usage_date"] <= as_of]
    frame = customer_months[["account_id", "month", "age_months"]].copy()
    frame["snapshot_date"] = [min(month + pd.offsets.MonthEnd(0), as_of) for month in frame["month"]]

    # account-day usage
    days = usage.groupby(["account_id", "usage_date"]).agg(
        dau=("active_users", "max"), events=("events", "sum")).reset_index()
    # core features: in the usage data, not marked is_core = false in the seed
    not_core = set(raw["features"].loc[raw["features"]["is_core"].astype(str).str.lower() == "false", "feature"])
    core = sorted(set(usage["feature"]) - not_core)
    used_core = usage[(usage["events"] > 0) & usage["feature"].isin(core)][["account_id", "usage_date", "feature"]]

    snapshots = frame[["month", "snapshot_date"]].drop_duplicates()
    results = []
    for month, snapshot in snapshots.itertuples(index=False):
        start = snapshot - pd.Timedelta(days=WINDOW - 1)
        previous_start = snapshot - pd.Timedelta(days=2 * WINDOW - 1)
        in_window = days[(days["usage_date"] >= start) & (days["usage_date"] <= snapshot)]
        in_previous = days[(days["usage_date"] >= previous_start) & (days["usage_date"] < start)]
        current = in_window.groupby("account_id").agg(
            dau_sum=("dau", "sum"), events=("events", "sum"),
            active_days=("events", lambda values: int((values > 0).sum())))
        previous = in_previous.groupby("account_id")["events"].sum().rename("previous_events")
        features_used = used_core[(used_core["usage_date"] >= start) & (used_core["usage_date"] <= snapshot)] \
            .groupby("account_id")["feature"].nunique().rename("core_used")
        lines = raw["contracts"][(raw["contracts"]["start_date"] <= snapshot)
                                 & (raw["contracts"]["end_date"].isna() | (raw["contracts"]["end_date"] >= snapshot))]
        seats = lines.groupby("account_id")["seats"].sum(min_count=1).rename("seats")
        month_frame = frame[frame["month"] == month].set_index("account_id")
        month_frame = month_frame.join(current).join(previous).join(features_used).join(seats)
        results.append(month_frame.reset_index())
    frame = pd.concat(results, ignore_index=True)
    for column in ["dau_sum", "events", "active_days", "previous_events", "core_used"]:
        frame[column] = frame[column].fillna(0)

    frame["daily_active_users"] = frame["dau_sum"] / WINDOW
    frame["license_utilization"] = [
        min(1.0, dau / seats) if not pd.isna(seats) and seats > 0 else None
        for dau, seats in zip(frame["daily_active_users"], frame["seats"])]
    frame["stickiness"] = frame["active_days"] / WINDOW
    frame["breadth"] = frame["core_used"] / len(core) if core else None
    change = (frame["events"] - frame["previous_events"]) / np.maximum(frame["previous_events"], 1)
    frame["trend"] = 0.5 + 0.5 * change.clip(-1, 1)

    def health(row) -> float | None:
        present = {name: weight for name, weight in WEIGHTS.items() if row[name] is not None and not pd.isna(row[name])}
        if not present:
            return None
        return round(100 * sum(row[name] * weight for name, weight in present.items()) / sum(present.values()), 9)

    frame["health_score"] = frame.apply(health, axis=1)
    frame["condition"] = [None if score is None else "good" if score >= 70 else "bad" if score < 40 else "normal"
                          for score in frame["health_score"]]

    # setup day: the setup_complete milestone; with no milestones at all, the first day with events
    milestones = raw["milestones"]
    if milestones is not None and len(milestones):
        setup = milestones[milestones["milestone"] == "setup_complete"].groupby("account_id")["achieved_at"].min()
    else:
        setup = raw["usage"][raw["usage"]["events"] > 0].groupby("account_id")["usage_date"].min()
    frame["setup_date"] = frame["account_id"].map(setup)

    # advocacy: flag, NPS >= 9 in the 365 days ending on the snapshot day, community in the last 90
    flagged = set(raw["accounts"].loc[raw["accounts"]["is_advocate"].astype(str).str.lower() == "true", "account_id"]) \
        if "is_advocate" in raw["accounts"] else set()
    surveys = raw["surveys"]
    promoters = surveys[(surveys["survey"] == "nps") & (surveys["score"].astype(float) >= 9)] \
        if surveys is not None else pd.DataFrame(columns=["account_id", "responded_at"])
    community = raw["community"] if raw["community"] is not None else pd.DataFrame(columns=["account_id", "activity_date"])
    promoter_dates = promoters.groupby("account_id")["responded_at"].apply(list).to_dict()
    community_dates = community.groupby("account_id")["activity_date"].apply(list).to_dict()

    def within(dates_of_account, snapshot, days) -> bool:
        low = snapshot - pd.Timedelta(days=days)
        return any(low < day <= snapshot for day in dates_of_account)

    frame["is_advocate"] = [
        account in flagged
        or within(promoter_dates.get(account, []), snapshot, 365)
        or within(community_dates.get(account, []), snapshot, 90)
        for account, snapshot in zip(frame["account_id"], frame["snapshot_date"])]

    def stage(row) -> str:
        if pd.isna(row["setup_date"]) or row["setup_date"] > row["snapshot_date"]:
            return "entry"
        if row["health_score"] is not None and row["health_score"] < 60:
            return "onboard"
        return "loyal" if row["is_advocate"] else "active"

    frame["stage"] = frame.apply(stage, axis=1)
    frame["stage_rank"] = frame["stage"].map(STAGE_RANK)
    frame["tenure_phase"] = ["renewal" if age >= 10 else "adoption" if age >= 4 else "onboarding"
                             for age in frame["age_months"]]

    # the CSM assigned on the snapshot day
    assignments = raw["csm_assignments"]
    csm = []
    for account, snapshot in zip(frame["account_id"], frame["snapshot_date"]):
        if assignments is None:
            csm.append(None)
            continue
        rows = assignments[(assignments["account_id"] == account) & (assignments["valid_from"] <= snapshot)
                           & (assignments["valid_to"].isna() | (assignments["valid_to"] >= snapshot))]
        csm.append(rows.sort_values("valid_from")["csm_id"].iloc[-1] if len(rows) else None)
    frame["csm_id"] = csm
    return frame


# ---------------------------------------------------------------- reference: stage marts

def month_add(month: pd.Timestamp, months: int) -> pd.Timestamp:
    return month + pd.DateOffset(months=months)


def reference_outcomes(mrr_monthly: pd.DataFrame, as_of_month: pd.Timestamp) -> pd.DataFrame:
    """Per customer-month: churned within 12 / expanded within 3 / churned within 12, MRR at M+12."""
    churn_months = mrr_monthly[mrr_monthly["movement"] == "churn"].groupby("account_id")["month"].apply(sorted).to_dict()
    expansion_months = mrr_monthly[mrr_monthly["movement"] == "expansion"].groupby("account_id")["month"] \
        .apply(sorted).to_dict()
    mrr_at = {(row.account_id, row.month): row.mrr for row in mrr_monthly.itertuples()}
    rows = []
    for row in mrr_monthly[mrr_monthly["is_customer"]].itertuples():
        def happens(months_of_account, horizon):
            end = month_add(row.month, horizon)
            return any(row.month < month <= end for month in months_of_account)
        rows.append({
            "account_id": row.account_id, "month": row.month, "mrr": float(row.mrr),
            "horizon_complete": month_add(row.month, 12) <= as_of_month,
            "churned_12": happens(churn_months.get(row.account_id, []), 12),
            "mrr_at_12": float(mrr_at.get((row.account_id, month_add(row.month, 12)), 0)),
            "condition_complete": month_add(row.month, 12) <= as_of_month and month_add(row.month, 3) <= as_of_month,
            "expanded_3": happens(expansion_months.get(row.account_id, []), 3),
        })
    return pd.DataFrame(rows)


def reference_renewals(raw: dict, mrr_monthly: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Renewals due (metrics.md "Renewal churn rate") from the contract lines themselves."""
    lines = raw["contracts"][raw["contracts"]["end_date"].notna() & (raw["contracts"]["start_date"] <= as_of)].copy()
    lines["renewal_date"] = lines["end_date"] + pd.Timedelta(days=1)
    lines = lines[lines["renewal_date"] <= as_of]
    lines["month"] = lines["renewal_date"].dt.to_period("M").dt.to_timestamp()
    due = lines[["account_id", "month"]].drop_duplicates()
    mrr_at = {(row.account_id, row.month): float(row.mrr) for row in mrr_monthly.itertuples()}
    rows = []
    for account, month in due.itertuples(index=False):
        previous = mrr_at.get((account, month_add(month, -1)), 0.0)
        if previous > 0:
            current = mrr_at.get((account, month), 0.0)
            rows.append({"account_id": account, "month": month, "mrr_due": previous, "mrr_now": current,
                         "churned": current == 0})
    return pd.DataFrame(rows)


def wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def built(small_dataset, small_warehouse):
    assert small_warehouse.ok
    rejects = small_warehouse.query("select source, count(*) as n from raw_rejects group by source")
    assert rejects.empty, f"the reference reads the raw files, so the dataset must have no rejects: {rejects}"
    raw = load_raw(Path(small_dataset))
    as_of = pd.Timestamp(small_warehouse.query("select as_of_date from int_as_of_date")["as_of_date"].iloc[0])
    mrr_monthly = small_warehouse.query("select * from fct_mrr_monthly")
    mrr_monthly["month"] = pd.to_datetime(mrr_monthly["month"])
    mrr_monthly["mrr"] = mrr_monthly["mrr"].astype(float)
    customer_months = mrr_monthly[mrr_monthly["is_customer"]]
    expected = reference_account_months(raw, customer_months, as_of)
    actual = small_warehouse.table("fct_account_monthly")
    actual["month"] = pd.to_datetime(actual["month"])
    return {"raw": raw, "as_of": as_of, "as_of_month": as_of.to_period("M").to_timestamp(),
            "mrr_monthly": mrr_monthly, "expected": expected, "actual": actual, "warehouse": small_warehouse}


def close(a, b) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    if b is None or (isinstance(b, float) and math.isnan(b)):
        return False
    return math.isclose(float(a), float(b), rel_tol=TOLERANCE, abs_tol=TOLERANCE)


# ---------------------------------------------------------------- tests

def test_every_customer_month_has_one_row(built):
    actual = built["actual"]
    expected = built["expected"]
    assert len(actual) == len(expected) > 0
    assert not actual.duplicated(["account_id", "month"]).any()
    assert set(zip(actual["account_id"], actual["month"])) == set(zip(expected["account_id"], expected["month"]))


@pytest.mark.parametrize("column", ["daily_active_users", "license_utilization", "stickiness", "breadth", "trend",
                                    "health_score"])
def test_health_components_match_the_reference(built, column):
    merged = built["actual"].merge(built["expected"], on=["account_id", "month"], suffixes=("", "_expected"))
    wrong = [(row["account_id"], row["month"].date(), row[column], row[f"{column}_expected"])
             for _, row in merged.iterrows() if not close(row[column], row[f"{column}_expected"])]
    assert not wrong, f"{column}: {len(wrong)} customer-months differ, e.g. {wrong[:5]}"


@pytest.mark.parametrize("column", ["condition", "stage", "stage_rank", "is_advocate", "tenure_phase", "csm_id"])
def test_classifications_match_the_reference(built, column):
    merged = built["actual"].merge(built["expected"], on=["account_id", "month"], suffixes=("", "_expected"))
    actual = merged[column].where(merged[column].notna(), None)
    expected = merged[f"{column}_expected"].where(merged[f"{column}_expected"].notna(), None)
    wrong = merged[[a != e for a, e in zip(actual, expected)]]
    assert wrong.empty, f"{column}: {len(wrong)} differ, e.g. {wrong[['account_id', 'month', column, column + '_expected']].head()}"


def test_the_dataset_exercises_every_stage_and_condition(built):
    """Guards the tests above against a dataset that would make them trivially pass."""
    assert set(built["expected"]["stage"]) == set(STAGE_RANK)
    assert set(built["expected"]["condition"]) == {"good", "normal", "bad"}
    assert built["expected"]["license_utilization"].isna().sum() < len(built["expected"])


def test_dim_accounts_touch_and_renewal_dates(built):
    raw, as_of = built["raw"], built["as_of"]
    dim = built["warehouse"].table("dim_accounts").set_index("account_id")
    assert sorted(dim.index) == sorted(raw["accounts"]["account_id"])
    touches = raw["touchpoints"]
    human = touches[(touches["channel"] != "automated") & (touches["touched_at"] <= as_of)]
    last_touch = human.groupby("account_id")["touched_at"].max()
    lines = raw["contracts"]
    live = lines[(lines["start_date"] <= as_of) & lines["end_date"].notna() & (lines["end_date"] >= as_of)]
    next_renewal = (live["end_date"] + pd.Timedelta(days=1)).groupby(live["account_id"]).min()
    for account, row in dim.iterrows():
        expected_touch = last_touch.get(account)
        if expected_touch is None:
            assert pd.isna(row["last_touch_date"]) and pd.isna(row["days_since_touch"])
        else:
            assert pd.Timestamp(row["last_touch_date"]) == expected_touch
            assert row["days_since_touch"] == (as_of - expected_touch).days
        expected_renewal = next_renewal.get(account)
        if expected_renewal is None:
            assert pd.isna(row["next_renewal_date"])
        else:
            assert pd.Timestamp(row["next_renewal_date"]) == expected_renewal
    assert dim["last_touch_date"].notna().any() and dim["next_renewal_date"].notna().any()


def test_stage_monthly_matches_the_reference(built):
    expected = built["expected"].sort_values(["account_id", "month"]).copy()
    expected["previous_rank"] = [
        previous_rank if previous_account == account and previous_month == month_add(month, -1) else None
        for account, month, previous_account, previous_month, previous_rank in zip(
            expected["account_id"], expected["month"], expected["account_id"].shift(),
            expected["month"].shift(), expected["stage_rank"].shift())]
    expected["stage_up"] = [previous is not None and not pd.isna(previous) and rank > previous
                            for rank, previous in zip(expected["stage_rank"], expected["previous_rank"])]
    mrr = built["mrr_monthly"].set_index(["account_id", "month"])["mrr"]
    expected["mrr"] = [mrr[(a, m)] for a, m in zip(expected["account_id"], expected["month"])]
    grouped = expected.groupby(["month", "stage"]).agg(customers=("account_id", "size"), mrr=("mrr", "sum"),
                                                      stage_up_count=("stage_up", "sum"))
    mart = built["warehouse"].table("mart_stage_monthly")
    mart["month"] = pd.to_datetime(mart["month"])
    assert len(mart) == mart["month"].nunique() * 4
    for row in mart.itertuples():
        key = (row.month, row.stage)
        customers, mrr_sum, ups = grouped.loc[key] if key in grouped.index else (0, 0.0, 0)
        assert (row.customers, row.stage_up_count) == (customers, ups), key
        assert close(float(row.mrr), mrr_sum), key
    assert mart["stage_up_count"].sum() > 0


def test_stage_churn_matches_the_reference(built):
    expected = built["expected"].set_index(["account_id", "month"])
    outcomes = reference_outcomes(built["mrr_monthly"], built["as_of_month"])
    horizon = outcomes[outcomes["horizon_complete"]].copy()
    horizon["stage"] = [expected.loc[(a, m), "stage"] for a, m in zip(horizon["account_id"], horizon["month"])]
    horizon = horizon.rename(columns={"churned_12": "churned", "mrr": "start", "mrr_at_12": "end"})
    renewals = reference_renewals(built["raw"], built["mrr_monthly"], built["as_of"])
    renewals["stage"] = [expected.loc[(a, month_add(m, -1)), "stage"]
                         for a, m in zip(renewals["account_id"], renewals["month"])]
    renewals = renewals.rename(columns={"mrr_due": "start", "mrr_now": "end"})
    mart = built["warehouse"].table("mart_stage_churn").set_index(["basis", "stage"])
    assert len(mart) == 8
    for basis, observations in [("horizon", horizon), ("renewal", renewals)]:
        assert len(observations) > 0, basis
        loyal = observations[observations["stage"] == "loyal"]
        loyal_rate = loyal["churned"].mean() if len(loyal) else None
        for stage in STAGE_RANK:
            group = observations[observations["stage"] == stage]
            row = mart.loc[(basis, stage)]
            assert row["observations"] == len(group) and row["churned"] == int(group["churned"].sum()), (basis, stage)
            if len(group) == 0:
                assert pd.isna(row["churn_rate"]) and pd.isna(row["churn_rate_ci_low"])
                continue
            rate = group["churned"].mean()
            low, high = wilson(int(group["churned"].sum()), len(group))
            assert close(row["churn_rate"], rate) and close(row["churn_rate_ci_low"], low) \
                and close(row["churn_rate_ci_high"], high), (basis, stage)
            expected_rr = rate / loyal_rate if loyal_rate else None
            assert close(row["relative_risk_vs_loyal"], expected_rr), (basis, stage)
            net = group["end"].sum() / group["start"].sum()
            gross = np.minimum(group["end"], group["start"]).sum() / group["start"].sum()
            assert close(row["net_revenue_retention"], net) and close(row["gross_revenue_retention"], gross), \
                (basis, stage)


def test_condition_upsell_and_utilization_matrix_match_the_reference(built):
    expected = built["expected"]
    outcomes = reference_outcomes(built["mrr_monthly"], built["as_of_month"])
    observed = outcomes[outcomes["condition_complete"]].merge(expected, on=["account_id", "month"])
    assert len(observed) > 0
    mart = built["warehouse"].table("mart_condition_upsell").set_index(["stage", "condition"])
    assert len(mart) == 12
    for (stage, condition), row in mart.iterrows():
        group = observed[(observed["stage"] == stage) & (observed["condition"] == condition)]
        assert row["observations"] == len(group), (stage, condition)
        assert row["upsold"] == int(group["expanded_3"].sum()) and row["churned"] == int(group["churned_12"].sum())
        if len(group):
            assert close(row["upsell_rate"], group["expanded_3"].mean())
            assert close(row["churn_rate"], group["churned_12"].mean())

    # utilization matrix: the two core features with the most events, split at the median of non-zero events
    raw, as_of = built["raw"], built["as_of"]
    usage = raw["usage"][raw["usage"]["usage_date"] <= as_of]
    not_core = set(raw["features"].loc[raw["features"]["is_core"].astype(str).str.lower() == "false", "feature"])
    totals = usage[~usage["feature"].isin(not_core)].groupby("feature")["events"].sum().reset_index() \
        .sort_values(["events", "feature"], ascending=[False, True])
    feature_x, feature_y = totals["feature"].iloc[0], totals["feature"].iloc[1]
    levels = {}
    for axis, feature in [("x", feature_x), ("y", feature_y)]:
        rows = usage[usage["feature"] == feature]
        window_events = {}
        for snapshot in observed["snapshot_date"].unique():
            start = snapshot - pd.Timedelta(days=WINDOW - 1)
            in_window = rows[(rows["usage_date"] >= start) & (rows["usage_date"] <= snapshot)]
            for account, events in in_window.groupby("account_id")["events"].sum().items():
                window_events[(account, snapshot)] = int(events)
        events = np.array([window_events.get((account, snapshot), 0)
                           for account, snapshot in zip(observed["account_id"], observed["snapshot_date"])])
        split = float(np.median(events[events > 0]))
        levels[axis] = np.where(events == 0, "none", np.where(events <= split, "low", "high"))
    observed = observed.assign(level_x=levels["x"], level_y=levels["y"])
    matrix = built["warehouse"].table("mart_utilization_matrix")
    assert len(matrix) == 9 and set(matrix["feature_x"]) == {feature_x} and set(matrix["feature_y"]) == {feature_y}
    for row in matrix.itertuples():
        group = observed[(observed["level_x"] == row.level_x) & (observed["level_y"] == row.level_y)]
        assert row.observations == len(group), (row.level_x, row.level_y)
        if len(group):
            assert close(row.upsell_rate, group["expanded_3"].mean()) and close(row.churn_rate,
                                                                                 group["churned_12"].mean())
