"""CS coverage: CSMs, their assignments and the touchpoints.

``CoverageMixin`` is part of ``Simulation`` (simulation.py). CSMs are assigned by
the tier of an account's first month; human touches follow the tier's cadence with
the profile's share of missed touches, accounts without a CSM get tech touches.
"""
from __future__ import annotations

import numpy as np

from cs_warehouse.generate.draws import _choice_rows
from cs_warehouse.generate.names import _person_names
from cs_warehouse.generate.vocabulary import TIER_CADENCE_DAYS, TOUCH_CHANNELS


class CoverageMixin:
    """CSMs, assignments and touchpoints (a part of Simulation)."""

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
