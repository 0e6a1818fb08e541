"""Random draws shared by several parts of the simulation.

They take the stream to draw from as an argument (never a global generator), so
each part keeps drawing from its own stream in the same order.
"""
from __future__ import annotations

import numpy as np

from cs_warehouse.generate.profiles import BAND_MARKOV


def _markov_step(rng, bands, matrix=BAND_MARKOV):
    cum = np.cumsum(np.asarray(matrix), axis=1)[bands]
    u = rng.random(len(bands))[:, None]
    return np.minimum((u > cum).sum(axis=1), 3).astype(np.int8)


def _choice_rows(rng, weights):
    """One index per row of a (k, c) non-negative weight matrix."""
    w = np.asarray(weights, dtype=np.float64)
    cum = np.cumsum(w, axis=1)
    u = rng.random(len(w)) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), w.shape[1] - 1)
