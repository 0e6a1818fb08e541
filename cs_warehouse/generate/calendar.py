"""The month calendar of a dataset, and day helpers.

Days are int64 days since 1970-01-01 throughout the generator (cheap to vectorise);
months are indices into ``Calendar.month_start``. A snapshot is the last day of a
month, or the as-of day in the as-of month.
"""
from __future__ import annotations

import numpy as np

# the trailing window of the health components (metrics.md), in days
WINDOW = 28


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
