"""The planted effects: the probabilities the simulation draws from, and the profiles.

These are what truth.json reports and what the tests expect the marts to recover:
renewal by stage, upsell by condition, the latent band's Markov chain, advocacy,
downgrades, and how usage realises a band (the candidates of the usage plans). A
``Profile`` bundles the ones that differ between the ``default`` world and the
``healthy`` demo.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
