"""Contract lines: the growing line table and the simulation's entitlement methods.

``ContractsMixin`` is part of ``Simulation`` (simulation.py): the lifecycle emits
the lines of a start, a renewal or a return and the expansions through it, and
``_line_months`` turns the lines into MRR, seats and tier per customer-month. It
reads and writes the Simulation's attributes (``plan``, ``dept_seats``,
``analytics_seats``, ``addons``, ``lines``, ``is_usd``...); it has no state of its own.
"""
from __future__ import annotations

import numpy as np

from cs_warehouse.generate.draws import _choice_rows
from cs_warehouse.generate.vocabulary import (
    ADDON_PRICE,
    ANALYTICS_PRICE,
    CORE_PRICE,
    EXPANSION_TYPE_WEIGHTS,
    TIER_MIN_ARR,
)


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


class ContractsMixin:
    """Entitlement lines and their monthly MRR, seats and tier (a part of Simulation)."""

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
