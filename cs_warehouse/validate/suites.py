"""The great-expectations side: one ephemeral context, suites run on small frames.

The validation's reject findings are decided by GX expectations on a pandas frame
that DuckDB computed from ``raw_rejects`` (rejects.py). GX is imported only when
the first suite runs, and its context is created once per process
(``expectations()``): creating it costs seconds. Named ``suites`` rather than
``expectations`` so that the module does not clash with the function
``expectations()`` that the package re-exports.
"""
from __future__ import annotations

import json
import logging
import warnings
from typing import Any

import pandas as pd

VALUE_SET_PRINT_LIMIT = 20  # longer value sets are abbreviated in the JSON report


class _Expectations:
    """An ephemeral GX context with one pandas DataFrame asset, created once."""

    def __init__(self) -> None:
        _quiet_great_expectations()
        warnings.filterwarnings("ignore", module="great_expectations")
        import great_expectations as gx
        import great_expectations.expectations as gxe
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gx, self.gxe = gx, gxe
        _quiet_great_expectations()  # GX sets INFO on some of its loggers as it imports them
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        asset = context.data_sources.add_pandas("raw_files").add_dataframe_asset("frame")
        self.batch_definition = asset.add_batch_definition_whole_dataframe("whole_frame")
        self.suites = 0
        self._cache: dict[tuple, dict] = {}

    def run(self, frame: pd.DataFrame, expectations: list) -> dict[str, Any]:
        """Validate the frame; returns {rule id (expectation meta 'id'): result}.

        GX costs ~10-30 ms per expectation whatever the frame's size, so results are
        kept for an identical frame and suite: validating many directories in one
        process (the bad-input corpus) re-checks only what changed.
        """
        frame = frame.reset_index(drop=True)
        key = (json.dumps([expectation.configuration.to_json_dict() for expectation in expectations],
                          sort_keys=True, default=str),
               tuple(frame.columns), tuple(str(dtype) for dtype in frame.dtypes),
               int(pd.util.hash_pandas_object(frame.astype(object), index=True).sum()) if len(frame) else 0,
               len(frame))
        if key in self._cache:
            return self._cache[key]
        self.suites += 1
        suite = self.gx.ExpectationSuite(name=f"suite_{self.suites}")
        for expectation in expectations:
            suite.add_expectation(expectation)
        batch = self.batch_definition.get_batch(batch_parameters={"dataframe": frame})
        results = batch.validate(suite, result_format={"result_format": "COMPLETE"})
        found = {result.expectation_config.meta["id"]: result for result in results.results}
        if len(self._cache) > 2000:
            self._cache.clear()
        self._cache[key] = found
        return found


def _quiet_great_expectations() -> None:
    """GX's loggers print errors only (dbt, run in the same process, adds a handler)."""
    for name in ["great_expectations", *logging.root.manager.loggerDict]:
        if name.startswith("great_expectations"):
            logging.getLogger(name).setLevel(logging.ERROR)


_EXPECTATIONS: _Expectations | None = None


def expectations() -> _Expectations:
    global _EXPECTATIONS
    if _EXPECTATIONS is None:
        _EXPECTATIONS = _Expectations()
    return _EXPECTATIONS


def _describe(expectation) -> dict:
    """The expectation as JSON, long value sets abbreviated."""
    config = expectation.configuration.to_json_dict() if hasattr(expectation, "configuration") else {}
    kwargs = {key: value for key, value in (config.get("kwargs") or {}).items() if key != "batch_id"}
    values = kwargs.get("value_set")
    if isinstance(values, list) and len(values) > VALUE_SET_PRINT_LIMIT:
        kwargs["value_set"] = values[:VALUE_SET_PRINT_LIMIT] + [f"... {len(values)} values in all"]
    return {"type": config.get("type"), "kwargs": kwargs}
