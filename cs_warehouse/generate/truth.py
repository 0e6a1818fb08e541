"""truth.json: the planted effects and what the simulation realised of them.

The tests compare the marts with these figures (renewal by stage, upsell by
condition, stage churn on a 12-month horizon...), so they are computed from the
latent simulation, never from the written files.
"""
from __future__ import annotations

import numpy as np

from cs_warehouse.generate.calendar import WINDOW
from cs_warehouse.generate.profiles import (
    ADV_ON,
    ADV_STAY,
    ANNUAL_SHARE,
    BAND_JITTER,
    BAND_TARGET,
    CANDIDATES,
    LATE_RENEWAL_GAP_MONTHS,
    LATE_RENEWAL_SHARE,
    P_UPSELL,
)
from cs_warehouse.generate.simulation import Simulation
from cs_warehouse.generate.vocabulary import (
    BAND_CONDITION,
    BANDS,
    CONDITIONS,
    EXPANSION_TYPE_WEIGHTS,
    EXPANSION_TYPES,
    STAGES,
)

GENERATOR_VERSION = "1.0"  # written to truth.json


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
