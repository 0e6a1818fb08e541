"""The synthetic data generator: determinism, the raw data contract, the bundled demo
dataset, and the planted truth (recomputed from the files with pandas, independently
of the warehouse)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cs_warehouse.generate import PROFILES, Config, Simulation, generate

PROJECT_DIR = Path(__file__).resolve().parents[1]
DEMO_DIR = PROJECT_DIR / "data" / "demo"

COLUMNS = {
    "accounts": ["account_id", "account_name", "created_at", "industry", "employee_count", "region",
                 "is_advocate", "tier_override"],
    "contracts": ["contract_id", "account_id", "product", "plan", "line_type", "department", "start_date",
                  "end_date", "mrr", "currency", "seats"],
    "usage": ["account_id", "usage_date", "feature", "active_users", "events"],
    "csms": ["csm_id", "csm_name", "team", "fte"],
    "csm_assignments": ["account_id", "csm_id", "valid_from", "valid_to"],
    "touchpoints": ["touch_id", "account_id", "csm_id", "touched_at", "channel", "purpose"],
    "surveys": ["response_id", "account_id", "responded_at", "survey", "score"],
    "tickets": ["ticket_id", "account_id", "opened_at", "category", "feature"],
    "milestones": ["account_id", "milestone", "achieved_at"],
    "community": ["account_id", "activity_date", "activity", "quantity"],
    "fx_rates": ["currency", "month", "rate"],
}
KEYS = {
    "accounts": ["account_id"], "contracts": ["contract_id"], "usage": ["account_id", "usage_date", "feature"],
    "csms": ["csm_id"], "touchpoints": ["touch_id"], "surveys": ["response_id"], "tickets": ["ticket_id"],
    "milestones": ["account_id", "milestone"], "fx_rates": ["currency", "month"],
    "csm_assignments": ["account_id", "valid_from"],
}
DATE_COLUMNS = {
    "accounts": ["created_at"], "contracts": ["start_date", "end_date"], "usage": ["usage_date"],
    "csm_assignments": ["valid_from", "valid_to"], "touchpoints": ["touched_at"], "surveys": ["responded_at"],
    "tickets": ["opened_at"], "milestones": ["achieved_at"], "community": ["activity_date"], "fx_rates": ["month"],
}
FEATURES = ["profile_db", "performance_review", "pulse_survey"]
STAGES = ["entry", "onboard", "active", "loyal"]


def read_raw(raw_dir: Path, name: str, as_text: bool = False) -> pd.DataFrame:
    """One raw file as a DataFrame (CSV or Parquet), dates parsed unless as_text."""
    raw_dir = Path(raw_dir)
    parquet, csv = raw_dir / f"{name}.parquet", raw_dir / f"{name}.csv"
    if parquet.exists():
        frame = pd.read_parquet(parquet)
        if as_text:
            return frame
    else:
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False, na_values=[""])
        if as_text:
            return frame
        for column in ("employee_count", "seats", "active_users", "events", "quantity"):
            if column in frame:
                frame[column] = pd.to_numeric(frame[column])
        for column in ("mrr", "fte", "score", "rate"):
            if column in frame:
                frame[column] = frame[column].astype(float)
        if "is_advocate" in frame:
            frame["is_advocate"] = frame["is_advocate"].map({"true": True, "false": False})
    for column in DATE_COLUMNS.get(name, []):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def load(raw_dir: Path) -> dict[str, pd.DataFrame]:
    return {name: read_raw(raw_dir, name) for name in COLUMNS}


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    return load(DEMO_DIR)


@pytest.fixture(scope="module")
def demo_truth() -> dict:
    return json.loads((DEMO_DIR / "truth.json").read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------------
# an independent recomputation of health, condition and stage (metrics.md)
# ----------------------------------------------------------------------------------
def recompute_account_months(data: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per customer-month: MRR, the health components, condition and stage, as metrics.md defines them."""
    accounts, contracts, usage = data["accounts"], data["contracts"], data["usage"]
    ids = accounts["account_id"].to_numpy()
    index = {a: i for i, a in enumerate(ids)}
    n = len(ids)
    as_of = usage["usage_date"].max()
    months = pd.period_range(contracts["start_date"].min().to_period("M"), as_of.to_period("M"), freq="M")
    origin = months[0].start_time - pd.Timedelta(days=120)
    n_days = (as_of - origin).days + 1

    # dense account x day arrays: DAU (max over features), events, features used
    a = usage["account_id"].map(index).to_numpy()
    d = (usage["usage_date"] - origin).dt.days.to_numpy()
    f = usage["feature"].map({name: i for i, name in enumerate(FEATURES)}).to_numpy()
    events = usage["events"].to_numpy()
    dau = np.zeros((n, n_days))
    total = np.zeros((n, n_days))
    used = np.zeros((n, n_days, 3), dtype=bool)
    np.maximum.at(dau, (a, d), usage["active_users"].to_numpy())
    np.add.at(total, (a, d), events)
    used[a, d, f] |= events > 0

    def cumulative(x):
        return np.concatenate([np.zeros((n, 1) + x.shape[2:]), np.cumsum(x, axis=1)], axis=1)

    c_dau, c_events, c_active, c_used = cumulative(dau), cumulative(total), cumulative(total > 0), cumulative(used)

    rates = data["fx_rates"].assign(month=lambda x: x["month"].dt.to_period("M")).set_index(["currency", "month"])
    setup = data["milestones"].query("milestone == 'setup_complete'").set_index("account_id")["achieved_at"]
    setup_day = accounts["account_id"].map(setup).fillna(pd.Timestamp("2200-01-01")).to_numpy()
    surveys, community = data["surveys"], data["community"]
    promoters = surveys[(surveys["survey"] == "nps") & (surveys["score"] >= 9)]
    is_advocate = accounts["is_advocate"].fillna(False).to_numpy(dtype=bool)
    line_account = contracts["account_id"].map(index).to_numpy()
    seats = contracts["seats"].to_numpy(dtype=float)
    frames = []
    for month in months:
        snap = min(month.end_time.normalize(), as_of)
        active = (contracts["start_date"] <= snap) & (contracts["end_date"].isna() | (contracts["end_date"] >= snap))
        active = active.to_numpy()
        rate = np.array([1.0 if c == "JPY" else rates.loc[(c, month), "rate"] for c in contracts["currency"]])
        mrr = np.bincount(line_account[active], weights=(contracts["mrr"].to_numpy() * rate)[active], minlength=n)
        seat_sum = np.bincount(line_account[active], weights=np.nan_to_num(seats)[active], minlength=n)
        has_seats = np.bincount(line_account[active], weights=~np.isnan(seats[active]), minlength=n) > 0
        s = (snap - origin).days
        lo = s - 27
        utilization = np.where(has_seats, np.minimum(1, (c_dau[:, s + 1] - c_dau[:, lo]) / 28
                                                     / np.where(seat_sum > 0, seat_sum, np.nan)), np.nan)
        stickiness = (c_active[:, s + 1] - c_active[:, lo]) / 28
        breadth = ((c_used[:, s + 1] - c_used[:, lo]) > 0).sum(axis=1) / 3
        current, previous = c_events[:, s + 1] - c_events[:, lo], c_events[:, lo] - c_events[:, lo - 28]
        trend = 0.5 + 0.5 * np.clip((current - previous) / np.maximum(previous, 1), -1, 1)
        weight = np.where(np.isnan(utilization), 0.6, 1.0)
        health = 100 * (0.4 * np.nan_to_num(utilization) + 0.3 * stickiness + 0.2 * breadth + 0.1 * trend) / weight
        in_window = lambda days, dates: (dates > snap - pd.Timedelta(days=days)) & (dates <= snap)  # noqa: E731
        evidence = set(promoters.loc[in_window(365, promoters["responded_at"]), "account_id"]) \
            | set(community.loc[in_window(90, community["activity_date"]), "account_id"])
        advocate = is_advocate | np.isin(ids, list(evidence))
        condition = np.where(health >= 70, "good", np.where(health < 40, "bad", "normal"))
        stage = np.where(setup_day > snap, "entry",
                         np.where(health < 60, "onboard", np.where(advocate, "loyal", "active")))
        customer = mrr > 0
        frames.append(pd.DataFrame({
            "account_id": ids[customer], "month": month.start_time, "mrr": mrr[customer], "seats": seat_sum[customer],
            "utilization": utilization[customer], "stickiness": stickiness[customer],
            "breadth": breadth[customer], "trend": trend[customer], "health": health[customer],
            "condition": condition[customer], "stage": stage[customer]}))
    return pd.concat(frames, ignore_index=True)


def renewal_observations(contracts: pd.DataFrame, account_months: pd.DataFrame) -> pd.DataFrame:
    """metrics.md: due in M when a line has end_date + 1 in M and the account was a customer in M-1."""
    last_month = account_months["month"].max()
    ends = contracts.dropna(subset=["end_date"]).assign(
        month=lambda x: (x["end_date"] + pd.Timedelta(days=1)).dt.to_period("M").dt.to_timestamp())
    ends = ends.loc[ends["month"] <= last_month, ["account_id", "month"]].drop_duplicates()
    ends["previous_month"] = ends["month"] - pd.offsets.MonthBegin(1)
    customers = account_months[["account_id", "month", "stage"]]
    due = ends.merge(customers.rename(columns={"month": "previous_month", "stage": "stage_before"}),
                     on=["account_id", "previous_month"])
    due = due.merge(customers[["account_id", "month"]].assign(kept=True), on=["account_id", "month"], how="left")
    return due.assign(churned=due["kept"].isna())[["account_id", "month", "stage_before", "churned"]]


@pytest.fixture(scope="module")
def demo_account_months(demo) -> pd.DataFrame:
    return recompute_account_months(demo)


# ----------------------------------------------------------------------------------
# tests
# ----------------------------------------------------------------------------------
def test_same_seed_gives_identical_files_and_another_seed_differs(tmp_path):
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(Config(accounts=40, seed=7), first)
    generate(Config(accounts=40, seed=7), second)
    generate(Config(accounts=40, seed=8), other)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        if name.endswith(".parquet"):
            pd.testing.assert_frame_equal(pd.read_parquet(first / name), pd.read_parquet(second / name))
        else:
            assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (first / "contracts.csv").read_bytes() != (other / "contracts.csv").read_bytes()
    assert not pd.read_parquet(first / "usage.parquet").equals(pd.read_parquet(other / "usage.parquet"))


def test_bundled_demo_equals_a_fresh_generation(tmp_path):
    fresh = tmp_path / "demo"
    # the command of README.md
    subprocess.run([sys.executable, "-m", "cs_warehouse.generate", "--accounts", "300", "--seed", "42",
                    "--profile", "healthy", "--out", str(fresh)], cwd=PROJECT_DIR, check=True, capture_output=True)
    for name in COLUMNS:
        pd.testing.assert_frame_equal(read_raw(DEMO_DIR, name, as_text=True), read_raw(fresh, name, as_text=True),
                                      obj=name)
    assert json.loads((DEMO_DIR / "truth.json").read_text()) == json.loads((fresh / "truth.json").read_text())


def test_files_follow_the_data_contract(demo, demo_truth):
    for name, columns in COLUMNS.items():
        assert list(demo[name].columns) == columns, name
        key = KEYS.get(name)
        if key:
            assert not demo[name].duplicated(subset=key).any(), f"{name}: duplicate {key}"
            assert demo[name][key].notna().all().all(), f"{name}: null key"
        if "account_id" in columns and name != "accounts":
            assert demo[name]["account_id"].isin(demo["accounts"]["account_id"]).all(), name
    accounts, contracts, usage = demo["accounts"], demo["contracts"], demo["usage"]
    as_of = pd.Timestamp(demo_truth["as_of"])
    assert usage["usage_date"].max() == as_of
    assert accounts["employee_count"].between(5, 20000).all()
    assert accounts["tier_override"].dropna().isin(
        ["tier1_high_touch", "tier2_mid_touch", "tier3_low_touch", "tier4_tech_touch"]).all()
    # contracts
    assert (contracts["end_date"].isna() | (contracts["end_date"] >= contracts["start_date"])).all()
    assert (contracts["mrr"] >= 0).all()
    assert contracts["line_type"].isin(["base", "addon"]).all()
    assert contracts["currency"].isin(["JPY", "USD"]).all()
    assert contracts["seats"].notna().eq(contracts["line_type"] == "base").all()
    assert (contracts["seats"].dropna() > 0).all()
    assert (contracts["start_date"].dt.day == 1).all()
    # a USD rate for every month from the first contract month to the as-of month
    months = pd.period_range(contracts["start_date"].min().to_period("M"), as_of.to_period("M"), freq="M")
    assert list(demo["fx_rates"]["month"].dt.to_period("M")) == list(months)
    assert demo["fx_rates"]["rate"].between(130, 170).all()
    # usage
    assert usage["feature"].isin(FEATURES).all()
    assert (usage[["active_users", "events"]] >= 0).all().all()
    assert ((usage["active_users"] > 0) == (usage["events"] > 0)).all()
    assert usage.groupby(["account_id", "usage_date"]).size().eq(3).all()
    # enums and ranges of the optional sources
    assert demo["csms"]["team"].isin(["enterprise", "mid_market", "scale"]).all()
    assert demo["csms"]["fte"].isin([1.0, 0.8, 0.5, 0.4]).all()
    assert demo["touchpoints"]["channel"].isin(
        ["meeting", "call", "email", "webinar", "event", "community", "automated"]).all()
    assert demo["touchpoints"]["purpose"].isin(
        ["onboarding", "health_check", "qbr", "upsell_proposal", "toss_up"]).all()
    assert demo["touchpoints"]["csm_id"].dropna().isin(demo["csms"]["csm_id"]).all()
    assert demo["touchpoints"].query("channel == 'automated'")["csm_id"].isna().all()
    surveys = demo["surveys"]
    limits = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
    assert surveys["survey"].isin(list(limits)).all()
    for survey, (low, high) in limits.items():
        assert surveys.loc[surveys["survey"] == survey, "score"].between(low, high).all(), survey
    assert demo["tickets"]["category"].isin(["how_to", "defect", "feature_request", "account_admin"]).all()
    assert demo["tickets"]["feature"].dropna().isin(FEATURES).all()
    assert demo["community"]["activity"].isin(["post", "like", "event", "meetup"]).all()
    assert (demo["community"]["quantity"] >= 1).all()
    # nothing but signed renewals lies after the export day
    for name, column in [("touchpoints", "touched_at"), ("surveys", "responded_at"), ("tickets", "opened_at"),
                         ("milestones", "achieved_at"), ("community", "activity_date"), ("accounts", "created_at")]:
        assert (demo[name][column] <= as_of).all(), name
    # created 0-30 days before the first contract start
    first_start = contracts.groupby("account_id")["start_date"].min()
    lead = (accounts.set_index("account_id")["created_at"].rsub(first_start)).dt.days
    assert lead.between(0, 30).all()
    # at most one CSM per account and day
    assignments = demo["csm_assignments"].sort_values(["account_id", "valid_from"])
    assert assignments["csm_id"].isin(demo["csms"]["csm_id"]).all()
    assert (assignments["valid_to"].isna() | (assignments["valid_to"] >= assignments["valid_from"])).all()
    following = assignments.groupby("account_id")["valid_from"].shift(-1)
    ends = assignments["valid_to"].fillna(pd.Timestamp.max)
    assert (following.isna() | (ends < following)).all()


def test_csv_text_formats(tmp_path):
    accounts = pd.read_csv(DEMO_DIR / "accounts.csv", dtype=str, keep_default_na=False)
    assert set(accounts["is_advocate"]) == {"true", "false"}
    contracts = pd.read_csv(DEMO_DIR / "contracts.csv", dtype=str, keep_default_na=False)
    assert contracts["start_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert contracts["end_date"].str.fullmatch(r"(\d{4}-\d{2}-\d{2})?").all()
    jpy = contracts["currency"] == "JPY"
    assert contracts.loc[jpy, "mrr"].str.fullmatch(r"\d+").all()
    assert contracts.loc[~jpy, "mrr"].str.fullmatch(r"\d+\.\d{2}").all()
    # names with commas and quotes survive the round trip
    names = accounts["account_name"]
    assert names.str.contains(",").any() and names.str.contains('"').any()
    assert accounts["account_id"].str.fullmatch(r"A\d{6}").all()


def test_other_formats(tmp_path):
    out = tmp_path / "pq"
    subprocess.run([sys.executable, "-m", "cs_warehouse.generate", "--accounts", "30", "--seed", "3",
                    "--out", str(out), "--format", "parquet", "--usage-format", "csv"],
                   cwd=PROJECT_DIR, check=True, capture_output=True)
    for name, columns in COLUMNS.items():
        expected = out / (f"{name}.csv" if name == "usage" else f"{name}.parquet")
        assert expected.exists(), expected
        assert list(read_raw(out, name).columns) == columns, name
    assert not (out / "usage.parquet").exists() and not (out / "accounts.csv").exists()
    contracts = pd.read_parquet(out / "contracts.parquet")
    assert str(contracts["start_date"].dtype).startswith("date") or contracts["start_date"].dtype == object


def test_latent_stage_and_condition_are_what_the_metrics_recompute(demo_account_months, demo_truth):
    sim = Simulation(Config(accounts=demo_truth["accounts"], seed=demo_truth["seed"], start=demo_truth["start"],
                            as_of=demo_truth["as_of"], profile=demo_truth.get("profile", "default")))
    latent = sim.latent_frame().assign(month=lambda x: pd.to_datetime(x["month"]))
    merged = latent.merge(demo_account_months, on=["account_id", "month"], how="outer", indicator=True,
                          suffixes=("_latent", "_recomputed"))
    # the same customer-months (MRR > 0 on the snapshot day)
    assert (merged["_merge"] == "both").all()
    assert len(merged) == demo_truth["latent_customer_months"]["total"]
    stage_agree = (merged["stage_latent"] == merged["stage_recomputed"]).mean()
    condition_agree = (merged["condition_latent"] == merged["condition_recomputed"]).mean()
    assert stage_agree >= 0.98, stage_agree
    assert condition_agree >= 0.98, condition_agree
    # each band lands clear of the thresholds on average
    by_band = merged.groupby("band")["health"].mean()
    assert by_band["bad"] < 35 and 42 < by_band["low"] < 58 and 61 < by_band["mid"] < 69 and by_band["high"] > 74


def test_renewal_observations_match_truth(demo, demo_account_months, demo_truth):
    observations = renewal_observations(demo["contracts"], demo_account_months)
    by_stage = observations.groupby("stage_before")["churned"].agg(["size", "sum"])
    truth = demo_truth["renewal_observations_by_stage"]
    for stage in STAGES:
        size = int(by_stage["size"].get(stage, 0))
        assert size == truth[stage]["observations"], stage
        assert int(by_stage["sum"].get(stage, 0)) == truth[stage]["realized_churned"], stage
    expected = demo_truth["expected_renewal_churn_rate_by_stage"]
    assert expected["entry"] > expected["onboard"] > expected["active"] > expected["loyal"]
    # the probabilities of the profile the demo was generated with
    planted = PROFILES[demo_truth.get("profile", "default")].nonrenewal_by_stage
    assert demo_truth["planted"]["renewal_nonrenewal_probability_by_stage"] == dict(zip(STAGES, planted))
    # the realised rates follow the planted order
    rate = by_stage["sum"] / by_stage["size"]
    assert rate["onboard"] > rate["active"] > rate["loyal"]


def test_truth_json_keys(demo_truth):
    for key in ["seed", "accounts", "start", "as_of", "bands", "band_markov_matrix", "planted",
                "expected_renewal_churn_rate_by_stage", "renewal_observations_by_stage", "upsell_by_condition",
                "row_counts"]:
        assert key in demo_truth, key
    assert demo_truth["seed"] == 42 and demo_truth["accounts"] == 300
    matrix = np.array(demo_truth["band_markov_matrix"]["rows_from_cols_to"])
    assert np.allclose(matrix.sum(axis=1), 1)
    upsell = demo_truth["upsell_by_condition"]
    assert upsell["good"]["planted_expansion_within_3_months_rate"] \
        > upsell["normal"]["planted_expansion_within_3_months_rate"] \
        > upsell["bad"]["planted_expansion_within_3_months_rate"]


def test_realism_smoke(demo, demo_account_months):
    names = demo["accounts"]["account_name"]
    assert names.str.contains("株式会社|合同会社|有限会社").mean() > 0.3
    assert names.str.contains(r"Inc\.|K\.K\.|Ltd\.|LLC|Corp\.|G\.K\.").mean() > 0.3
    contracts = demo["contracts"]
    assert contracts["end_date"].isna().any() and contracts["end_date"].notna().any()
    assert (contracts["line_type"] == "addon").any()
    assert (contracts["product"] == "analytics").any()
    assert contracts.query("product == 'core' and line_type == 'base'")["department"].nunique() >= 3
    assert (contracts["currency"] == "USD").any()
    # annual lines last a year
    annual = contracts.dropna(subset=["end_date"])
    one_year = (annual["end_date"] + pd.Timedelta(days=1)) == (annual["start_date"] + pd.DateOffset(years=1))
    assert one_year.mean() > 0.5
    # late renewals: a customer again after one or two months without MRR
    months = demo_account_months.sort_values(["account_id", "month"])
    gap = months.groupby("account_id")["month"].diff().dt.days
    assert gap.between(45, 100).any()
    # weekends are quieter
    usage = demo["usage"]
    weekend = usage["usage_date"].dt.dayofweek >= 5
    assert usage.loc[weekend, "events"].mean() < 0.5 * usage.loc[~weekend, "events"].mean()
    # active users never exceed the seats of the month
    usage_months = usage.assign(month=usage["usage_date"].dt.to_period("M").dt.to_timestamp())
    peak = usage_months.groupby(["account_id", "month"], as_index=False)["active_users"].max()
    peak = peak.merge(demo_account_months[["account_id", "month", "seats"]], on=["account_id", "month"])
    assert len(peak) == len(demo_account_months)
    assert (peak["active_users"] <= peak["seats"]).all()
    stages = demo_account_months["stage"].value_counts(normalize=True)
    assert all(stages.get(stage, 0) > 0.05 for stage in STAGES)
    assert set(demo_account_months["condition"]) == {"good", "normal", "bad"}
    # community only from accounts that are advocates somewhere in their life
    assert demo["community"]["account_id"].nunique() < 0.5 * demo["accounts"]["account_id"].nunique()
