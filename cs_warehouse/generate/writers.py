"""Writing a dataset: the small tables, the streamed usage file and ``generate()``.

Both formats are written from the same columns (``_write_table``): CSV with the
contract's text forms (ISO dates, money with the currency's decimals, empty for
null), Parquet with native types. Usage is streamed day-major, one row group per
week, so that a dataset of hundreds of millions of rows never sits in memory.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from cs_warehouse.generate.calendar import _iso, _weekday
from cs_warehouse.generate.profiles import FEATURE_SHARES, WEEKDAY_WEIGHT
from cs_warehouse.generate.simulation import Config, Simulation
from cs_warehouse.generate.truth import build_truth
from cs_warehouse.generate.vocabulary import (
    ACTIVITIES,
    ADDONS,
    CSM_TEAMS,
    DEPARTMENTS,
    FEATURES,
    INDUSTRIES,
    LINE_TYPES,
    PLANS,
    PRODUCTS,
    REGIONS,
    TICKET_CATEGORIES,
    TIERS,
    TOUCH_CHANNELS,
    TOUCH_PURPOSES,
)


def _col(kind, values, valid=None):
    return (kind, values, valid)


def _write_table(out: Path, name: str, columns: dict, fmt: str) -> int:
    """columns: name -> (kind, values, valid mask or None). kinds: str, date, int, money, float, bool."""
    n_rows = len(next(iter(columns.values()))[1]) if columns else 0
    if fmt == "parquet":
        arrays, fields = [], []
        for cname, (kind, values, valid) in columns.items():
            mask = None if valid is None else ~np.asarray(valid, dtype=bool)
            if kind == "str":
                vals = np.asarray(values, dtype=object)
                if mask is not None:
                    vals = np.where(mask, None, vals)
                arr = pa.array(vals, type=pa.string())
            elif kind == "date":
                arr = pa.array(np.asarray(values, dtype=np.int64).astype(np.int32), type=pa.date32(), mask=mask)
            elif kind == "int":
                arr = pa.array(np.asarray(values, dtype=np.int64), type=pa.int64(), mask=mask)
            elif kind in ("money", "float"):
                arr = pa.array(np.asarray(values[0] if kind == "money" else values, dtype=np.float64),
                               type=pa.float64(), mask=mask)
            elif kind == "bool":
                arr = pa.array(np.asarray(values, dtype=bool), type=pa.bool_(), mask=mask)
            else:
                raise ValueError(kind)
            arrays.append(arr)
            fields.append(pa.field(cname, arr.type))
        table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
        pq.write_table(table, out / f"{name}.parquet", compression="zstd")
    else:
        frame = {}
        for cname, (kind, values, valid) in columns.items():
            if kind == "str":
                s = np.asarray(values, dtype=object)
            elif kind == "date":
                s = _iso(values).astype(object)
            elif kind == "int":
                s = np.asarray(values, dtype=np.int64).astype(str).astype(object)
            elif kind == "money":  # (values, decimals per row)
                vals, usd = values
                s = np.where(usd, np.char.mod("%.2f", np.asarray(vals, dtype=np.float64)),
                             np.asarray(np.round(vals), dtype=np.int64).astype(str)).astype(object)
            elif kind == "float":
                s = np.asarray([repr(float(x)) for x in values], dtype=object)
            elif kind == "bool":
                s = np.where(np.asarray(values, dtype=bool), "true", "false").astype(object)
            else:
                raise ValueError(kind)
            if valid is not None:
                s = np.where(np.asarray(valid, dtype=bool), s, "")
            frame[cname] = s
        pd.DataFrame(frame).to_csv(out / f"{name}.csv", index=False, lineterminator="\n", encoding="utf-8")
    return n_rows


def write_small_tables(sim: Simulation, out: Path, fmt: str) -> dict:
    cal = sim.cal
    ids = sim.account_id
    counts = {}
    # accounts
    counts["accounts"] = _write_table(out, "accounts", {
        "account_id": _col("str", ids),
        "account_name": _col("str", sim.names),
        "created_at": _col("date", sim.created_at),
        "industry": _col("str", np.asarray(INDUSTRIES, dtype=object)[sim.industry]),
        "employee_count": _col("int", sim.employee_count),
        "region": _col("str", np.asarray(REGIONS, dtype=object)[sim.region]),
        "is_advocate": _col("bool", sim.is_advocate),
        "tier_override": _col("str", np.asarray(TIERS, dtype=object)[np.maximum(sim.tier_override, 0)],
                              sim.tier_override >= 0),
    }, fmt)
    # contracts, ordered by start, account
    L = sim.lines
    acc = L["account"].astype(np.int64)
    order = np.lexsort((L["plan"], L["department"], L["line_type"], L["product"], acc, L["start_m"]))
    acc = acc[order]
    prod, plan, lt, dept = L["product"][order], L["plan"][order], L["line_type"][order], L["department"][order]
    seats, mrr, sm, em = L["seats"][order], L["mrr"][order], L["start_m"][order], L["end_m"][order]
    plan_names = np.asarray(PLANS + ADDONS, dtype=object)
    n_lines = len(acc)
    width = max(7, len(str(n_lines)))
    counts["contracts"] = _write_table(out, "contracts", {
        "contract_id": _col("str", np.array([f"C{i:0{width}d}" for i in range(1, n_lines + 1)], dtype=object)),
        "account_id": _col("str", ids[acc]),
        "product": _col("str", np.asarray(PRODUCTS, dtype=object)[prod]),
        "plan": _col("str", plan_names[plan]),
        "line_type": _col("str", np.asarray(LINE_TYPES, dtype=object)[lt]),
        "department": _col("str", np.asarray(DEPARTMENTS, dtype=object)[dept]),
        "start_date": _col("date", cal.month_start[sm]),
        "end_date": _col("date", cal.month_end[np.maximum(em, 0)], em >= 0),
        "mrr": _col("money", (mrr, sim.is_usd[acc])),
        "currency": _col("str", sim.currency[acc].astype(object)),
        "seats": _col("int", seats, lt == 0),
    }, fmt)
    # csms
    counts["csms"] = _write_table(out, "csms", {
        "csm_id": _col("str", sim.csm_id),
        "csm_name": _col("str", sim.csm_name),
        "team": _col("str", np.asarray(CSM_TEAMS, dtype=object)[sim.csm_team]),
        "fte": _col("float", sim.csm_fte),
    }, fmt)
    a = sim.assign
    counts["csm_assignments"] = _write_table(out, "csm_assignments", {
        "account_id": _col("str", ids[a["account"]]),
        "csm_id": _col("str", sim.csm_id[a["csm"]]),
        "valid_from": _col("date", a["valid_from"]),
        "valid_to": _col("date", np.maximum(a["valid_to"], 0), a["valid_to"] >= 0),
    }, fmt)
    # touchpoints
    t = sim.touch
    order = np.lexsort((t["channel"], t["account"], t["day"]))
    k = len(order)
    width = max(7, len(str(k)))
    csm = t["csm"][order]
    counts["touchpoints"] = _write_table(out, "touchpoints", {
        "touch_id": _col("str", np.array([f"T{i:0{width}d}" for i in range(1, k + 1)], dtype=object)),
        "account_id": _col("str", ids[t["account"][order]]),
        "csm_id": _col("str", sim.csm_id[np.maximum(csm, 0)], csm >= 0),
        "touched_at": _col("date", t["day"][order]),
        "channel": _col("str", np.asarray(TOUCH_CHANNELS, dtype=object)[t["channel"][order]]),
        "purpose": _col("str", np.asarray(TOUCH_PURPOSES, dtype=object)[t["purpose"][order]]),
    }, fmt)
    # surveys: nps, csat, ces
    parts = [(sim.nps["account"], sim.nps["day"], 0, sim.nps["score"]),
             (sim.csat["account"], sim.csat["day"], 1, sim.csat["score"]),
             (sim.ces["account"], sim.ces["day"], 2, sim.ces["score"])]
    s_acc = np.concatenate([p[0] for p in parts]).astype(np.int64)
    s_day = np.concatenate([p[1] for p in parts]).astype(np.int64)
    s_kind = np.concatenate([np.full(len(p[0]), p[2]) for p in parts])
    s_score = np.concatenate([p[3] for p in parts]).astype(np.int64)
    order = np.lexsort((s_score, s_kind, s_acc, s_day))
    k = len(order)
    width = max(7, len(str(k)))
    counts["surveys"] = _write_table(out, "surveys", {
        "response_id": _col("str", np.array([f"R{i:0{width}d}" for i in range(1, k + 1)], dtype=object)),
        "account_id": _col("str", ids[s_acc[order]]),
        "responded_at": _col("date", s_day[order]),
        "survey": _col("str", np.asarray(["nps", "csat", "ces"], dtype=object)[s_kind[order]]),
        "score": _col("int", s_score[order]),
    }, fmt)
    # tickets
    t = sim.tickets
    order = np.lexsort((t["feature"], t["category"], t["account"], t["day"]))
    k = len(order)
    width = max(7, len(str(k)))
    feat = t["feature"][order]
    counts["tickets"] = _write_table(out, "tickets", {
        "ticket_id": _col("str", np.array([f"K{i:0{width}d}" for i in range(1, k + 1)], dtype=object)),
        "account_id": _col("str", ids[t["account"][order]]),
        "opened_at": _col("date", t["day"][order]),
        "category": _col("str", np.asarray(TICKET_CATEGORIES, dtype=object)[t["category"][order]]),
        "feature": _col("str", np.asarray(FEATURES, dtype=object)[np.maximum(feat, 0)], feat >= 0),
    }, fmt)
    # milestones
    ms = sim.milestones
    order = np.lexsort((ms["day"], ms["account"]))
    counts["milestones"] = _write_table(out, "milestones", {
        "account_id": _col("str", ids[ms["account"][order]]),
        "milestone": _col("str", ms["milestone"][order]),
        "achieved_at": _col("date", ms["day"][order]),
    }, fmt)
    # community: one row per account, day and activity
    c = sim.community
    frame = pd.DataFrame({"account": c["account"], "day": c["day"], "activity": c["activity"],
                          "quantity": c["quantity"]})
    frame = frame.groupby(["day", "account", "activity"], as_index=False)["quantity"].sum()
    counts["community"] = _write_table(out, "community", {
        "account_id": _col("str", ids[frame["account"].to_numpy()]),
        "activity_date": _col("date", frame["day"].to_numpy()),
        "activity": _col("str", np.asarray(ACTIVITIES, dtype=object)[frame["activity"].to_numpy()]),
        "quantity": _col("int", frame["quantity"].to_numpy()),
    }, fmt)
    counts["fx_rates"] = _write_table(out, "fx_rates", {
        "currency": _col("str", np.full(cal.M, "USD", dtype=object)),
        "month": _col("date", cal.month_start[: cal.M]),
        "rate": _col("float", sim.fx_usd),
    }, fmt)
    return counts


USAGE_SCHEMA = pa.schema([
    pa.field("account_id", pa.string()),
    pa.field("usage_date", pa.date32()),
    pa.field("feature", pa.string()),
    pa.field("active_users", pa.int32()),
    pa.field("events", pa.int32()),
])


def write_usage(sim: Simulation, out: Path, fmt: str = "parquet", days_per_group: int = 7,
                progress: bool = False) -> int:
    """Stream usage rows day by day (all accounts of a day, then the next day)."""
    cal = sim.cal
    r = sim.rng["usage"]
    ids = pa.array(sim.account_id, type=pa.string())
    features = pa.array(FEATURES, type=pa.string())
    live_idx = [np.nonzero(sim.live[:, m])[0] for m in range(cal.M)]
    share = np.zeros((4, 3))
    for nf, s in FEATURE_SHARES.items():
        share[nf, : len(s)] = s
    path = out / f"usage.{fmt}"
    if fmt == "parquet":
        writer = pq.ParquetWriter(path, USAGE_SCHEMA, compression="zstd", use_dictionary=True)
    else:
        writer = pacsv.CSVWriter(path, USAGE_SCHEMA, write_options=pacsv.WriteOptions(include_header=True))
    total = 0
    buf = []
    n_days = len(cal.days)
    next_report = 0.1
    t0 = time.time()
    try:
        for i, d in enumerate(cal.days):
            m = int(cal.day_month[i])
            idx = live_idx[m]
            k = len(idx)
            wd = int(_weekday(d))
            act = sim.weekday_rank[idx, wd] < sim.k[idx, m]
            seats = sim.seats[idx, m].astype(np.float64)
            x = seats * sim.level[idx, m] * WEEKDAY_WEIGHT[wd] * np.exp(r.normal(0.0, 0.08, k))
            dau = np.floor(x + r.random(k))
            dau = np.where(act, np.clip(dau, 1, seats), 0).astype(np.int64)
            ev_total = sim.events_unit[idx, m] * WEEKDAY_WEIGHT[wd] * np.exp(r.normal(0.0, 0.25, k))
            nf = sim.nf[idx, m].astype(np.int64)
            pos = sim.feature_pos[idx].astype(np.int64)                   # (k, 3)
            used = act[:, None] & (pos < nf[:, None])
            ev = np.where(used, np.maximum(1, np.round(ev_total[:, None] * share[nf[:, None], pos])), 0)
            frac = r.uniform(0.2, 0.9, (k, 3))
            au = np.where(pos == 0, dau[:, None], np.maximum(1, np.floor(dau[:, None] * frac)))
            au = np.where(used, au, 0)
            rows = np.repeat(idx, 3)
            buf.append((rows, np.full(3 * k, d, dtype=np.int32), np.tile(np.arange(3), k),
                        au.ravel().astype(np.int32), ev.ravel().astype(np.int32)))
            if len(buf) >= days_per_group or i == n_days - 1:
                acc = np.concatenate([b[0] for b in buf])
                table = pa.Table.from_arrays([
                    ids.take(pa.array(acc)),
                    pa.array(np.concatenate([b[1] for b in buf]), type=pa.date32()),
                    features.take(pa.array(np.concatenate([b[2] for b in buf]))),
                    pa.array(np.concatenate([b[3] for b in buf]), type=pa.int32()),
                    pa.array(np.concatenate([b[4] for b in buf]), type=pa.int32()),
                ], schema=USAGE_SCHEMA)
                if fmt == "parquet":
                    writer.write_table(table, row_group_size=max(1, table.num_rows))
                else:
                    writer.write_table(table)
                total += table.num_rows
                buf = []
            if progress and (i + 1) / n_days >= next_report:
                print(f"[generate] usage {100 * (i + 1) / n_days:.0f}% ({_iso(d)}), {total:,} rows, "
                      f"{time.time() - t0:.0f}s", file=sys.stderr, flush=True)
                next_report += 0.1
    finally:
        writer.close()
    return total


def generate(cfg: Config, out: Path | str, fmt: str = "csv", usage_format: str = "parquet",
             write_latent: bool = False) -> dict:
    """Simulate, write every raw file and truth.json into out; returns the truth dict."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    sim = Simulation(cfg)
    if cfg.progress:
        print(f"[generate] lifecycle simulated in {time.time() - t0:.1f}s", file=sys.stderr, flush=True)
    # remove stale files of the other format so that Parquet does not shadow CSV or the reverse
    for name in ["accounts", "contracts", "usage", "csms", "csm_assignments", "touchpoints", "surveys",
                 "tickets", "milestones", "community", "fx_rates"]:
        for ext in ("csv", "parquet"):
            target_fmt = usage_format if name == "usage" else fmt
            p = out / f"{name}.{ext}"
            if ext != target_fmt and p.exists():
                p.unlink()
    counts = write_small_tables(sim, out, fmt)
    counts["usage"] = write_usage(sim, out, usage_format, progress=cfg.progress)
    if write_latent:
        sim.latent_frame().to_csv(out / "truth_account_months.csv", index=False, lineterminator="\n")
    truth = build_truth(sim, counts)
    if sim.profile.name != "default":  # the default profile's truth stays as it was
        truth["profile"] = sim.profile.name
        truth["planted"]["touch_miss_share_by_tier"] = dict(zip(TIERS, sim.profile.touch_miss_by_tier))
        truth["planted"]["slow_onboarding_cohorts"] = list(sim.profile.slow_onboarding_cohorts)
    (out / "truth.json").write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if cfg.progress:
        print(f"[generate] done in {time.time() - t0:.1f}s: {counts}", file=sys.stderr, flush=True)
    return truth
