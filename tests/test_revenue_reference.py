"""An independent, plain-Python implementation of metrics.md "Revenue" and "Cohorts
and survival", read straight from a raw directory (the files of the data contract).

It shares no code with the dbt models: test_revenue_differential.py and
test_survival.py compare the marts with it. The tests at the bottom check the
reference itself on a dataset small enough to follow by hand, so that a bug in the
oracle cannot hide a bug in the marts.

Conventions (the same judgement calls as the models, see their docs):
- MRR(a, M) on M's snapshot day (last day, or as_of_date in the as-of month), each
  line converted at the rate of M (1 for the reporting currency), exact Decimal.
- fct rows run from an account's first customer month through the as-of month;
  prev = cur = 0 is `inactive`.
- A renewal is due in M when end_date + 1 is in M and on or before M's snapshot day.
- Trailing-12 figures and the annual churn need 12 months of history.
"""
from __future__ import annotations

import calendar
import csv
import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[1]
REPORTING_CURRENCY = "JPY"
TYPE_ORDER = ["cross_sell", "extension", "addon", "upsell"]


# --- reading the raw directory -----------------------------------------------------
def read_source(raw_dir: Path, name: str) -> list[dict] | None:
    """Rows of a source as dicts of strings ('' for null); Parquet wins over CSV."""
    parquet, text = Path(raw_dir) / f"{name}.parquet", Path(raw_dir) / f"{name}.csv"
    if parquet.exists():
        frame = pd.read_parquet(parquet)
        rows = []
        for record in frame.to_dict("records"):
            rows.append({key: "" if value is None or (isinstance(value, float) and math.isnan(value))
                         else str(value.date() if isinstance(value, pd.Timestamp) else value)
                         for key, value in record.items()})
        return rows
    if text.exists():
        with open(text, newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    return None


def latest_usage_date(raw_dir: Path) -> dt.date:
    """The default as-of date: the latest usage_date (read without loading every column)."""
    parquet = Path(raw_dir) / "usage.parquet"
    if parquet.exists():
        return pd.to_datetime(pd.read_parquet(parquet, columns=["usage_date"])["usage_date"]).max().date()
    return max(to_date(row["usage_date"]) for row in read_source(raw_dir, "usage"))


def to_date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text[:10]) if text else None


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


@dataclass
class Line:
    contract_id: str
    account_id: str
    product: str
    plan: str
    line_type: str
    department: str | None
    start: dt.date
    end: dt.date | None
    mrr: Decimal
    currency: str

    def active_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass
class Reference:
    raw_dir: Path
    as_of: dt.date
    months: list[dt.date]
    snapshots: list[dt.date]
    lines: list[Line]
    accounts: dict[str, dict]
    fx: dict
    mrr: dict = field(default_factory=dict)          # (account, i) -> Decimal, every account with lines
    active: dict = field(default_factory=dict)       # (account, i) -> [Line]
    cohort: dict = field(default_factory=dict)       # account -> month index of its first customer month

    @property
    def last(self) -> int:
        return len(self.months) - 1

    def line_mrr(self, line: Line, i: int) -> Decimal:
        rate = Decimal(1) if line.currency == REPORTING_CURRENCY else self.fx[(line.currency, self.months[i])]
        return line.mrr * rate

    def account_mrr(self, account: str, i: int) -> Decimal:
        return self.mrr.get((account, i), Decimal(0)) if i >= 0 else Decimal(0)


def load(raw_dir: Path, as_of: dt.date | None = None) -> Reference:
    """Read the raw files and compute MRR(a, M) for every account and month."""
    raw_dir = Path(raw_dir)
    if as_of is None:
        as_of = latest_usage_date(raw_dir)
    accounts = {row["account_id"]: row for row in read_source(raw_dir, "accounts")}
    fx = {(row["currency"], to_date(row["month"])): Decimal(row["rate"])
          for row in (read_source(raw_dir, "fx_rates") or [])}
    lines = [
        Line(row["contract_id"], row["account_id"], row["product"], row["plan"], row["line_type"],
             row.get("department") or None, to_date(row["start_date"]), to_date(row.get("end_date", "")),
             Decimal(row["mrr"]), row.get("currency") or REPORTING_CURRENCY)
        for row in read_source(raw_dir, "contracts")
    ]
    first = month_start(min(line.start for line in lines if line.start <= as_of))
    months = []
    month = first
    while month <= month_start(as_of):
        months.append(month)
        month = add_months(month, 1)
    snapshots = [min(month_end(month), as_of) for month in months]
    reference = Reference(raw_dir, as_of, months, snapshots, lines, accounts, fx)
    for i, snapshot in enumerate(snapshots):
        for line in lines:
            if line.active_on(snapshot):
                reference.active.setdefault((line.account_id, i), []).append(line)
                key = (line.account_id, i)
                reference.mrr[key] = reference.mrr.get(key, Decimal(0)) + reference.line_mrr(line, i)
    for account in sorted({line.account_id for line in lines}):
        customer_months = [i for i in range(len(months)) if reference.account_mrr(account, i) > 0]
        if customer_months:
            reference.cohort[account] = customer_months[0]
    return reference


# --- fct_mrr_monthly -----------------------------------------------------------------
def expansion_type(ref: Reference, account: str, i: int) -> str:
    """The type of an expansion in month i: the key that rose most names it."""
    def keyed(index):
        sums = defaultdict(Decimal)
        for line in ref.active.get((account, index), []):
            sums[(line.product, line.department, line.line_type)] += ref.line_mrr(line, index)
        return sums

    now, before = keyed(i), keyed(i - 1)
    products_before = {line.product for line in ref.active.get((account, i - 1), [])}
    departments_before = {(line.product, line.department) for line in ref.active.get((account, i - 1), [])}
    candidates = []
    for key in set(now) | set(before):
        product, department, line_type = key
        if product not in products_before:
            kind = "cross_sell"
        elif (product, department) not in departments_before:
            kind = "extension"
        elif line_type == "addon":
            kind = "addon"
        else:
            kind = "upsell"
        candidates.append((-(now.get(key, Decimal(0)) - before.get(key, Decimal(0))), TYPE_ORDER.index(kind), kind))
    return min(candidates)[2]


def movement(prev: Decimal, cur: Decimal, was_customer_before: bool) -> str:
    if prev == 0 and cur > 0:
        return "reactivation" if was_customer_before else "new"
    if prev > 0 and cur > prev:
        return "expansion"
    if prev > 0 and 0 < cur < prev:
        return "contraction"
    if prev > 0 and cur == 0:
        return "churn"
    if prev > 0 and cur == prev:
        return "retained"
    return "inactive"


def fct_mrr_monthly(ref: Reference) -> pd.DataFrame:
    rows = []
    for account, cohort in ref.cohort.items():
        for i in range(cohort, ref.last + 1):
            prev, cur = ref.account_mrr(account, i - 1), ref.account_mrr(account, i)
            before = any(ref.account_mrr(account, j) > 0 for j in range(i))
            kind = movement(prev, cur, before)
            rows.append({
                "account_id": account, "month": ref.months[i], "mrr": cur, "arr": 12 * cur,
                "previous_mrr": prev, "mrr_change": cur - prev, "movement": kind,
                "expansion_type": expansion_type(ref, account, i) if kind == "expansion" else None,
                "is_customer": cur > 0, "cohort_month": ref.months[cohort], "age_months": i - cohort,
                "month_index": i,
            })
    return pd.DataFrame(rows)


# --- tiers and renewals ----------------------------------------------------------------
def read_seed(name: str) -> list[dict]:
    with open(PROJECT_DIR / "seeds" / f"{name}.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def tier_of(ref: Reference, account: str, i: int) -> str | None:
    policy = read_seed("tier_policy")
    override = (ref.accounts.get(account, {}).get("tier_override") or "").strip()
    if override:
        return override
    arr = 12 * ref.account_mrr(account, i)
    fitting = [row for row in policy if Decimal(row["min_arr"]) <= arr]
    return min(fitting, key=lambda row: int(row["tier_rank"]))["tier"] if fitting else None


def account_tiers_monthly(ref: Reference) -> pd.DataFrame:
    rows = []
    for account, cohort in ref.cohort.items():
        for i in range(cohort, ref.last + 1):
            if ref.account_mrr(account, i) > 0:
                rows.append({"account_id": account, "month": ref.months[i],
                             "arr": 12 * ref.account_mrr(account, i), "tier": tier_of(ref, account, i)})
    return pd.DataFrame(rows)


def renewals_due(ref: Reference) -> pd.DataFrame:
    due = set()
    index_of = {month: i for i, month in enumerate(ref.months)}
    for line in ref.lines:
        if line.end is None or line.start > ref.as_of:
            continue
        renewal_day = line.end + dt.timedelta(days=1)
        i = index_of.get(month_start(renewal_day))
        if i is None or renewal_day > ref.snapshots[i] or i == 0:
            continue
        if ref.account_mrr(line.account_id, i - 1) > 0:
            due.add((line.account_id, i))
    rows = []
    for account, i in sorted(due):
        before, now = ref.account_mrr(account, i - 1), ref.account_mrr(account, i)
        rows.append({"account_id": account, "month": ref.months[i], "renewal_mrr_due": before,
                     "renewal_mrr_kept": min(now, before), "is_churned_at_renewal": now == 0})
    return pd.DataFrame(rows, columns=["account_id", "month", "renewal_mrr_due", "renewal_mrr_kept",
                                       "is_churned_at_renewal"])


# --- mart_revenue_monthly --------------------------------------------------------------
def ratio(numerator, denominator) -> float | None:
    return float(numerator) / float(denominator) if denominator else None


def revenue_monthly(ref: Reference) -> pd.DataFrame:
    fct = fct_mrr_monthly(ref)
    renewals = renewals_due(ref)
    levels = sorted(read_seed("maturity_levels"), key=lambda row: -int(row["level_rank"]))
    rows = []
    for i, month in enumerate(ref.months):
        rows_now = fct[fct.month_index == i] if len(fct) else fct
        moves = list(rows_now.movement) if len(rows_now) else []
        def total(kind, amount):
            return sum((amount(row) for row in rows_now.itertuples() if row.movement == kind), Decimal(0))
        start = sum((ref.account_mrr(a, i - 1) for a in ref.cohort), Decimal(0))
        end = sum((ref.account_mrr(a, i) for a in ref.cohort), Decimal(0))
        customers_start = sum(1 for a in ref.cohort if ref.account_mrr(a, i - 1) > 0)
        new, reactivated, churned = moves.count("new"), moves.count("reactivation"), moves.count("churn")
        expansion = total("expansion", lambda row: row.mrr - row.previous_mrr)
        contraction = total("contraction", lambda row: row.previous_mrr - row.mrr)
        churned_mrr = total("churn", lambda row: row.previous_mrr)
        due = renewals[renewals.month == month]
        row = {
            "month": month, "customers_start": customers_start,
            "customers_end": sum(1 for a in ref.cohort if ref.account_mrr(a, i) > 0),
            "new_customers": new, "reactivated_customers": reactivated, "churned_customers": churned,
            "mrr_start": start, "new_mrr": total("new", lambda row: row.mrr),
            "reactivation_mrr": total("reactivation", lambda row: row.mrr),
            "expansion_mrr": expansion, "contraction_mrr": contraction, "churned_mrr": churned_mrr,
            "mrr_end": end,
            "grr": ratio(start - contraction - churned_mrr, start),
            "nrr": ratio(start + expansion - contraction - churned_mrr, start),
            "logo_churn_rate": ratio(churned, customers_start),
            "logo_churn_rate_incl_new": ratio(churned, customers_start + new + reactivated),
            "renewals_due": len(due), "renewals_churned": int(due.is_churned_at_renewal.sum()),
            "renewal_churn_rate": ratio(int(due.is_churned_at_renewal.sum()), len(due)),
            "renewal_mrr_due": sum(due.renewal_mrr_due, Decimal(0)),
            "renewal_mrr_kept": sum(due.renewal_mrr_kept, Decimal(0)),
            "upsell_count": moves.count("expansion"), "downsell_count": moves.count("contraction"),
            "nrr_12m": None, "grr_12m": None,
        }
        if i >= 12:
            base = [a for a in ref.cohort if ref.account_mrr(a, i - 12) > 0]
            base_mrr = sum((ref.account_mrr(a, i - 12) for a in base), Decimal(0))
            row["nrr_12m"] = ratio(sum((ref.account_mrr(a, i) for a in base), Decimal(0)), base_mrr)
            row["grr_12m"] = ratio(sum((min(ref.account_mrr(a, i), ref.account_mrr(a, i - 12)) for a in base),
                                       Decimal(0)), base_mrr)
        rows.append(row)
    for i, row in enumerate(rows):
        window = [rows[j]["logo_churn_rate"] for j in range(i - 11, i + 1) if j >= 0]
        known = len(window) == 12 and all(rate is not None for rate in window)
        row["annualized_logo_churn"] = 1 - math.prod(1 - rate for rate in window) if known else None
        row["mean_logo_churn_rate_12m"] = sum(window) / 12 if known else None
        row["meets_10pct_rule"] = None if not known else row["annualized_logo_churn"] <= 0.10
        row["maturity_level"] = None
        if row["nrr_12m"] is not None:
            for level in levels:  # highest rank first
                nrr_ok = not level["min_nrr_12m"] or row["nrr_12m"] >= float(level["min_nrr_12m"])
                churn_ok = not level["max_mean_logo_churn_12m"] or (
                    row["mean_logo_churn_rate_12m"] is not None
                    and row["mean_logo_churn_rate_12m"] <= float(level["max_mean_logo_churn_12m"]))
                if nrr_ok and churn_ok:
                    row["maturity_level"] = level["maturity_level"]
                    break
    return pd.DataFrame(rows)


def expansion_monthly(ref: Reference) -> pd.DataFrame:
    fct = fct_mrr_monthly(ref)
    rows = []
    for month in ref.months:
        for kind in TYPE_ORDER:
            chosen = fct[(fct.month == month) & (fct.expansion_type == kind)] if len(fct) else fct
            rows.append({"month": month, "expansion_type": kind, "accounts": len(chosen),
                         "expansion_mrr": sum(chosen.mrr_change, Decimal(0))})
    return pd.DataFrame(rows)


# --- cohorts and survival -------------------------------------------------------------
def plan_at_cohort(ref: Reference, account: str) -> str | None:
    i = ref.cohort[account]
    lines = ref.active.get((account, i), [])
    if not lines:
        return None
    best = min(lines, key=lambda line: (line.line_type != "base", -ref.line_mrr(line, i), line.plan))
    return best.plan


def segments(ref: Reference, account: str) -> dict[str, str]:
    return {
        "all": "all",
        "tier": tier_of(ref, account, ref.cohort[account]) or "none",
        "industry": (ref.accounts.get(account, {}).get("industry") or "").strip() or "unknown",
        "plan": plan_at_cohort(ref, account) or "none",
    }


def cohort_retention(ref: Reference) -> pd.DataFrame:
    groups = defaultdict(list)
    for account, cohort in ref.cohort.items():
        parts = segments(ref, account)
        for segment_type in ("all", "tier"):
            groups[(segment_type, parts[segment_type], cohort)].append(account)
    rows = []
    for (segment_type, segment, cohort), members in groups.items():
        start = {a: ref.account_mrr(a, cohort) for a in members}
        cohort_mrr = sum(start.values(), Decimal(0))
        for age in range(0, ref.last - cohort + 1):
            now = {a: ref.account_mrr(a, cohort + age) for a in members}
            retained = sum(1 for value in now.values() if value > 0)
            mrr = sum(now.values(), Decimal(0))
            capped = sum((min(now[a], start[a]) for a in members), Decimal(0))
            rows.append({"segment_type": segment_type, "segment": segment, "cohort_month": ref.months[cohort],
                         "age_months": age, "cohort_accounts": len(members), "retained_accounts": retained,
                         "logo_retention": retained / len(members), "cohort_mrr": cohort_mrr, "mrr": mrr,
                         "revenue_retention": ratio(mrr, cohort_mrr),
                         "gross_revenue_retention": ratio(capped, cohort_mrr)})
    return pd.DataFrame(rows)


def survival_observations(ref: Reference) -> pd.DataFrame:
    """One row per account: its segments, its duration (months) and whether it churned."""
    rows = []
    for account, cohort in ref.cohort.items():
        churn_age = next((i - cohort for i in range(cohort + 1, ref.last + 1)
                          if ref.account_mrr(account, i - 1) > 0 and ref.account_mrr(account, i) == 0), None)
        rows.append({"account_id": account, **{f"segment_{k}": v for k, v in segments(ref, account).items()},
                     "duration": churn_age if churn_age is not None else ref.last - cohort,
                     "churned": churn_age is not None})
    return pd.DataFrame(rows)


# --- the reference checked by hand -----------------------------------------------------
HAND_ACCOUNTS = """account_id,account_name,created_at,industry,tier_override
A1,Steady,2024-01-01,software,
A2,Gap,2024-01-01,retail,
A3,Upgrade,2024-01-01,,tier1_high_touch
A4,Free,2024-01-01,retail,
"""
HAND_CONTRACTS = """contract_id,account_id,product,plan,line_type,department,start_date,end_date,mrr,currency,seats
L1,A1,core,standard,base,hr,2024-01-01,,1000,JPY,
L2,A2,core,starter,base,,2024-01-01,2024-01-31,500,,
L3,A2,core,starter,base,,2024-03-05,,500,,
L4,A3,core,starter,base,hr,2024-02-01,2024-02-14,10,USD,
L5,A3,core,pro,base,hr,2024-02-15,,20,USD,
L6,A3,talent,pro,base,hr,2024-03-01,,10,USD,
L7,A4,core,free,base,,2024-01-01,,0,,
L8,A1,core,sso,addon,hr,2024-03-20,,100,,
"""
HAND_FX = """currency,month,rate
USD,2024-01-01,100
USD,2024-02-01,100
USD,2024-03-01,110
"""
HAND_USAGE = """account_id,usage_date,feature,active_users,events
A1,2024-03-15,profile_db,1,1
"""


def write_hand_dataset(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in [("accounts", HAND_ACCOUNTS), ("contracts", HAND_CONTRACTS), ("fx_rates", HAND_FX),
                       ("usage", HAND_USAGE)]:
        (directory / f"{name}.csv").write_text(text, encoding="utf-8")
    return directory


@pytest.fixture(scope="session")
def revenue_hand_raw_dir(tmp_path_factory) -> Path:
    """The hand-checked raw directory, one path per session, so that the modules that import
    this fixture share one warehouse (warehouse_for caches by path)."""
    directory = tmp_path_factory.getbasetemp() / "revenue_hand_raw"
    return directory if (directory / "contracts.csv").exists() else write_hand_dataset(directory)


def test_reference_on_a_hand_checked_dataset(tmp_path):
    ref = load(write_hand_dataset(tmp_path))
    assert ref.as_of == dt.date(2024, 3, 15)
    assert ref.snapshots == [dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 15)]
    fct = fct_mrr_monthly(ref).set_index(["account_id", "month_index"])
    # A1: 1000 throughout; the add-on starting 2024-03-20 is after the as-of date
    assert list(fct.loc["A1"].movement) == ["new", "retained", "retained"]
    # A2: out in February (its line ended on Jan 31), back in March: churn, then reactivation
    assert list(fct.loc["A2"].movement) == ["new", "churn", "reactivation"]
    assert list(fct.loc["A2"].cohort_month.unique()) == [dt.date(2024, 1, 1)]
    # A3: the 14th/15th upgrade shows only the new line on Feb 29 (20 USD x 100); March adds a
    # new product at a higher rate: 30 USD x 110 = 3300, a cross-sell (talent +1100 > core +200)
    assert fct.loc[("A3", 1)].mrr == Decimal(2000)
    assert fct.loc[("A3", 2)].mrr == Decimal(3300)
    assert fct.loc[("A3", 2)].expansion_type == "cross_sell"
    # A4: a free line never makes a customer
    assert "A4" not in ref.cohort
    revenue = revenue_monthly(ref).set_index("month")
    march = revenue.loc[dt.date(2024, 3, 1)]
    assert (march.customers_start, march.customers_end, march.reactivated_customers) == (2, 3, 1)
    assert march.mrr_end == Decimal(1000 + 500 + 3300)
    assert revenue.loc[dt.date(2024, 2, 1)].logo_churn_rate == 0.5
    renewals = renewals_due(ref)
    # A2's line ended Jan 31 (due in Feb, churned); A3's Feb 14 line is due in Feb but A3 was no
    # customer in January
    assert renewals[["account_id", "month", "is_churned_at_renewal"]].values.tolist() == [
        ["A2", dt.date(2024, 2, 1), True]]
    observations = survival_observations(ref).set_index("account_id")
    assert observations.loc["A2"].duration == 1 and observations.loc["A2"].churned
    assert observations.loc["A1"].duration == 2 and not observations.loc["A1"].churned
    assert observations.loc["A3"].segment_tier == "tier1_high_touch"
    assert observations.loc["A3"].segment_industry == "unknown"
