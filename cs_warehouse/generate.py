"""Synthetic raw data for the CS warehouse, with planted effects the marts must recover.

    python -m cs_warehouse.generate --accounts 300 --seed 42 --profile healthy --out data/demo

Writes the raw files of docs/data-contract.md (``accounts``, ``contracts``, ``usage``,
``csms``, ``csm_assignments``, ``touchpoints``, ``surveys``, ``tickets``,
``milestones``, ``community``, ``fx_rates``) and ``truth.json``.

How it works
------------
1. **Monthly lifecycle** (vectorised over accounts, one step per month). Each live
   account has a latent *health band* (bad / low / mid / high) that follows a
   Markov chain, a latent advocate state, a term (annual or open-ended monthly)
   and a set of contract lines. Each month its lifecycle stage is derived with
   exactly the rule of ``metrics.md`` (entry / onboard / active / loyal) from the
   band, the ``setup_complete`` milestone and the advocacy evidence the
   simulation wrote (``is_advocate``, promoter NPS, community activity). The
   stage drives renewals and cancellations, the condition (from the band)
   drives expansions: these are the planted effects (see ``truth.json``).
2. **Usage plans**. For every customer-month a small solver chooses how the
   band is realised in the trailing 28-day window of the snapshot day: active
   weekdays (stickiness), features used (breadth), daily active users as a share
   of seats (utilization); the events per 28 days are constant per account so
   the trend stays near 0.5, and the solver accounts for the trend where the
   previous window was not (fully) live. The health the warehouse recomputes
   then lands near the band's target: bad ~25, low ~50, mid ~65, high ~80.
3. **Usage rows**, day-major, streamed to Parquet (or CSV) one row group per week.

Everything is drawn from numpy ``Generator(PCG64)`` streams spawned from the seed,
so the same arguments give the same files.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

GENERATOR_VERSION = "1.0"

# --- vocabularies ----------------------------------------------------------------
FEATURES = ["profile_db", "performance_review", "pulse_survey"]
BANDS = ["bad", "low", "mid", "high"]
STAGES = ["entry", "onboard", "active", "loyal"]
CONDITIONS = ["bad", "normal", "good"]
BAND_CONDITION = np.array([0, 1, 1, 2], dtype=np.int8)  # band -> condition index
TIERS = ["tier1_high_touch", "tier2_mid_touch", "tier3_low_touch", "tier4_tech_touch"]
TIER_MIN_ARR = np.array([6_000_000, 1_200_000, 240_000, 0], dtype=np.float64)
TIER_CADENCE_DAYS = np.array([30, 90, 180, 180])  # tier4 only when a CSM is still assigned
INDUSTRIES = ["software", "manufacturing", "retail", "restaurant", "healthcare", "finance",
              "logistics", "education", "staffing"]
INDUSTRY_P = [0.17, 0.15, 0.12, 0.08, 0.09, 0.08, 0.1, 0.08, 0.13]
REGIONS = ["Kanto", "Kansai", "Chubu", "Kyushu", "Tohoku", "Hokkaido", "Overseas"]
REGION_P = [0.45, 0.18, 0.12, 0.08, 0.05, 0.04, 0.08]
PLANS = ["starter", "standard", "enterprise"]
PRODUCTS = ["core", "analytics"]
DEPARTMENTS = ["hr", "sales", "engineering", "store_ops"]
ADDONS = ["sso", "api", "pos_link"]
LINE_TYPES = ["base", "addon"]
CORE_PRICE = {"JPY": np.array([600.0, 900.0, 1500.0]), "USD": np.array([4.5, 6.5, 10.5])}
ANALYTICS_PRICE = {"JPY": np.array([300.0, 450.0, 700.0]), "USD": np.array([2.0, 3.0, 4.75])}
ADDON_PRICE = {"JPY": np.array([10_000.0, 20_000.0, 4_000.0]), "USD": np.array([70.0, 140.0, 28.0])}
EXPANSION_TYPES = ["addon", "cross_sell", "extension", "upsell"]
EXPANSION_TYPE_WEIGHTS = np.array([0.3, 0.2, 0.2, 0.3])
TOUCH_CHANNELS = ["meeting", "call", "email", "webinar", "event", "community", "automated"]
TOUCH_PURPOSES = ["onboarding", "health_check", "qbr", "upsell_proposal", "toss_up"]
TICKET_CATEGORIES = ["how_to", "defect", "feature_request", "account_admin"]
ACTIVITIES = ["post", "like", "event", "meetup"]
CSM_TEAMS = ["enterprise", "mid_market", "scale"]

# --- planted effects -------------------------------------------------------------
# Kaonavi: renewal rates entry 5% / onboard 40% / active 75% / loyal 90%.
P_NONRENEW = np.array([0.95, 0.60, 0.25, 0.10])
MONTHLY_CANCEL_HAZARD = 1.0 - (1.0 - P_NONRENEW) ** (1.0 / 12.0)
LATE_RENEWAL_SHARE = 0.15          # of non-renewals: come back after a gap
LATE_RENEWAL_GAP_MONTHS = [1, 2]   # equally likely
# Toreta: good accounts buy upsells.
P_UPSELL = np.array([0.01, 0.04, 0.12])  # by condition bad / normal / good
ANNUAL_SHARE = 0.75
# latent health band: initial distribution and monthly Markov matrix (rows: from)
BAND_INITIAL = np.array([0.12, 0.28, 0.35, 0.25])
BAND_MARKOV = np.array([
    [0.80, 0.14, 0.05, 0.01],
    [0.07, 0.78, 0.13, 0.02],
    [0.02, 0.07, 0.83, 0.08],
    [0.01, 0.02, 0.09, 0.88],
])
BAND_TARGET = np.array([25.0, 50.0, 65.0, 80.0])   # health the usage realises
BAND_JITTER = np.array([3.0, 3.0, 1.0, 2.0])       # uniform +- around the target
# advocate (fan) state: monthly chance to become one, and to stay one, by band
ADV_ON = np.array([0.0, 0.004, 0.025, 0.06])
ADV_STAY = np.array([0.4, 0.7, 0.92, 0.96])
# renewal downgrade chance by band (fewer seats, sometimes a lower plan)
P_DOWNGRADE = np.array([0.45, 0.30, 0.08, 0.02])

# usage realisation: (active days per week, features used) candidates per band
CANDIDATES = {
    0: [(2, 1), (1, 2), (1, 1), (3, 1), (2, 2)],
    1: [(4, 2), (3, 3), (5, 1), (4, 3), (5, 3), (6, 3), (7, 3)],
    2: [(5, 3), (6, 2), (6, 3), (7, 2)],
    3: [(7, 3), (6, 3)],
}
WEEKDAY_WEIGHT = np.array([1, 1, 1, 1, 1, 0.25, 0.25])  # Mon..Sun: weekends much lower
LEVEL_MIN, LEVEL_MAX = 0.1, 0.9
WINDOW = 28
FEATURE_SHARES = {1: [1.0], 2: [0.65, 0.35], 3: [0.5, 0.3, 0.2]}



# --- profiles: the planted effects a dataset is generated with ----------------------
@dataclass(frozen=True)
class Profile:
    """The effects planted in a dataset. `default` is the generator's original world
    (Kaonavi's renewal rates taken literally: a churny base that exercises every
    stage); `healthy` is a believable mid-size Japanese SaaS (GRR ~85-92%, annual logo
    churn ~10-20%) with a few problems to find: the mid-touch tier is under-covered
    (its CSMs miss many touches) and one quarter's cohorts onboarded badly."""

    name: str
    nonrenewal_by_stage: tuple          # P(not renewing an annual term) by stage
    band_initial: tuple                 # latent band of a new account
    band_markov: tuple                  # monthly band transitions (rows: from)
    downgrade_by_band: tuple            # P(fewer seats at renewal) by band
    touch_miss_by_tier: tuple           # share of due human touches that are missed
    cancel_hazard_by_stage: tuple       # monthly cancellation of open-ended terms: the same annual odds
    slow_onboarding_cohorts: tuple = () # first contract months (YYYY-MM) whose onboarding ran late

    @property
    def nonrenewal(self) -> np.ndarray:
        return np.array(self.nonrenewal_by_stage)

    @property
    def cancel_hazard(self) -> np.ndarray:
        return np.array(self.cancel_hazard_by_stage)


def _monthly_hazard(annual: tuple) -> tuple:
    return tuple((1.0 - (1.0 - np.array(annual)) ** (1.0 / 12.0)).tolist())


PROFILES = {
    "default": Profile(
        name="default",
        nonrenewal_by_stage=tuple(P_NONRENEW.tolist()),
        band_initial=tuple(BAND_INITIAL.tolist()),
        band_markov=tuple(map(tuple, BAND_MARKOV.tolist())),
        downgrade_by_band=tuple(P_DOWNGRADE.tolist()),
        touch_miss_by_tier=(0.15, 0.15, 0.15, 0.15),
        cancel_hazard_by_stage=tuple(MONTHLY_CANCEL_HAZARD.tolist()),
    ),
    "healthy": Profile(
        name="healthy",
        nonrenewal_by_stage=(0.70, 0.35, 0.12, 0.04),
        band_initial=(0.06, 0.22, 0.42, 0.30),
        band_markov=(
            (0.70, 0.20, 0.08, 0.02),
            (0.04, 0.76, 0.17, 0.03),
            (0.01, 0.05, 0.86, 0.08),
            (0.005, 0.015, 0.08, 0.90),
        ),
        downgrade_by_band=(0.35, 0.20, 0.05, 0.02),
        touch_miss_by_tier=(0.10, 0.55, 0.15, 0.15),
        cancel_hazard_by_stage=_monthly_hazard((0.70, 0.35, 0.12, 0.04)),
        slow_onboarding_cohorts=("2026-01", "2026-02", "2026-03"),
    ),
}

# --churn-driver: the planted driver's level by band (bad, low, mid, high); the other
# components are drawn uniformly, independent of the band. Churn follows the band
# (through the latent stage), so it follows the driver and nothing else.
CHURN_DRIVERS = {
    "stickiness": np.array([1, 3, 5, 7]),              # active weekdays per week
    "license_utilization": np.array([0.1, 0.3, 0.55, 0.85]),  # DAU / seats on active days
}

STREAMS = ["accounts", "names", "life", "plans", "csm", "touch", "tickets", "milestones", "fx", "usage"]


# ==================================================================================
# calendar
# ==================================================================================
def _iso(days) -> np.ndarray:
    return np.datetime_as_string(np.asarray(days, dtype=np.int64).astype("datetime64[D]"), unit="D")


def _weekday(days):
    """Monday = 0 (1970-01-01 was a Thursday)."""
    return (np.asarray(days) + 3) % 7


class Calendar:
    """Months from the first contract month to the as-of month (plus a year beyond)."""

    def __init__(self, start: str, as_of: str, extra_months: int = 14):
        start_d = np.datetime64(str(start), "D")
        as_of_d = np.datetime64(str(as_of), "D")
        m0 = start_d.astype("datetime64[M]")
        if m0.astype("datetime64[D]") != start_d:   # lines start on the 1st
            m0 = m0 + 1
        self.asof_m = int((as_of_d.astype("datetime64[M]") - m0).astype(np.int64))
        if self.asof_m < 2:
            raise ValueError("as-of must be at least two months after start")
        months = m0 + np.arange(self.asof_m + 1 + extra_months)
        self.month_start = months.astype("datetime64[D]").astype(np.int64)
        self.month_end = (months + 1).astype("datetime64[D]").astype(np.int64) - 1
        self.as_of = int(as_of_d.astype(np.int64))
        self.M = self.asof_m + 1
        self.snap = np.minimum(self.month_end, self.as_of)
        self.first_day = int(self.month_start[0])
        self.days = np.arange(self.first_day, self.as_of + 1)
        self.day_month = np.repeat(np.arange(self.M), self.snap[: self.M] - self.month_start[: self.M] + 1)
        self.month_label = _iso(self.month_start)

    @staticmethod
    def weekday_counts(first: int, last: int) -> np.ndarray:
        if last < first:
            return np.zeros(7, dtype=np.int64)
        return np.bincount(_weekday(np.arange(first, last + 1)), minlength=7)

    def window_groups(self, m: int, which: str):
        """The snapshot window of month m (or the 28 days before it), split by calendar month.

        Returns [(month g, weekday counts)] for the parts inside months >= 0.
        """
        snap = int(self.snap[m])
        start = snap - (WINDOW - 1)
        lo, hi = (start, snap) if which == "window" else (start - WINDOW, start - 1)
        groups = []
        for g in range(max(0, m - 2), m + 1):
            a, b = max(lo, int(self.month_start[g])), min(hi, int(self.month_end[g]))
            if a <= b:
                groups.append((g, self.weekday_counts(a, b)))
        return groups


# ==================================================================================
# names
# ==================================================================================
JA_KATAKANA = ["ミライ", "サクラ", "アオバ", "ヒカリ", "ソラ", "ミドリ", "アサヒ", "ツバサ", "ハヤテ", "カエデ",
               "ミナト", "ヤマト", "スバル", "コスモ", "ホシゾラ", "ナギサ", "アカツキ", "イロハ", "キズナ",
               "ミツバ", "ヒノデ", "ウミカゼ", "ツムギ", "ハルカ", "シズク", "トキワ", "ワカバ", "アスナロ",
               "コハク", "ルリ", "ヒスイ", "ツクシ", "ユウヒ", "ハマナス", "オリオン", "ベガ", "アルタ", "ネクスト",
               "グローバル", "フロンティア"]
JA_KANJI = ["山田", "東京", "大阪", "日本", "大和", "富士", "北斗", "青葉", "中央", "新星", "三和", "東和",
            "丸一", "共栄", "平和", "昭和", "光陽", "太陽", "朝日", "旭", "神田", "横浜", "名古屋", "札幌",
            "博多", "仙台", "京都", "浪速", "湘南", "瀬戸内"]
JA_BUSINESS = ["製作所", "商事", "物流", "システムズ", "テクノロジーズ", "工業", "フーズ", "不動産", "建設",
               "電機", "運輸", "ソリューションズ", "印刷", "食品", "メディカル", "薬品", "教育", "人材サービス",
               "保険サービス", "企画", "デザイン", "ラボ", "ネットワークス", "エンジニアリング", "精工", "化学",
               "繊維", "リテール", "ダイニング", "ファーマシー"]
EN_FIRST = ["Northwind", "Bluefin", "Silverline", "Redwood", "Brightpath", "Cedar", "Summit", "Harbor",
            "Lakeside", "Ironclad", "Evergreen", "Sunrise", "Pinnacle", "Crescent", "Granite", "Meridian",
            "Horizon", "Atlas", "Beacon", "Copperleaf", "Driftwood", "Falcon", "Highland", "Juniper",
            "Keystone", "Lighthouse", "Maple", "Nimbus", "Orchard", "Polaris", "Quartz", "Riverbend",
            "Sapphire", "Tidewater", "Vantage", "Willow", "Zenith", "Aurora", "Bamboo", "Kestrel"]
EN_SECOND = ["Logistics", "Labs", "Systems", "Foods", "Health", "Capital", "Retail", "Robotics", "Analytics",
             "Learning", "Staffing", "Manufacturing", "Software", "Dining", "Partners", "Networks", "Motors",
             "Pharma", "Works", "Digital"]
EN_SUFFIX = ["K.K.", "Inc.", "Ltd.", "LLC", "Co., Ltd.", "G.K.", "Corp.", "Japan K.K."]
JA_FAMILY = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山口",
             "松本", "井上", "木村", "林", "斎藤", "清水", "山崎", "森", "池田", "橋本", "阿部", "石川",
             "前田", "藤田", "小川", "岡田", "後藤", "長谷川"]
JA_GIVEN = ["花子", "太郎", "美咲", "健太", "翔太", "陽菜", "結衣", "大輔", "直樹", "真由美", "裕子", "拓也",
            "彩", "悠斗", "葵", "蓮", "美穂", "和也", "恵", "修", "千尋", "亮", "さくら", "大翔", "優子",
            "誠", "奈々", "剛", "瞳", "学"]
EN_GIVEN = ["Emily", "James", "Olivia", "Daniel", "Sophia", "Michael", "Grace", "David", "Hannah", "Ryan",
            "Chloe", "Lucas", "Mia", "Ethan", "Ava", "Noah", "Lily", "Jack", "Ella", "Owen", "Zoe", "Liam",
            "Nora", "Henry", "Ruby", "Leo", "Isla", "Adam", "Maya", "Sam"]
EN_FAMILY = ["Carter", "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Clark", "Lewis", "Walker", "Hall",
             "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell",
             "Mitchell", "Roberts", "Turner", "Phillips", "Parker", "Evans", "Edwards", "Collins", "Stewart",
             "Morris"]


def _pick(rng, words, size):
    return np.asarray(words, dtype=object)[rng.integers(0, len(words), size)]


def _japanese_names(rng, size, long_form=False):
    stems = np.concatenate([np.asarray(JA_KATAKANA, dtype=object), np.asarray(JA_KANJI, dtype=object)])
    p = _pick(rng, stems, size)
    p2 = _pick(rng, stems, size)
    b = _pick(rng, JA_BUSINESS, size)
    form = rng.choice(6, size=size, p=[0.38, 0.25, 0.1, 0.08, 0.07, 0.12])
    if long_form:
        form = np.where(rng.random(size) < 0.5, 5, 0)
        p = p + p2
    out = np.empty(size, dtype=object)
    for i in range(size):
        f = form[i]
        if f == 0:
            out[i] = f"株式会社{p[i]}{b[i]}"
        elif f == 1:
            out[i] = f"{p[i]}{b[i]}株式会社"
        elif f == 2:
            out[i] = f"合同会社{p[i]}{b[i]}"
        elif f == 3:
            out[i] = f"{p[i]}ホールディングス株式会社"
        elif f == 4:
            out[i] = f"有限会社{p[i]}{b[i]}"
        else:
            out[i] = f"株式会社{p[i]}{p2[i]}{b[i]}"
    return out


def _english_names(rng, size, long_form=False):
    a = _pick(rng, EN_FIRST, size)
    a2 = _pick(rng, EN_FIRST, size)
    s = _pick(rng, EN_SECOND, size)
    x = _pick(rng, EN_SUFFIX, size)
    two = rng.random(size) < (1.0 if long_form else 0.15)
    return np.array([f"{a[i]} {a2[i]} {s[i]} {x[i]}" if two[i] else f"{a[i]} {s[i]} {x[i]}"
                     for i in range(size)], dtype=object)


def _account_names(rng, n):
    japanese = rng.random(n) < 0.5
    names = np.empty(n, dtype=object)
    names[japanese] = _japanese_names(rng, int(japanese.sum()))
    names[~japanese] = _english_names(rng, int((~japanese).sum()))
    # a few names that need CSV quoting: commas and double quotes
    n_special = max(3, int(round(n * 0.01)))
    special = rng.choice(n, size=min(n, n_special), replace=False)
    for j, i in enumerate(special):
        a, b = EN_FIRST[rng.integers(len(EN_FIRST))], EN_FAMILY[rng.integers(len(EN_FAMILY))]
        kind = j % 3
        if kind == 0:
            names[i] = f"{b}, {EN_FAMILY[rng.integers(len(EN_FAMILY))]} & Partners K.K."
        elif kind == 1:
            names[i] = f'The "{a}" Company Ltd.'
        else:
            names[i] = f'株式会社"{JA_KATAKANA[rng.integers(len(JA_KATAKANA))]}", {a} Branch'
        japanese[i] = kind == 2
    # make names unique: redraw duplicates with the long forms, then number what is left
    for _ in range(8):
        dup = pd.Series(names).duplicated().to_numpy()
        if not dup.any():
            break
        idx = np.nonzero(dup)[0]
        ja = japanese[idx]
        if ja.any():
            names[idx[ja]] = _japanese_names(rng, int(ja.sum()), long_form=True)
        if (~ja).any():
            names[idx[~ja]] = _english_names(rng, int((~ja).sum()), long_form=True)
    dup = pd.Series(names).duplicated().to_numpy()
    for k, i in enumerate(np.nonzero(dup)[0]):
        names[i] = f"{names[i]} ({k + 2})"
    return names, japanese


def _person_names(rng, n):
    japanese = rng.random(n) < 0.55
    out = np.empty(n, dtype=object)
    for i in range(n):
        if japanese[i]:
            out[i] = f"{JA_FAMILY[rng.integers(len(JA_FAMILY))]} {JA_GIVEN[rng.integers(len(JA_GIVEN))]}"
        else:
            out[i] = f"{EN_GIVEN[rng.integers(len(EN_GIVEN))]} {EN_FAMILY[rng.integers(len(EN_FAMILY))]}"
    return out


# ==================================================================================
# contract lines
# ==================================================================================
class LineTable:
    """Growing column arrays of contract lines (months are indices into the calendar)."""

    FIELDS = {"account": np.int32, "product": np.int8, "plan": np.int8, "line_type": np.int8,
              "department": np.int8, "seats": np.int32, "mrr": np.float64, "start_m": np.int16,
              "end_m": np.int16}

    def __init__(self, capacity=1024):
        self.size = 0
        self.cols = {k: np.zeros(capacity, dtype=t) for k, t in self.FIELDS.items()}

    def append(self, **values):
        k = len(values["account"])
        if k == 0:
            return
        if self.size + k > len(self.cols["account"]):
            cap = max(2 * len(self.cols["account"]), self.size + k)
            for name, arr in self.cols.items():
                grown = np.zeros(cap, dtype=arr.dtype)
                grown[: self.size] = arr[: self.size]
                self.cols[name] = grown
        for name in self.FIELDS:
            self.cols[name][self.size: self.size + k] = np.broadcast_to(values[name], (k,))
        self.size += k

    def __getitem__(self, name):
        return self.cols[name][: self.size]

    def close_open(self, accounts_mask: np.ndarray, end_m: int):
        """End the open-ended lines of the masked accounts on the last day of month end_m."""
        sel = (self["end_m"] == -1) & accounts_mask[self["account"]]
        self.cols["end_m"][: self.size][sel] = end_m


# ==================================================================================
# simulation
# ==================================================================================
@dataclass
class Config:
    accounts: int = 300
    seed: int = 42
    start: str = "2023-11-01"
    as_of: str = "2026-11-15"
    progress: bool = False
    # share of accounts that are already customers in the first month (the rest
    # sign up over the period); a mature customer base has more usage rows
    initial_share: float = 0.2
    # the planted effects (PROFILES): default, or healthy for the bundled demo
    profile: str = "default"
    # None: usage realises the latent band's health target through every component
    # (the default). A component name: usage realises the band through that component
    # alone and draws the others at random, so that this component, and not the
    # composite health, is what predicts churn (see CHURN_DRIVERS)
    churn_driver: str | None = None


def _markov_step(rng, bands, matrix=BAND_MARKOV):
    cum = np.cumsum(np.asarray(matrix), axis=1)[bands]
    u = rng.random(len(bands))[:, None]
    return np.minimum((u > cum).sum(axis=1), 3).astype(np.int8)


def _choice_rows(rng, weights):
    """One index per row of a (k, c) non-negative weight matrix."""
    w = np.asarray(weights, dtype=np.float64)
    cum = np.cumsum(w, axis=1)
    u = rng.random(len(w)) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), w.shape[1] - 1)


class Simulation:
    """The latent world: accounts, monthly lifecycle, contract lines and usage plans."""

    def __init__(self, cfg: Config):
        self.cfg = cfg
        if cfg.profile not in PROFILES:
            raise ValueError(f"--profile must be one of {', '.join(PROFILES)}, not {cfg.profile!r}")
        self.profile = PROFILES[cfg.profile]
        self.cal = Calendar(cfg.start, cfg.as_of)
        self.n = int(cfg.accounts)
        if self.n < 1:
            raise ValueError("--accounts must be >= 1")
        seeds = np.random.SeedSequence(int(cfg.seed)).spawn(len(STREAMS))
        self.rng = {name: np.random.Generator(np.random.PCG64(s)) for name, s in zip(STREAMS, seeds)}
        self._log(f"simulating {self.n} accounts, {self.cal.M} months")
        self._accounts()
        self._fx()
        self._lifecycle()
        self._line_months()
        self._plans()
        self._csms()
        self._touchpoints()
        self._tickets()
        self._milestones()

    def _log(self, msg):
        if self.cfg.progress:
            print(f"[generate] {msg}", file=sys.stderr, flush=True)

    # --- accounts -------------------------------------------------------------------
    def _accounts(self):
        r, n, cal = self.rng["accounts"], self.n, self.cal
        M = cal.M
        # signup month of the first contract: a batch at the start, then growing
        initial = r.random(n) < self.cfg.initial_share
        w = 1.0 + 1.5 * np.arange(1, M) / (M - 1)
        first_m = np.where(initial, 0, 1 + r.choice(M - 1, size=n, p=w / w.sum()))
        created_offset = r.integers(0, 31, n)
        order = np.lexsort((r.random(n), -created_offset, first_m))  # ids follow signup order
        self.first_m = first_m[order].astype(np.int32)
        self.first_start = cal.month_start[self.first_m]
        self.created_at = self.first_start - created_offset[order]

        self.account_id = np.array([f"A{i:06d}" for i in range(1, n + 1)], dtype=object)
        self.names, self.japanese = _account_names(self.rng["names"], n)
        self.industry = r.choice(len(INDUSTRIES), size=n, p=INDUSTRY_P)
        self.region = r.choice(len(REGIONS), size=n, p=REGION_P)
        overseas = self.region == REGIONS.index("Overseas")
        # overseas accounts get English names
        fix = overseas & self.japanese
        if fix.any():
            self.names[fix] = _english_names(self.rng["names"], int(fix.sum()), long_form=True)
            self.japanese[fix] = False
            dup = pd.Series(self.names).duplicated().to_numpy()
            for k, i in enumerate(np.nonzero(dup)[0]):
                self.names[i] = f"{self.names[i]} ({k + 2})"
        self.is_usd = overseas & (r.random(n) < 0.4)
        self.currency = np.where(self.is_usd, "USD", "JPY")
        # company size: lognormal around 55 employees, plus a few large enterprises
        emp = np.exp(r.normal(np.log(55), 1.0, n))
        big = r.random(n) < 0.015
        emp[big] = np.exp(r.normal(np.log(1500), 0.7, int(big.sum())))
        self.employee_count = np.clip(np.round(emp), 5, 20000).astype(np.int64)
        u = r.random(n)
        plan = np.where(self.employee_count < 30, np.where(u < 0.88, 0, 1),
                        np.where(self.employee_count < 350, np.where(u < 0.12, 0, np.where(u < 0.92, 1, 2)),
                                 np.where(u < 0.2, 1, 2)))
        self.plan0 = plan.astype(np.int8)
        self.seats0 = np.maximum(5, np.round(self.employee_count * r.uniform(0.45, 0.95, n))).astype(np.int32)
        self.is_advocate = r.random(n) < 0.03
        override = r.random(n) < 0.02
        self.tier_override = np.where(override, r.choice(4, size=n, p=[0.35, 0.35, 0.2, 0.1]), -1)
        self.annual = r.random(n) < ANNUAL_SHARE
        # events per 28 days: constant per account, so the trend stays near 0.5
        self.events_per_window = np.maximum(60.0, self.seats0 * 120.0 * np.exp(r.normal(0, 0.35, n)))
        # weekday ranks: weekdays first (random order), then Saturday/Sunday
        ranks = np.empty((n, 7), dtype=np.int8)
        ranks[:, :5] = np.argsort(r.random((n, 5)), axis=1).argsort(axis=1)
        sat_first = r.random(n) < 0.7
        ranks[:, 5] = np.where(sat_first, 5, 6)
        ranks[:, 6] = np.where(sat_first, 6, 5)
        self.weekday_rank = ranks
        # feature order: profile_db is usually the main feature, the other two in random order
        main = np.where(r.random(n) < 0.7, 0, r.integers(1, 3, n))
        key = r.random((n, 3))
        key[np.arange(n), main] = -1.0
        order = np.argsort(key, axis=1)
        pos = np.empty((n, 3), dtype=np.int8)
        pos[np.arange(n)[:, None], order] = np.arange(3, dtype=np.int8)[None, :]
        self.feature_pos = pos  # position 0 = main feature; a band using nf features uses positions < nf
        self.style = r.integers(0, 7, n)  # preferred realisation candidate
        self.nps_offset = r.integers(1, 7, n)
        # setup: 0-60 days after the first start; ~8% never
        never = r.random(n) < 0.08
        self.setup_day = np.where(never, np.iinfo(np.int64).max // 4,
                                  self.first_start + r.integers(0, 61, n)).astype(np.int64)

    # --- fx ---------------------------------------------------------------------------
    def _fx(self):
        r, M = self.rng["fx"], self.cal.M
        rate = np.empty(M)
        x = 148.0
        for m in range(M):
            x += r.normal(0.15, 1.6)
            if x < 140:
                x = 140 + (140 - x)
            if x > 160:
                x = 160 - (x - 160)
            rate[m] = round(x, 2)
        self.fx_usd = rate

    # --- lifecycle ----------------------------------------------------------------------
    def _lifecycle(self):
        r, n, cal = self.rng["life"], self.n, self.cal
        M, A = cal.M, cal.asof_m
        self.lines = lines = LineTable(capacity=max(1024, 8 * n))
        live = np.zeros((n, M), dtype=bool)
        band = np.full((n, M), -1, dtype=np.int8)
        stage = np.full((n, M), -1, dtype=np.int8)
        adv_m = np.zeros((n, M), dtype=bool)
        cur_live = np.zeros(n, dtype=bool)
        term_end = np.full(n, -1, dtype=np.int32)
        return_m = np.full(n, -1, dtype=np.int32)
        last_band = np.full(n, -1, dtype=np.int8)
        adv = np.zeros(n, dtype=bool)
        never = -(10 ** 7)
        last_promoter = np.full(n, never, dtype=np.int64)
        last_community = np.full(n, never, dtype=np.int64)
        # current entitlement (the lines of the current term, consolidated)
        self.plan = self.plan0.copy()
        self.dept_seats = np.zeros((n, 4), dtype=np.int32)
        self.dept_seats[:, 0] = self.seats0
        self.analytics_seats = np.zeros(n, dtype=np.int32)
        self.addons = np.zeros((n, 3), dtype=bool)
        start_addon = r.random(n) < 0.15
        self.addons[np.nonzero(start_addon)[0], r.integers(0, 3, n)[start_addon]] = True

        obs, expansions, community, nps, renewals = [], [], [], [], []
        for m in range(M):
            snap = int(cal.snap[m])
            # --- lines that start this month: new accounts and late renewals coming back
            new = self.first_m == m
            back = return_m == m
            if back.any():
                idx = np.nonzero(back)[0]
                shrink = r.random(len(idx)) < 0.5
                seats = self.dept_seats[idx, 0]
                self.dept_seats[idx, 0] = np.where(
                    shrink, np.maximum(5, np.round(seats * r.uniform(0.6, 0.95, len(idx)))), seats)
            for mask in (new, back):
                idx = np.nonzero(mask)[0]
                if len(idx):
                    end = np.where(self.annual[idx] | back[idx], m + 11, -1)
                    term_end[idx] = end
                    self._emit_entitlement(idx, m, end)
            return_m[back] = -1
            cur_live |= new | back
            live[:, m] = cur_live

            # --- latent health band
            b = np.full(n, -1, dtype=np.int8)
            prev = band[:, m - 1] if m > 0 else np.full(n, -1, dtype=np.int8)
            cont = cur_live & (prev >= 0)
            b[cont] = prev[cont] if m == A else _markov_step(r, prev[cont], self.profile.band_markov)
            nidx = np.nonzero(new)[0]
            b[nidx] = r.choice(4, size=len(nidx), p=np.array(self.profile.band_initial))
            bidx = np.nonzero(back)[0]
            b[bidx] = _markov_step(r, np.maximum(last_band[bidx], 0), self.profile.band_markov)
            if m == A:  # the window of a partial month reaches back: a new start cannot look healthy
                fresh = cur_live & ~cont
                b[fresh] = np.minimum(b[fresh], 1)
            band[:, m] = b
            last_band[cur_live] = b[cur_live]

            # --- advocacy: latent fans write community activity and promoter NPS
            u = r.random(n)
            bb = np.maximum(b, 0)
            adv = cur_live & (np.where(adv, u < ADV_STAY[bb], u < ADV_ON[bb]) | self.is_advocate)
            adv_m[:, m] = adv
            first_day, ndays = int(cal.month_start[m]), snap - int(cal.month_start[m]) + 1
            aidx = np.nonzero(adv)[0]
            if len(aidx):
                k = 1 + r.poisson(1.0, len(aidx))
                acc = np.repeat(aidx, k)
                day = first_day + r.integers(0, ndays, len(acc))
                act = r.choice(4, size=len(acc), p=[0.4, 0.35, 0.15, 0.1])
                qty = np.where(act == 1, 1 + r.poisson(3.0, len(acc)),
                               np.where(act == 0, 1 + r.poisson(0.5, len(acc)), 1))
                community.append((acc, day, act, qty))
                np.maximum.at(last_community, acc, day)
            due_nps = cur_live & (m - self.first_m >= 1) & ((m - self.first_m - self.nps_offset) % 6 == 0) \
                & (r.random(n) < 0.75)
            nidx = np.nonzero(due_nps)[0]
            if len(nidx):
                score = self._nps_scores(r, b[nidx], adv[nidx])
                day = first_day + r.integers(0, ndays, len(nidx))
                nps.append((nidx, day, score, np.full(len(nidx), m)))
                prom = score >= 9
                np.maximum.at(last_promoter, nidx[prom], day[prom])

            # --- stage, exactly the rule of metrics.md
            setup_done = self.setup_day <= snap
            evidence = self.is_advocate | (snap - last_promoter <= 364) | (snap - last_community <= 89)
            st = np.where(~setup_done, 0, np.where(b <= 1, 1, np.where(evidence, 3, 2))).astype(np.int8)
            st[~cur_live] = -1
            stage[:, m] = st
            cond = np.where(cur_live, BAND_CONDITION[bb], -1)

            # --- decisions for next month
            st0 = np.maximum(st, 0)
            due = cur_live & (term_end == m)  # annual terms ending on the last day of m
            renew = due & (r.random(n) >= self.profile.nonrenewal[st0])
            nonrenew = due & ~renew
            late = nonrenew & (r.random(n) < LATE_RENEWAL_SHARE)
            gap = np.where(r.random(n) < 0.5, LATE_RENEWAL_GAP_MONTHS[0], LATE_RENEWAL_GAP_MONTHS[1])
            cancel = cur_live & (term_end < 0) & (r.random(n) < self.profile.cancel_hazard[st0]) & (m < A)
            if m < A:
                for kind, mask in ((0, due), (1, cancel)):
                    idx = np.nonzero(mask)[0]
                    if len(idx):
                        churned = nonrenew[idx] if kind == 0 else np.ones(len(idx), dtype=bool)
                        obs.append((idx, np.full(len(idx), m + 1), st[idx], np.full(len(idx), kind),
                                    churned, late[idx]))
            idx = np.nonzero(due)[0]
            if len(idx):
                renewals.append((idx, np.full(len(idx), m), st[idx], renew[idx], late[idx],
                                 np.where(late[idx], gap[idx], 0)))
            # renewals: new rows for the next term, sometimes with fewer seats or a lower plan
            ridx = np.nonzero(renew)[0]
            if len(ridx):
                down = r.random(len(ridx)) < np.array(self.profile.downgrade_by_band)[np.maximum(b[ridx], 0)]
                didx = ridx[down]
                self.dept_seats[didx, 0] = np.maximum(
                    5, np.round(self.dept_seats[didx, 0] * r.uniform(0.7, 0.92, len(didx))))
                lower = (r.random(len(didx)) < 0.15) & (self.plan[didx] > 0)
                self.plan[didx[lower]] -= 1
                term_end[ridx] = m + 12
                self._emit_entitlement(ridx, m + 1, np.full(len(ridx), m + 12))
            back_at = m + 1 + gap
            return_m[late & (back_at <= A)] = back_at[late & (back_at <= A)]
            term_end[nonrenew] = -1
            if cancel.any():
                lines.close_open(cancel, m)
            continuing = cur_live & ~nonrenew & ~cancel
            if m < A:
                exp = continuing & (r.random(n) < P_UPSELL[np.maximum(cond, 0)])
                eidx = np.nonzero(exp)[0]
                if len(eidx):
                    etype = self._expand(r, eidx, m + 1, term_end[eidx])
                    expansions.append((eidx, np.full(len(eidx), m + 1), etype, cond[eidx], st[eidx]))
            cur_live = continuing

        self.live, self.band, self.stage, self.adv_m = live, band, stage, adv_m
        self.condition = np.where(live, BAND_CONDITION[np.maximum(band, 0)], -1).astype(np.int8)

        def cat(parts, i, dt):
            return np.concatenate([p[i] for p in parts]).astype(dt) if parts else np.zeros(0, dtype=dt)

        self.obs = {k: cat(obs, i, t) for i, (k, t) in enumerate(
            [("account", np.int64), ("month", np.int64), ("stage", np.int8), ("kind", np.int8),
             ("churned", bool), ("late", bool)])}
        self.renewal_log = {k: cat(renewals, i, t) for i, (k, t) in enumerate(
            [("account", np.int64), ("month", np.int64), ("stage", np.int8), ("renewed", bool),
             ("late", bool), ("gap", np.int64)])}
        self.expansion_log = {k: cat(expansions, i, t) for i, (k, t) in enumerate(
            [("account", np.int64), ("start_m", np.int64), ("type", np.int8), ("condition", np.int8),
             ("stage", np.int8)])}
        self.community = {k: cat(community, i, t) for i, (k, t) in enumerate(
            [("account", np.int64), ("day", np.int64), ("activity", np.int8), ("quantity", np.int64)])}
        self.nps = {k: cat(nps, i, t) for i, (k, t) in enumerate(
            [("account", np.int64), ("day", np.int64), ("score", np.int64), ("month", np.int64)])}

    @staticmethod
    def _nps_scores(r, bands, adv):
        k = len(bands)
        score = np.empty(k, dtype=np.int64)
        dists = {
            0: ([0, 1, 2, 3, 4, 5, 6], [0.08, 0.08, 0.12, 0.15, 0.2, 0.2, 0.17]),
            1: ([2, 3, 4, 5, 6, 7, 8], [0.05, 0.1, 0.15, 0.2, 0.2, 0.18, 0.12]),
            2: ([4, 5, 6, 7, 8], [0.05, 0.15, 0.25, 0.3, 0.25]),
            3: ([5, 6, 7, 8], [0.05, 0.2, 0.4, 0.35]),
        }
        for bv, (vals, p) in dists.items():
            sel = (bands == bv) & ~adv
            score[sel] = r.choice(vals, size=int(sel.sum()), p=p)
        score[adv] = r.choice([8, 9, 10], size=int(adv.sum()), p=[0.08, 0.42, 0.5])
        return score

    def _price(self, table, accts, idx):
        jpy = table["JPY"][idx]
        usd = table["USD"][idx]
        return np.where(self.is_usd[accts], usd, jpy)

    def _line_mrr(self, accts, unit_price, seats=None):
        mrr = unit_price if seats is None else unit_price * seats
        return np.where(self.is_usd[accts], np.round(mrr, 2), np.round(mrr))

    def _emit_entitlement(self, accts, start_m, end_m):
        """New rows for the whole current entitlement of accts (a start, a renewal, a return)."""
        accts = np.asarray(accts)
        end_m = np.broadcast_to(np.asarray(end_m), accts.shape)
        plan = self.plan[accts]
        for d in range(4):
            s = self.dept_seats[accts, d]
            sel = s > 0
            a = accts[sel]
            self.lines.append(account=a, product=0, plan=plan[sel], line_type=0, department=d, seats=s[sel],
                              mrr=self._line_mrr(a, self._price(CORE_PRICE, a, plan[sel]), s[sel]),
                              start_m=start_m, end_m=end_m[sel])
        s = self.analytics_seats[accts]
        sel = s > 0
        a = accts[sel]
        self.lines.append(account=a, product=1, plan=plan[sel], line_type=0, department=0, seats=s[sel],
                          mrr=self._line_mrr(a, self._price(ANALYTICS_PRICE, a, plan[sel]), s[sel]),
                          start_m=start_m, end_m=end_m[sel])
        for j in range(3):
            sel = self.addons[accts, j]
            a = accts[sel]
            self.lines.append(account=a, product=0, plan=3 + j, line_type=1, department=0, seats=0,
                              mrr=self._line_mrr(a, self._price(ADDON_PRICE, a, np.full(len(a), j))),
                              start_m=start_m, end_m=end_m[sel])

    def _expand(self, r, accts, start_m, term_end):
        """One expansion line per account, starting on the 1st of start_m, co-termed."""
        k = len(accts)
        end = np.where(term_end >= 0, term_end, -1)
        can = np.stack([~self.addons[accts].all(axis=1), self.analytics_seats[accts] == 0,
                        (self.dept_seats[accts, 1:] == 0).any(axis=1), np.ones(k, dtype=bool)], axis=1)
        etype = _choice_rows(r, can * EXPANSION_TYPE_WEIGHTS[None, :]).astype(np.int8)
        hr = self.dept_seats[accts, 0]
        plan = self.plan[accts]
        u = r.random(k)
        # addon: one not owned yet
        sel = etype == 0
        if sel.any():
            a = accts[sel]
            j = _choice_rows(r, ~self.addons[a])
            self.addons[a, j] = True
            self.lines.append(account=a, product=0, plan=3 + j, line_type=1, department=0, seats=0,
                              mrr=self._line_mrr(a, self._price(ADDON_PRICE, a, j)),
                              start_m=start_m, end_m=end[sel])
        sel = etype == 1  # cross-sell: the analytics product
        if sel.any():
            a = accts[sel]
            s = np.maximum(3, np.round(hr[sel] * (0.2 + 0.4 * u[sel]))).astype(np.int32)
            self.analytics_seats[a] = s
            self.lines.append(account=a, product=1, plan=plan[sel], line_type=0, department=0, seats=s,
                              mrr=self._line_mrr(a, self._price(ANALYTICS_PRICE, a, plan[sel]), s),
                              start_m=start_m, end_m=end[sel])
        sel = etype == 2  # extension: core in another department
        if sel.any():
            a = accts[sel]
            d = 1 + _choice_rows(r, self.dept_seats[a, 1:] == 0)
            s = np.maximum(3, np.round(hr[sel] * (0.1 + 0.4 * u[sel]))).astype(np.int32)
            self.dept_seats[a, d] = s
            self.lines.append(account=a, product=0, plan=plan[sel], line_type=0, department=d, seats=s,
                              mrr=self._line_mrr(a, self._price(CORE_PRICE, a, plan[sel]), s),
                              start_m=start_m, end_m=end[sel])
        sel = etype == 3  # upsell: more seats in the base department, as an extra co-termed line
        if sel.any():
            a = accts[sel]
            s = np.maximum(1, np.round(hr[sel] * (0.1 + 0.2 * u[sel]))).astype(np.int32)
            self.dept_seats[a, 0] += s
            self.lines.append(account=a, product=0, plan=plan[sel], line_type=0, department=0, seats=s,
                              mrr=self._line_mrr(a, self._price(CORE_PRICE, a, plan[sel]), s),
                              start_m=start_m, end_m=end[sel])
        return etype

    # --- MRR and seats on each snapshot day, from the lines --------------------------
    def _line_months(self):
        cal, n, L = self.cal, self.n, self.lines
        M = cal.M
        start = L["start_m"].astype(np.int64)
        end = np.where(L["end_m"] < 0, M + 20, L["end_m"]).astype(np.int64)
        ok = start < M
        width = M + 1
        acc = L["account"].astype(np.int64)[ok]
        s, e = start[ok], np.minimum(end[ok] + 1, M)
        mrr = np.zeros(n * width)
        seats = np.zeros(n * width)
        np.add.at(mrr, acc * width + s, L["mrr"][ok])
        np.add.at(mrr, acc * width + e, -L["mrr"][ok])
        np.add.at(seats, acc * width + s, L["seats"][ok])
        np.add.at(seats, acc * width + e, -L["seats"][ok].astype(np.float64))
        self.mrr_native = np.round(np.cumsum(mrr.reshape(n, width), axis=1)[:, :M], 2)
        self.seats = np.round(np.cumsum(seats.reshape(n, width), axis=1)[:, :M]).astype(np.int32)
        rate = np.where(self.is_usd[:, None], self.fx_usd[None, :], 1.0)
        self.mrr_jpy = self.mrr_native * rate
        arr = 12 * self.mrr_jpy
        tier = np.full(arr.shape, 3, dtype=np.int8)
        for t in (2, 1, 0):
            tier[arr >= TIER_MIN_ARR[t]] = t
        tier = np.where(self.tier_override[:, None] >= 0, self.tier_override[:, None], tier)
        self.tier = np.where(self.mrr_jpy > 0, tier, -1).astype(np.int8)
        customer = self.mrr_jpy > 0
        if not np.array_equal(customer, self.live):
            raise AssertionError("internal: live months and contract lines disagree")

    # --- usage plans ----------------------------------------------------------------------
    def _plans(self):
        """Per customer-month: active weekdays k, features nf and DAU level that realise the band."""
        r, n, cal = self.rng["plans"], self.n, self.cal
        M = cal.M
        self.k = np.zeros((n, M), dtype=np.int8)
        self.nf = np.zeros((n, M), dtype=np.int8)
        self.level = np.zeros((n, M), dtype=np.float32)
        self.h_target = np.full((n, M), np.nan, dtype=np.float32)
        self.h_planned = np.full((n, M), np.nan, dtype=np.float32)
        jitter = r.uniform(-1, 1, (n, M))
        for m in range(M):
            idx = np.nonzero(self.live[:, m])[0]
            if not len(idx):
                continue
            if self.cfg.churn_driver is not None:
                self._plan_driver(r, idx, m)
                continue
            b = self.band[idx, m]
            h = (BAND_TARGET[b] + BAND_JITTER[b] * jitter[idx, m]).astype(np.float64)
            self.h_target[idx, m] = h
            win, prev = cal.window_groups(m, "window"), cal.window_groups(m, "prev")
            forced = np.zeros(len(idx), dtype=bool)
            if m == cal.asof_m and m > 0:
                forced = self.live[idx, m - 1]
            best_k = np.zeros(len(idx), dtype=np.int8)
            best_nf = np.zeros(len(idx), dtype=np.int8)
            best_level = np.full(len(idx), np.nan)
            best_h = np.full(len(idx), np.nan)
            done = np.zeros(len(idx), dtype=bool)
            if forced.any():
                f = np.nonzero(forced)[0]
                kk, nn = self.k[idx[f], m - 1], self.nf[idx[f], m - 1]
                lv, ok, hp = self._evaluate(idx[f], m, kk, nn, h[f], win, prev)
                best_k[f], best_nf[f] = kk, nn
                best_level[f] = np.clip(lv, 0.05, 0.95)
                best_h[f] = hp
                done[f] = True
            # the account's own preference order over its band's candidates, first feasible wins
            for bv, cands in CANDIDATES.items():
                sel = np.nonzero((b == bv) & ~done)[0]
                if not len(sel):
                    continue
                C = len(cands)
                levels = np.zeros((len(sel), C))
                feas = np.zeros((len(sel), C), dtype=bool)
                hps = np.zeros((len(sel), C))
                for j, (kk, nn) in enumerate(cands):
                    lv, ok, hp = self._evaluate(idx[sel], m, np.full(len(sel), kk, np.int8),
                                                np.full(len(sel), nn, np.int8), h[sel], win, prev)
                    levels[:, j], feas[:, j], hps[:, j] = lv, ok, hp
                pref = self.style[idx[sel]] % min(C, 3)  # rotate among the first few candidates
                order = (pref[:, None] + np.arange(C)[None, :]) % C
                rows = np.arange(len(sel))[:, None]
                f_ord = feas[rows, order]
                first = np.where(f_ord.any(axis=1), f_ord.argmax(axis=1), -1)
                # none feasible: take the candidate whose level is closest to the allowed range
                viol = np.maximum(LEVEL_MIN - levels, 0) + np.maximum(levels - LEVEL_MAX, 0)
                viol[np.isnan(viol)] = 9
                fallback = viol.argmin(axis=1)
                j = np.where(first >= 0, order[np.arange(len(sel)), np.maximum(first, 0)], fallback)
                best_k[sel] = np.array([c[0] for c in cands], dtype=np.int8)[j]
                best_nf[sel] = np.array([c[1] for c in cands], dtype=np.int8)[j]
                best_level[sel] = np.clip(levels[np.arange(len(sel)), j], 0.05, 0.95)
                best_h[sel] = hps[np.arange(len(sel)), j]
            self.k[idx, m], self.nf[idx, m] = best_k, best_nf
            self.level[idx, m] = best_level
            self.h_planned[idx, m] = best_h
        # events per active (weight 1) day: events per window / (4 x weekly active weight)
        weekly = np.zeros((n, M))
        for w in range(7):
            weekly += (self.weekday_rank[:, w][:, None] < self.k) * WEEKDAY_WEIGHT[w]
        self.events_unit = np.where(weekly > 0, self.events_per_window[:, None] / (4 * np.maximum(weekly, 1e-9)),
                                    0).astype(np.float32)

    def _plan_driver(self, r, idx, m):
        """--churn-driver: the band shows only in the driver component (CHURN_DRIVERS)."""
        b = self.band[idx, m]
        k = r.integers(1, 8, len(idx))
        nf = r.integers(1, 4, len(idx))
        level = r.uniform(LEVEL_MIN, LEVEL_MAX, len(idx))
        driver = CHURN_DRIVERS[self.cfg.churn_driver]
        if self.cfg.churn_driver == "stickiness":
            k = np.clip(driver[b] + r.integers(-1, 2, len(idx)), 1, 7)
        else:
            level = np.clip(driver[b] + r.uniform(-0.05, 0.05, len(idx)), 0.05, 0.95)
        self.k[idx, m], self.nf[idx, m], self.level[idx, m] = k, nf, level

    def _active(self, accts, k):
        """(len, 7) bool: which weekdays each account uses under k active days per week."""
        return self.weekday_rank[accts] < np.asarray(k)[..., None]

    def _evaluate(self, accts, m, k, nf, h, win, prev):
        """Level of DAU/seats on active weekdays that makes the window's health equal h.

        Returns (level, feasible, planned health if the level is clipped to its bounds).
        """
        seats_m = self.seats[accts, m].astype(np.float64)
        act_m = self._active(accts, k)
        week_m = (act_m * WEEKDAY_WEIGHT).sum(axis=1)

        def part(g, cnt):
            if g == m:
                act, week, lv, seats, alive = act_m, week_m, None, seats_m, np.ones(len(accts), bool)
            else:
                act = self._active(accts, self.k[accts, g])
                week = (act * WEEKDAY_WEIGHT).sum(axis=1)
                lv, seats, alive = self.level[accts, g].astype(np.float64), self.seats[accts, g], \
                    self.live[accts, g]
            days = (act * cnt).sum(axis=1) * alive
            wdays = (act * cnt * WEEKDAY_WEIGHT).sum(axis=1) * alive
            events = np.where(week > 0, wdays / (4 * np.maximum(week, 1e-9)), 0)
            dau = None if lv is None else wdays * lv * seats
            return days, wdays, events, dau

        active_days = np.zeros(len(accts))
        cur = np.zeros(len(accts))
        dau_fixed = np.zeros(len(accts))
        wdays_m = np.zeros(len(accts))
        for g, cnt in win:
            days, wdays, events, dau = part(g, cnt)
            active_days += days
            cur += events
            if dau is None:
                wdays_m += wdays
            else:
                dau_fixed += dau
        p = np.zeros(len(accts))
        for g, cnt in prev:
            p += part(g, cnt)[2]
        trend = np.where(p <= 0, 1.0, 0.5 + 0.5 * np.clip((cur - p) / np.maximum(p, 1e-9), -1, 1))
        stick = active_days / WINDOW
        breadth = nf / 3.0
        u_need = (h - 100 * (0.3 * stick + 0.2 * breadth + 0.1 * trend)) / 40.0
        with np.errstate(divide="ignore", invalid="ignore"):
            level = (u_need * WINDOW * seats_m - dau_fixed) / (wdays_m * seats_m)
        ok = (wdays_m > 0) & (level >= LEVEL_MIN) & (level <= LEVEL_MAX)
        lv = np.clip(np.nan_to_num(level, nan=LEVEL_MIN), LEVEL_MIN, LEVEL_MAX)
        util = np.minimum(1.0, (lv * wdays_m * seats_m + dau_fixed) / (WINDOW * seats_m))
        planned = 100 * (0.4 * util + 0.3 * stick + 0.2 * breadth + 0.1 * trend)
        return level, ok, planned

    # --- CSMs and assignments ---------------------------------------------------------------
    def _csms(self):
        r, n, cal = self.rng["csm"], self.n, self.cal
        n_csm = max(4, int(round(n / 40)))
        team = np.concatenate([np.zeros(max(1, round(n_csm * 0.25)), int),
                               np.ones(max(1, round(n_csm * 0.35)), int)])
        team = np.concatenate([team, np.full(max(1, n_csm - len(team)), 2, int)])[:n_csm]
        team = np.sort(team)
        self.csm_team = team
        self.csm_id = np.array([f"CSM{i:04d}" for i in range(1, n_csm + 1)], dtype=object)
        self.csm_name = _person_names(r, n_csm)
        self.csm_fte = r.choice([1.0, 0.8, 0.5, 0.4], size=n_csm, p=[0.55, 0.15, 0.2, 0.1])
        # starting tier (override if set, else by the ARR of the first month)
        fm = self.first_m
        start_tier = self.tier[np.arange(n), fm]
        eligible = start_tier <= 2
        unassigned = (start_tier == 2) & (r.random(n) < 0.10)
        assigned = eligible & ~unassigned
        tier_team = np.array([0, 1, 2, 2])

        def pick(teams):
            out = np.empty(len(teams), dtype=np.int64)
            for t in range(3):
                sel = teams == t
                members = np.nonzero(team == t)[0]
                w = self.csm_fte[members] / self.csm_fte[members].sum()
                out[sel] = members[r.choice(len(members), size=int(sel.sum()), p=w)]
            return out

        acc = np.nonzero(assigned)[0]
        teams = tier_team[start_tier[acc]]
        csm1 = pick(teams)
        last_live_m = self.last_live_month()
        live_at_asof = self.live[:, cal.asof_m]
        valid_from = self.first_start[acc]
        valid_to = np.where(live_at_asof[acc], -1, cal.month_end[np.maximum(last_live_m[acc], 0)])
        # ~15% are reassigned once, sometimes mid-month
        span_end = np.where(valid_to < 0, cal.as_of, valid_to)
        can = (span_end - valid_from) >= 60
        re = can & (r.random(len(acc)) < 0.15)
        day = valid_from + 30 + (r.random(len(acc)) * np.maximum(span_end - valid_from - 30, 1)).astype(np.int64)
        snap1 = r.random(len(acc)) < 0.6
        first_of = np.datetime64(0, "D") + day.astype("timedelta64[D]")
        first_of = first_of.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
        day = np.where(snap1 & (first_of > valid_from), first_of, day)
        csm2 = pick(teams)
        same = csm2 == csm1
        for _ in range(10):  # a different CSM of the same team where the team has one
            if not (same & re).any():
                break
            redo = np.nonzero(same & re)[0]
            csm2[redo] = pick(teams[redo])
            same = csm2 == csm1
        re &= ~same
        rows_acc = np.concatenate([acc, acc[re]])
        rows_csm = np.concatenate([csm1, csm2[re]])
        rows_from = np.concatenate([valid_from, day[re]])
        rows_to = np.concatenate([np.where(re, day - 1, valid_to), valid_to[re]])
        order = np.lexsort((rows_from, rows_acc))
        self.assign = {"account": rows_acc[order], "csm": rows_csm[order], "valid_from": rows_from[order],
                       "valid_to": rows_to[order]}
        # per account: csm before / after the reassignment day (for touchpoints)
        self.csm_a = np.full(n, -1, dtype=np.int64)
        self.csm_b = np.full(n, -1, dtype=np.int64)
        self.csm_switch = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        self.csm_a[acc] = csm1
        self.csm_b[acc] = np.where(re, csm2, csm1)
        self.csm_switch[acc[re]] = day[re]
        self.start_tier = start_tier

    def last_live_month(self):
        any_live = self.live.any(axis=1)
        last = self.cal.M - 1 - np.argmax(self.live[:, ::-1], axis=1)
        return np.where(any_live, last, -1)

    def csm_on(self, accts, days):
        c = np.where(days >= self.csm_switch[accts], self.csm_b[accts], self.csm_a[accts])
        return c

    # --- touchpoints ----------------------------------------------------------------------------
    def _touchpoints(self):
        r, n, cal = self.rng["touch"], self.n, self.cal
        has_csm = self.csm_a >= 0
        next_touch = self.first_start + r.integers(3, 21, n)
        touch_count = np.zeros(n, dtype=np.int64)
        out = []
        for m in range(cal.M):
            first_day, snap = int(cal.month_start[m]), int(cal.snap[m])
            live = self.live[:, m]
            tier = np.maximum(self.tier[:, m], 0)
            cond = self.condition[:, m]
            # human touches on a cadence: a share of due touches (15% by default) is missed
            idx = np.nonzero(live & has_csm)[0]
            nt = next_touch[idx]
            nt = np.where(nt < first_day, first_day + r.integers(0, 10, len(idx)), nt)  # after a gap
            cadence = TIER_CADENCE_DAYS[tier[idx]]
            for _ in range(3):
                due = nt <= snap
                if not due.any():
                    break
                d_idx = idx[due]
                keep = r.random(len(d_idx)) >= np.array(self.profile.touch_miss_by_tier)[tier[d_idx]]
                a, day = d_idx[keep], nt[due][keep]
                if len(a):
                    out.append(self._touch_rows(r, a, day, tier[a], cond[a], touch_count[a], human=True))
                    touch_count[a] += 1
                jit = (r.uniform(-0.1, 0.1, len(d_idx)) * cadence[due]).astype(np.int64)
                nt[due] = nt[due] + cadence[due] + jit
            next_touch[idx] = nt
            # tech touch: an automated email or webinar a month, for accounts without a CSM
            idx = np.nonzero(live & ~has_csm)[0]
            keep = r.random(len(idx)) >= 0.15
            a = idx[keep]
            if len(a):
                day = first_day + r.integers(0, snap - first_day + 1, len(a))
                out.append(self._touch_rows(r, a, day, tier[a], cond[a], touch_count[a], human=False))
        cols = ["account", "day", "csm", "channel", "purpose"]
        self.touch = {c: np.concatenate([o[i] for o in out]) for i, c in enumerate(cols)}

    def _touch_rows(self, r, a, day, tier, cond, count, human):
        k = len(a)
        if human:
            channel = np.select(
                [tier == 0, tier == 1],
                [_choice_rows(r, np.tile([0.55, 0.35, 0, 0, 0.1, 0, 0], (k, 1))),
                 _choice_rows(r, np.tile([0.3, 0.45, 0.2, 0.05, 0, 0, 0], (k, 1)))],
                _choice_rows(r, np.tile([0, 0.35, 0.45, 0.15, 0, 0.05, 0], (k, 1))))
            csm = self.csm_on(a, day)
        else:
            channel = np.full(k, TOUCH_CHANNELS.index("automated"))
            csm = np.full(k, -1)
        onboarding = day - self.first_start[a] < 90
        u = r.random(k)
        purpose = np.where(onboarding, 0,
                           np.where(human & (tier == 0) & (count % 3 == 2), 2,
                                    np.where((cond == 2) & (u < 0.35), 3,
                                             np.where(human & (u > 0.94), 4, 1))))
        return a, day, csm, channel, purpose

    # --- tickets, CSAT ----------------------------------------------------------------------------
    def _tickets(self):
        r, cal = self.rng["tickets"], self.cal
        acc_l, day_l, cat_l, feat_l = [], [], [], []
        band_factor = np.array([1.5, 1.2, 1.0, 0.9])
        for m in range(cal.M):
            first_day, snap = int(cal.month_start[m]), int(cal.snap[m])
            idx = np.nonzero(self.live[:, m])[0]
            frac = (snap - first_day + 1) / (cal.month_end[m] - first_day + 1)
            lam = (0.12 + 0.1 * np.log2(self.seats[idx, m] / 5 + 1)) * band_factor[self.band[idx, m]] * frac
            k = r.poisson(lam)
            a = np.repeat(idx, k)
            acc_l.append(a)
            day_l.append(first_day + r.integers(0, snap - first_day + 1, len(a)))
            cat_l.append(r.choice(4, size=len(a), p=[0.4, 0.25, 0.25, 0.1]))
            feat_l.append(np.where(r.random(len(a)) < 0.2, -1, r.choice(3, size=len(a), p=[0.5, 0.3, 0.2])))
        self.tickets = {"account": np.concatenate(acc_l), "day": np.concatenate(day_l),
                        "category": np.concatenate(cat_l), "feature": np.concatenate(feat_l)}
        # CSAT after some tickets
        t = self.tickets
        k = len(t["account"])
        sel = r.random(k) < 0.35
        day = t["day"] + r.integers(0, 6, k)
        sel &= day <= cal.as_of
        a, day = t["account"][sel], day[sel]
        m = cal.day_month[day - cal.first_day]
        bnd = np.maximum(self.band[a, m], 0)
        lo = np.array([1, 2, 3, 4])[bnd]
        hi = np.array([3, 4, 5, 5])[bnd]
        score = lo + (r.random(len(a)) * (hi - lo + 1)).astype(np.int64)
        self.csat = {"account": a, "day": day, "score": score}

    # --- milestones, CES ---------------------------------------------------------------------
    def _milestones(self):
        r, n, cal = self.rng["milestones"], self.n, self.cal
        last_m = self.last_live_month()
        last_day = np.minimum(cal.month_end[np.maximum(last_m, 0)], cal.as_of)
        setup = self.setup_day
        has_setup = setup <= last_day
        rows = []

        def add(name, day, ok):
            ok = ok & (day <= last_day)
            idx = np.nonzero(ok)[0]
            rows.append((idx, np.full(len(idx), name, dtype=object), day[idx]))
            return ok

        add("setup_complete", setup, has_setup)
        u = r.random(n)
        fast, slow = setup + r.integers(3, 50, n), setup + r.integers(50, 200, n)
        # a cohort that onboarded badly: every account of it takes the slow path
        first_month = np.datetime64(0, "D") + self.first_start.astype("timedelta64[D]")
        slow_cohort = np.isin(first_month.astype("datetime64[M]").astype(str),
                              np.array(self.profile.slow_onboarding_cohorts, dtype=str))
        ob = np.where((u < 0.75) & ~slow_cohort, fast, slow)
        ob_ok = add("onboarding_complete", ob, has_setup & (u < 0.85))
        add("first_report", setup + r.integers(1, 90, n), has_setup & (r.random(n) < 0.85))
        add("integration_connected", setup + r.integers(10, 180, n), has_setup & (r.random(n) < 0.5))
        add("ten_users_active", setup + r.integers(5, 120, n),
            has_setup & (self.seats0 >= 10) & (r.random(n) < 0.7))
        self.milestones = {"account": np.concatenate([x[0] for x in rows]),
                           "milestone": np.concatenate([x[1] for x in rows]),
                           "day": np.concatenate([x[2] for x in rows])}
        # CES when onboarding completes
        idx = np.nonzero(ob_ok & (r.random(n) < 0.6))[0]
        day = ob[idx]
        m = cal.day_month[day - cal.first_day]
        bnd = np.maximum(self.band[idx, m], 0)
        lo = np.array([1, 3, 4, 5])[bnd]
        hi = np.array([4, 6, 7, 7])[bnd]
        self.ces = {"account": idx, "day": day, "score": lo + (r.random(len(idx)) * (hi - lo + 1)).astype(np.int64)}

    # --- latent truth per customer-month -----------------------------------------------------
    def latent_frame(self) -> pd.DataFrame:
        a, m = np.nonzero(self.live)
        return pd.DataFrame({
            "account_id": self.account_id[a],
            "month": _iso(self.cal.month_start[m]),
            "band": np.asarray(BANDS, dtype=object)[self.band[a, m]],
            "stage": np.asarray(STAGES, dtype=object)[self.stage[a, m]],
            "condition": np.asarray(CONDITIONS, dtype=object)[self.condition[a, m]],
            "health_target": np.round(self.h_target[a, m].astype(np.float64), 2),
            "health_planned": np.round(self.h_planned[a, m].astype(np.float64), 2),
            "is_advocate_latent": self.adv_m[a, m],
            "mrr_jpy": np.round(self.mrr_jpy[a, m], 2),
        })


# ==================================================================================
# truth.json
# ==================================================================================
def _rate(num, den):
    return None if den == 0 else float(num) / float(den)


def build_truth(sim: Simulation, row_counts: dict) -> dict:
    cal, cfg = sim.cal, sim.cfg
    live = sim.live
    o = sim.obs
    renewal = {}
    for s, name in enumerate(STAGES):
        sel = o["stage"] == s
        annual = sel & (o["kind"] == 0)
        cancel = sel & (o["kind"] == 1)
        n_obs = int(sel.sum())
        renewal[name] = {
            "observations": n_obs,
            "annual_renewal_observations": int(annual.sum()),
            "cancellation_observations": int(cancel.sum()),
            "planted_nonrenewal_probability": float(sim.profile.nonrenewal[s]),
            "expected_churn_rate": _rate(sim.profile.nonrenewal[s] * annual.sum() + cancel.sum(), n_obs),
            "realized_churn_rate": _rate(o["churned"][sel].sum(), n_obs),
            "realized_churned": int(o["churned"][sel].sum()),
        }
    # planted expansions within 3 months, by condition (customer-months with M+3 <= as-of month)
    a_idx, m_idx = np.nonzero(live[:, : max(cal.M - 3, 0)])
    exp_months = np.zeros(live.shape, dtype=bool)
    el = sim.expansion_log
    ok = el["start_m"] < cal.M
    exp_months[el["account"][ok], el["start_m"][ok]] = True
    cum = np.concatenate([np.zeros((sim.n, 1)), np.cumsum(exp_months, axis=1)], axis=1)
    upsold = (cum[a_idx, m_idx + 4] - cum[a_idx, m_idx + 1]) > 0
    cond = sim.condition[a_idx, m_idx]
    upsell = {}
    for c, name in enumerate(CONDITIONS):
        sel = cond == c
        upsell[name] = {"planted_monthly_probability": float(P_UPSELL[c]),
                        "customer_months": int(sel.sum()),
                        "planted_expansion_within_3_months_rate": _rate(upsold[sel].sum(), sel.sum())}
    # the same, as the warehouse measures it: an expansion movement (MRR in JPY rises) in M+1..M+3;
    # this also counts the FX moves of USD accounts
    mrr = np.round(sim.mrr_jpy, 2)
    expansion = np.zeros(live.shape, dtype=bool)
    expansion[:, 1:] = (mrr[:, :-1] > 0) & (mrr[:, 1:] > mrr[:, :-1])
    churn = np.zeros(live.shape, dtype=bool)
    churn[:, 1:] = (mrr[:, :-1] > 0) & (mrr[:, 1:] <= 0)
    cum_e = np.concatenate([np.zeros((sim.n, 1)), np.cumsum(expansion, axis=1)], axis=1)
    moved = (cum_e[a_idx, m_idx + 4] - cum_e[a_idx, m_idx + 1]) > 0
    for c, name in enumerate(CONDITIONS):
        sel = cond == c
        upsell[name]["mrr_expansion_within_3_months_rate"] = _rate(moved[sel].sum(), sel.sum())
    # stage-churn on the horizon basis (12 months), from the latent stage
    cum_c = np.concatenate([np.zeros((sim.n, 1)), np.cumsum(churn, axis=1)], axis=1)
    h_a, h_m = np.nonzero(live[:, : max(cal.M - 12, 0)])
    churned_12 = (cum_c[h_a, h_m + 13] - cum_c[h_a, h_m + 1]) > 0
    h_stage = sim.stage[h_a, h_m]
    horizon = {name: {"observations": int((h_stage == s).sum()),
                      "churned": int(churned_12[h_stage == s].sum()),
                      "churn_rate": _rate(churned_12[h_stage == s].sum(), (h_stage == s).sum())}
               for s, name in enumerate(STAGES)}
    a_all, m_all = np.nonzero(live)
    stage_dist = {name: int((sim.stage[a_all, m_all] == s).sum()) for s, name in enumerate(STAGES)}
    cond_dist = {name: int((sim.condition[a_all, m_all] == c).sum()) for c, name in enumerate(CONDITIONS)}
    band_dist = {name: int((sim.band[a_all, m_all] == b).sum()) for b, name in enumerate(BANDS)}
    etypes = {name: int((el["type"][ok] == i).sum()) for i, name in enumerate(EXPANSION_TYPES)}
    rl = sim.renewal_log
    return {
        "generator_version": GENERATOR_VERSION,
        "seed": int(cfg.seed),
        "accounts": int(sim.n),
        "initial_share": float(cfg.initial_share),
        **({"churn_driver": cfg.churn_driver} if cfg.churn_driver is not None else {}),
        "start": str(cfg.start),
        "as_of": str(cfg.as_of),
        "first_month": str(cal.month_label[0]),
        "as_of_month": str(cal.month_label[cal.asof_m]),
        "months": int(cal.M),
        "conventions": {
            "window_days": WINDOW,
            "trailing_windows_end_on_snapshot_inclusive": True,
            "nps_promoter_window_days": 365,
            "community_window_days": 90,
            "evidence_window": "the N days ending on the snapshot day, both ends inclusive "
                               "(day > snapshot - N)",
            "stage_rule": "entry if no setup_complete on/before snapshot; onboard if health < 60; "
                          "loyal if is_advocate or NPS >= 9 in last 365 days or community in last 90 days; "
                          "else active",
            "condition_rule": "good >= 70, bad < 40, else normal",
            "lines_start_on_first_of_month": True,
            "lines_end_on_last_of_month": True,
            "future_lines": "on-time renewals of terms ending in the as-of month are written with a "
                            "start after as_of (signed, not yet live)",
        },
        "bands": {
            name: {"target_health": float(BAND_TARGET[b]), "jitter": float(BAND_JITTER[b]),
                   "condition": CONDITIONS[BAND_CONDITION[b]],
                   "stage_once_setup": "onboard" if b <= 1 else "active, or loyal with advocacy evidence",
                   "realisation_candidates_days_per_week_features": [list(c) for c in CANDIDATES[b]]}
            for b, name in enumerate(BANDS)
        },
        "band_initial_distribution": dict(zip(BANDS, list(sim.profile.band_initial))),
        "band_markov_matrix": {"states": BANDS, "rows_from_cols_to": [list(row) for row in sim.profile.band_markov]},
        "advocacy": {"monthly_become_probability_by_band": dict(zip(BANDS, ADV_ON.tolist())),
                     "monthly_stay_probability_by_band": dict(zip(BANDS, ADV_STAY.tolist())),
                     "is_advocate_share": 0.03,
                     "note": "community activity and NPS >= 9 come only from latent advocates"},
        "planted": {
            "renewal_nonrenewal_probability_by_stage": dict(zip(STAGES, sim.profile.nonrenewal.tolist())),
            "renewal_rate_by_stage": dict(zip(STAGES, (1 - sim.profile.nonrenewal).tolist())),
            "stage_basis": "stage in the month before the renewal month",
            "late_renewal_share_of_nonrenewals": LATE_RENEWAL_SHARE,
            "late_renewal_gap_months": LATE_RENEWAL_GAP_MONTHS,
            "monthly_cancel_hazard_by_stage": dict(zip(STAGES, sim.profile.cancel_hazard.tolist())),
            "annual_share": ANNUAL_SHARE,
            "upsell_monthly_probability_by_condition": dict(zip(CONDITIONS, P_UPSELL.tolist())),
            "upsell_basis": "condition in month M; the expansion line starts on the 1st of M+1",
            "expansion_type_weights": dict(zip(EXPANSION_TYPES, EXPANSION_TYPE_WEIGHTS.tolist())),
            "renewal_downgrade_probability_by_band": dict(zip(BANDS, list(sim.profile.downgrade_by_band))),
        },
        "expected_renewal_churn_rate_by_stage": {k: v["expected_churn_rate"] for k, v in renewal.items()},
        "realized_renewal_churn_rate_by_stage": {k: v["realized_churn_rate"] for k, v in renewal.items()},
        "renewal_observations_by_stage": renewal,
        "renewal_observations_total": int(len(o["stage"])),
        "renewal_events": {"annual_due_incl_as_of_month": int(len(rl["account"])),
                           "renewed_on_time": int(rl["renewed"].sum()),
                           "late_renewals": int(rl["late"].sum()),
                           "late_renewals_returned_by_as_of": int(sum(
                               1 for a, mm, late, g in zip(rl["account"], rl["month"], rl["late"], rl["gap"])
                               if late and mm + 1 + g <= cal.asof_m))},
        "upsell_by_condition": upsell,
        "upsell_note": "planted_expansion_within_3_months_rate counts the planted expansion lines only; "
                       "mrr_expansion_within_3_months_rate is an MRR rise in M+1..M+3 (metrics.md), which also "
                       "counts FX moves of USD accounts. Both over customer-months with M+3 <= the as-of month, "
                       "by the latent condition in M.",
        "stage_churn_horizon_12m_by_stage": horizon,
        "expansions_by_type": etypes,
        "latent_customer_months": {"total": int(len(a_all)), "by_stage": stage_dist,
                                   "by_condition": cond_dist, "by_band": band_dist},
        "fx_usd_jpy_range": [float(sim.fx_usd.min()), float(sim.fx_usd.max())],
        "row_counts": row_counts,
    }


# ==================================================================================
# writing
# ==================================================================================
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


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m cs_warehouse.generate",
                                description="Generate a synthetic raw dataset for the CS warehouse.")
    p.add_argument("--accounts", type=int, default=300, help="number of accounts (default 300)")
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--start", default="2023-11-01", help="first day of history (default 2023-11-01)")
    p.add_argument("--as-of", dest="as_of", default="2026-11-15",
                   help="export day = last usage_date (default 2026-11-15)")
    p.add_argument("--format", dest="fmt", choices=["csv", "parquet"], default="csv",
                   help="format of every file except usage (default csv)")
    p.add_argument("--usage-format", choices=["parquet", "csv"], default="parquet",
                   help="format of the usage file (default parquet)")
    p.add_argument("--progress", action="store_true", help="progress on stderr (default on from 5000 accounts)")
    p.add_argument("--initial-share", type=float, default=0.2,
                   help="share of accounts already customers in the first month (default 0.2; "
                        "benchmarks use a mature base, e.g. 0.9)")
    p.add_argument("--profile", choices=sorted(PROFILES), default="default",
                   help="planted effects (default: default; the bundled demo uses healthy, a believable "
                        "mid-size SaaS with a few problems to find)")
    p.add_argument("--churn-driver", choices=sorted(CHURN_DRIVERS), default=None,
                   help="plant one health component as what predicts churn: usage realises the latent "
                        "band through it alone and draws the other components at random (default: "
                        "every component follows the band)")
    p.add_argument("--write-latent", action="store_true",
                   help="also write truth_account_months.csv (latent band, stage, condition per customer-month)")
    args = p.parse_args(argv)
    cfg = Config(accounts=args.accounts, seed=args.seed, start=args.start, as_of=args.as_of,
                 progress=args.progress or args.accounts >= 5000, initial_share=args.initial_share,
                 profile=args.profile, churn_driver=args.churn_driver)
    generate(cfg, args.out, fmt=args.fmt, usage_format=args.usage_format, write_latent=args.write_latent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
