"""The latent world: the configuration, accounts, FX and the monthly lifecycle.

``Simulation(cfg)`` draws everything a dataset is written from. Its parts live in
mixins, one module per domain: contract lines and MRR (contracts.py), usage plans
(plans.py), CSMs and touchpoints (coverage.py), tickets, milestones and survey
scores (voice.py). The constructor calls them in a fixed order, and each part draws
from its own numpy stream (``STREAMS``), so the same seed gives the same files.
Moving code between the parts must keep the calls within each stream in order.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cs_warehouse.generate.calendar import Calendar, _iso
from cs_warehouse.generate.contracts import ContractsMixin, LineTable
from cs_warehouse.generate.coverage import CoverageMixin
from cs_warehouse.generate.draws import _markov_step
from cs_warehouse.generate.names import _account_names, _english_names
from cs_warehouse.generate.plans import UsagePlansMixin
from cs_warehouse.generate.profiles import (
    ADV_ON,
    ADV_STAY,
    ANNUAL_SHARE,
    LATE_RENEWAL_GAP_MONTHS,
    LATE_RENEWAL_SHARE,
    P_UPSELL,
    PROFILES,
)
from cs_warehouse.generate.vocabulary import (
    BAND_CONDITION,
    BANDS,
    CONDITIONS,
    INDUSTRIES,
    INDUSTRY_P,
    REGION_P,
    REGIONS,
    STAGES,
)
from cs_warehouse.generate.voice import VoiceMixin

STREAMS = ["accounts", "names", "life", "plans", "csm", "touch", "tickets", "milestones", "fx", "usage"]


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


class Simulation(ContractsMixin, UsagePlansMixin, CoverageMixin, VoiceMixin):
    """The latent world: accounts, monthly lifecycle, contract lines and usage plans.

    The parts of other domains are inherited from the mixins (see the module
    docstring); the order of the calls in ``__init__`` is the draw order.
    """

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
