"""Usage plans: how each customer-month realises its latent band in the usage.

``UsagePlansMixin`` is part of ``Simulation`` (simulation.py). For every
customer-month a small solver picks active weekdays, features and a DAU level so
that the health the warehouse recomputes from the usage lands on the band's target
(or, with ``--churn-driver``, shows the band in one component only). The usage
writer (writers.py) then draws the rows from these plans.
"""
from __future__ import annotations

import numpy as np

from cs_warehouse.generate.calendar import WINDOW
from cs_warehouse.generate.profiles import (
    BAND_JITTER,
    BAND_TARGET,
    CANDIDATES,
    CHURN_DRIVERS,
    LEVEL_MAX,
    LEVEL_MIN,
    WEEKDAY_WEIGHT,
)


class UsagePlansMixin:
    """Per customer-month active weekdays, features and DAU level (a part of Simulation)."""

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
