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

Modules
-------
``vocabulary`` (the codes written), ``profiles`` (the planted effects, ``Profile``),
``calendar`` (months and days), ``names`` (company and person names), ``draws``
(shared random draws), ``simulation`` (``Config``, ``Simulation``: accounts, FX,
the monthly lifecycle) with its parts ``contracts`` (lines, MRR, tier), ``plans``
(usage plans), ``coverage`` (CSMs, touchpoints) and ``voice`` (NPS scores,
tickets, CSAT, milestones, CES), ``truth`` (truth.json), ``writers`` (the files,
``generate()``) and ``cli`` (``main()``). This package re-exports the names other
code imports.
"""
from __future__ import annotations

from cs_warehouse.generate.calendar import WINDOW, Calendar
from cs_warehouse.generate.cli import main
from cs_warehouse.generate.contracts import LineTable
from cs_warehouse.generate.profiles import (
    ADV_ON,
    ADV_STAY,
    ANNUAL_SHARE,
    BAND_INITIAL,
    BAND_JITTER,
    BAND_MARKOV,
    BAND_TARGET,
    CANDIDATES,
    CHURN_DRIVERS,
    FEATURE_SHARES,
    LATE_RENEWAL_GAP_MONTHS,
    LATE_RENEWAL_SHARE,
    LEVEL_MAX,
    LEVEL_MIN,
    MONTHLY_CANCEL_HAZARD,
    P_DOWNGRADE,
    P_NONRENEW,
    P_UPSELL,
    PROFILES,
    WEEKDAY_WEIGHT,
    Profile,
)
from cs_warehouse.generate.simulation import STREAMS, Config, Simulation
from cs_warehouse.generate.truth import GENERATOR_VERSION, build_truth
from cs_warehouse.generate.vocabulary import (
    ACTIVITIES,
    ADDON_PRICE,
    ADDONS,
    ANALYTICS_PRICE,
    BAND_CONDITION,
    BANDS,
    CONDITIONS,
    CORE_PRICE,
    CSM_TEAMS,
    DEPARTMENTS,
    EXPANSION_TYPE_WEIGHTS,
    EXPANSION_TYPES,
    FEATURES,
    INDUSTRIES,
    INDUSTRY_P,
    LINE_TYPES,
    PLANS,
    PRODUCTS,
    REGION_P,
    REGIONS,
    STAGES,
    TICKET_CATEGORIES,
    TIER_CADENCE_DAYS,
    TIER_MIN_ARR,
    TIERS,
    TOUCH_CHANNELS,
    TOUCH_PURPOSES,
)
from cs_warehouse.generate.writers import USAGE_SCHEMA, generate, write_small_tables, write_usage

__all__ = [
    "ACTIVITIES",
    "ADDONS",
    "ADDON_PRICE",
    "ADV_ON",
    "ADV_STAY",
    "ANALYTICS_PRICE",
    "ANNUAL_SHARE",
    "BANDS",
    "BAND_CONDITION",
    "BAND_INITIAL",
    "BAND_JITTER",
    "BAND_MARKOV",
    "BAND_TARGET",
    "CANDIDATES",
    "CHURN_DRIVERS",
    "CONDITIONS",
    "CORE_PRICE",
    "CSM_TEAMS",
    "Calendar",
    "Config",
    "DEPARTMENTS",
    "EXPANSION_TYPES",
    "EXPANSION_TYPE_WEIGHTS",
    "FEATURES",
    "FEATURE_SHARES",
    "GENERATOR_VERSION",
    "INDUSTRIES",
    "INDUSTRY_P",
    "LATE_RENEWAL_GAP_MONTHS",
    "LATE_RENEWAL_SHARE",
    "LEVEL_MAX",
    "LEVEL_MIN",
    "LINE_TYPES",
    "LineTable",
    "MONTHLY_CANCEL_HAZARD",
    "PLANS",
    "PRODUCTS",
    "PROFILES",
    "P_DOWNGRADE",
    "P_NONRENEW",
    "P_UPSELL",
    "Profile",
    "REGIONS",
    "REGION_P",
    "STAGES",
    "STREAMS",
    "Simulation",
    "TICKET_CATEGORIES",
    "TIERS",
    "TIER_CADENCE_DAYS",
    "TIER_MIN_ARR",
    "TOUCH_CHANNELS",
    "TOUCH_PURPOSES",
    "USAGE_SCHEMA",
    "WEEKDAY_WEIGHT",
    "WINDOW",
    "build_truth",
    "generate",
    "main",
    "write_small_tables",
    "write_usage",
]
