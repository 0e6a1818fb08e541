"""The customer's voice: NPS scores, tickets with CSAT, milestones with CES.

``VoiceMixin`` is part of ``Simulation`` (simulation.py). NPS responses and
community activity are drawn inside the monthly lifecycle (they are evidence for
the stage); the lifecycle calls ``_nps_scores`` for their scores. Tickets, CSAT,
milestones and CES are drawn after it, from their own streams.
"""
from __future__ import annotations

import numpy as np


class VoiceMixin:
    """NPS scores, tickets, CSAT, milestones and CES (a part of Simulation)."""

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
