"""The codes the generator writes: features, bands, stages, tiers, plans, channels...

Indices into these lists are what the simulation stores (int8 arrays); the writers
turn them into the codes of docs/data-contract.md. Kept apart from the planted
effects (profiles.py) because every part of the generator needs them and none of
them is a knob.
"""
from __future__ import annotations

import numpy as np

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
