"""The heaviest path of the warehouse, in plain pandas: the baseline dbt is compared with.

    python -m benchmarks.pandas_path --raw-dir DIR --out OUT_DIR [--window-days 28]

It reads the raw files as a pandas user would (``pd.read_parquet``, ``pd.read_csv``)
and computes, following docs/metrics.md:

- the monthly health components of every customer-month, on the month's snapshot
  day over the trailing window: daily active users, license utilization,
  stickiness, breadth, trend, and the health score and condition;
- the MRR bridge per month from the contract lines: MRR on snapshot days, the
  movements, starting and ending MRR, new, reactivation, expansion, contraction,
  churn.

It assumes clean input, as the generator writes it (no rejected rows), and the
default vars and seeds. Writes ``health.parquet`` and ``bridge.parquet`` into
OUT_DIR (the harness compares them with the dbt marts) and prints one JSON object
with the time of each step on the last line of stdout.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

PROJECT_DIR = Path(__file__).resolve().parents[1]
REPORTING_CURRENCY = "JPY"
WEIGHTS = {"license_utilization": 0.4, "stickiness": 0.3, "breadth": 0.2, "trend": 0.1}


class Steps:
    def __init__(self):
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def done(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = now - self._last
        self._last = now


def months_table(lines: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Reporting months: from the month of the earliest live start to the as-of month."""
    live = lines[lines["start_date"] <= as_of]
    first = live["start_date"].min().to_period("M").to_timestamp()
    last = as_of.to_period("M").to_timestamp()
    months = pd.DataFrame({"month": pd.date_range(first, last, freq="MS")})
    month_end = months["month"] + pd.offsets.MonthEnd(0)
    months["snapshot_date"] = month_end.where(month_end <= as_of, as_of)
    return months


def lines_at_snapshots(lines: pd.DataFrame, months: pd.DataFrame, fx: pd.DataFrame) -> pd.DataFrame:
    """Every contract line active on a month's snapshot day, its MRR in the reporting currency."""
    joined = months.merge(lines, how="cross")
    end = joined["end_date"].fillna(pd.Timestamp("2262-01-01"))
    joined = joined[(joined["start_date"] <= joined["snapshot_date"]) & (end >= joined["snapshot_date"])]
    joined = joined.merge(fx, on=["currency", "month"], how="left")
    joined["rate"] = np.where(joined["currency"] == REPORTING_CURRENCY, 1.0, joined["rate"])
    joined["mrr_reporting"] = joined["mrr"] * joined["rate"]
    return joined


def mrr_bridge(active_lines: pd.DataFrame, months: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Account-month MRR from the cohort month on, the movement, and the bridge by month."""
    account_mrr = active_lines.groupby(["account_id", "month"], as_index=False)["mrr_reporting"].sum()
    cohorts = (account_mrr[account_mrr["mrr_reporting"] > 0].groupby("account_id", as_index=False)["month"].min()
               .rename(columns={"month": "cohort_month"}))
    spine = cohorts.merge(months[["month"]], how="cross")
    spine = spine[spine["month"] >= spine["cohort_month"]]
    spine = spine.merge(account_mrr, on=["account_id", "month"], how="left")
    spine["mrr"] = spine["mrr_reporting"].fillna(0.0)
    spine = spine.sort_values(["account_id", "month"])
    spine["previous_mrr"] = spine.groupby("account_id")["mrr"].shift(1).fillna(0.0)
    prev, cur = spine["previous_mrr"], spine["mrr"]
    spine["movement"] = np.select(
        [
            (prev == 0) & (cur > 0) & (spine["month"] == spine["cohort_month"]),
            (prev == 0) & (cur > 0),
            (prev > 0) & (cur > prev),
            (prev > 0) & (cur > 0) & (cur < prev),
            (prev > 0) & (cur == 0),
            (prev > 0) & (cur == prev),
        ],
        ["new", "reactivation", "expansion", "contraction", "churn", "retained"],
        default="inactive",
    )
    movement = spine["movement"]
    parts = pd.DataFrame({
        "month": spine["month"],
        "mrr_start": prev,
        "new_mrr": cur.where(movement == "new", 0.0),
        "reactivation_mrr": cur.where(movement == "reactivation", 0.0),
        "expansion_mrr": (cur - prev).where(movement == "expansion", 0.0),
        "contraction_mrr": (prev - cur).where(movement == "contraction", 0.0),
        "churned_mrr": prev.where(movement == "churn", 0.0),
        "mrr_end": cur,
        "customers_end": (cur > 0).astype(int),
    })
    bridge = parts.groupby("month", as_index=False).sum()
    return spine[["account_id", "month", "mrr", "previous_mrr", "movement"]], bridge


def health_components(usage: pd.DataFrame, account_months: pd.DataFrame, months: pd.DataFrame,
                      seats: pd.DataFrame, core_features: list[str], window_days: int, steps: Steps) -> pd.DataFrame:
    """The health components of every customer-month (metrics.md "Usage, health and stages")."""
    account_days = usage.groupby(["account_id", "usage_date"], as_index=False).agg(
        daily_active_users=("active_users", "max"), events=("events", "sum"))
    steps.done("usage_to_account_days")

    # each snapshot day's window (offsets 0..W-1) and the window before it (W..2W-1)
    offsets = np.arange(2 * window_days)
    window = months[["month", "snapshot_date"]].merge(pd.DataFrame({"offset": offsets}), how="cross")
    window["usage_date"] = window["snapshot_date"] - pd.to_timedelta(window["offset"], unit="D")
    window["is_current"] = window["offset"] < window_days
    in_windows = account_days.merge(window[["month", "usage_date", "is_current"]], on="usage_date")
    current = in_windows["is_current"]
    in_windows["active_day"] = (current & (in_windows["events"] > 0)).astype(int)
    in_windows["dau_current"] = in_windows["daily_active_users"].where(current, 0)
    in_windows["events_current"] = in_windows["events"].where(current, 0)
    in_windows["events_previous"] = in_windows["events"].where(~current, 0)
    windows = in_windows.groupby(["account_id", "month"], as_index=False).agg(
        active_days=("active_day", "sum"), daily_active_users_sum=("dau_current", "sum"),
        window_events=("events_current", "sum"), previous_window_events=("events_previous", "sum"))

    # breadth: distinct core features with events in the current window
    feature_days = usage.loc[(usage["events"] > 0) & usage["feature"].isin(core_features),
                             ["account_id", "usage_date", "feature"]]
    feature_days = feature_days.merge(window.loc[window["is_current"], ["month", "usage_date"]], on="usage_date")
    breadth = (feature_days.drop_duplicates(["account_id", "month", "feature"])
               .groupby(["account_id", "month"]).size().rename("core_features_used").reset_index())
    steps.done("windows_at_snapshots")

    customers = account_months.loc[account_months["mrr"] > 0, ["account_id", "month"]]
    frame = (customers.merge(months[["month", "snapshot_date"]], on="month")
             .merge(windows, on=["account_id", "month"], how="left")
             .merge(breadth, on=["account_id", "month"], how="left")
             .merge(seats, on=["account_id", "month"], how="left"))
    for column in ["active_days", "daily_active_users_sum", "window_events", "previous_window_events",
                   "core_features_used"]:
        frame[column] = frame[column].fillna(0)
    frame["daily_active_users"] = frame["daily_active_users_sum"] / window_days
    frame["license_utilization"] = np.where(
        frame["seats"] > 0, np.minimum(1.0, frame["daily_active_users"] / frame["seats"].where(frame["seats"] > 0)),
        np.nan)
    frame["stickiness"] = frame["active_days"] / window_days
    frame["breadth"] = frame["core_features_used"] / len(core_features) if core_features else np.nan
    change = (frame["window_events"] - frame["previous_window_events"]) / np.maximum(frame["previous_window_events"], 1)
    frame["trend"] = 0.5 + 0.5 * change.clip(-1.0, 1.0)
    weighted = sum(frame[name].fillna(0) * weight for name, weight in WEIGHTS.items())
    weights = sum(frame[name].notna() * weight for name, weight in WEIGHTS.items())
    frame["health_score"] = (100 * weighted / weights.where(weights > 0)).round(9)
    frame["condition"] = np.select([frame["health_score"] >= 70, frame["health_score"] < 40],
                                   ["good", "bad"], default="normal")
    frame.loc[frame["health_score"].isna(), "condition"] = None
    steps.done("health_components")
    return frame[["account_id", "month", "snapshot_date", "seats", "daily_active_users", "license_utilization",
                  "stickiness", "breadth", "trend", "window_events", "previous_window_events", "health_score",
                  "condition"]]


def run(raw_dir: Path, out_dir: Path, window_days: int = 28) -> dict:
    steps = Steps()
    usage = pd.read_parquet(raw_dir / "usage.parquet")
    usage["usage_date"] = pd.to_datetime(usage["usage_date"])
    lines = pd.read_csv(raw_dir / "contracts.csv", parse_dates=["start_date", "end_date"])
    lines["currency"] = lines["currency"].fillna(REPORTING_CURRENCY)
    fx = pd.read_csv(raw_dir / "fx_rates.csv", parse_dates=["month"])
    feature_seed = pd.read_csv(PROJECT_DIR / "seeds" / "features.csv")
    steps.done("read")

    as_of = usage["usage_date"].max()
    months = months_table(lines, as_of)
    active_lines = lines_at_snapshots(lines, months, fx)
    account_months, bridge = mrr_bridge(active_lines, months)
    seats = active_lines.groupby(["account_id", "month"], as_index=False)["seats"].sum(min_count=1)
    steps.done("mrr_bridge")

    present = sorted(usage.loc[usage["usage_date"] <= as_of, "feature"].unique())
    not_core = set(feature_seed.loc[~feature_seed["is_core"].astype(bool), "feature"])
    core_features = [feature for feature in present if feature not in not_core]
    health = health_components(usage, account_months, months, seats, core_features, window_days, steps)

    out_dir.mkdir(parents=True, exist_ok=True)
    health.to_parquet(out_dir / "health.parquet", index=False)
    bridge.to_parquet(out_dir / "bridge.parquet", index=False)
    steps.done("write")
    return {
        "usage_rows": int(len(usage)),
        "health_rows": int(len(health)),
        "bridge_rows": int(len(bridge)),
        "as_of_date": as_of.date().isoformat(),
        "step_seconds": steps.seconds,
        "compute_seconds": sum(steps.seconds.values()),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pandas_path", description=__doc__.split("\n")[0])
    parser.add_argument("--raw-dir", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--window-days", type=int, default=28)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.raw_dir, args.out, args.window_days)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
