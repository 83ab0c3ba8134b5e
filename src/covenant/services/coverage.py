"""How much of each SLO window the stored data covers: a figure never passes for a whole window.

An evaluation whose window starts before the first stored minute with events of its SLI —
never read that far back, before the source's retention, a new SLO — says so
(``Evaluation.data_from``, ``coverage_note``: "data from <instant> only (N of the window's M
minutes)") on every surface that shows it; a window with nothing stored is "no data" already.
``covenant evaluate``, the API and the web pages (``services.evaluate.evaluate_workspace``)
and the worker's report (``services.worker_eval``) mark it alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from covenant.core.timeutil import from_epoch
from covenant.store.chunk_reads import series_extent

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from covenant.core.results import Evaluation
    from covenant.services.evaluate import EvaluationReport
    from covenant.store.sqlite_reader import SqliteReader


def first_stored(engine: Engine | SqliteReader, series: Iterable[str]) -> dict[str, int]:
    """Per one of ``series``, its first stored minute with events (epoch s); a series with
    none is left out."""
    keys = sorted(set(series))
    if not keys:
        return {}
    with engine.connect() as conn:
        return {k: e[0] for k, e in series_extent(conn, keys=keys).items() if e is not None}


def apply_coverage(report: EvaluationReport, first: Mapping[str, int]) -> EvaluationReport:
    """``report`` with each evaluation whose window starts before its series' first stored
    minute with events (``first``) saying from when its figures are (``data_from``); a
    window with none stored is "no data" already (no events), never a figure."""

    def covered(e: Evaluation) -> Evaluation:
        lo = first.get(e.objective.series)
        start = None if lo is None or e.total == 0 else from_epoch(lo)
        if start is not None and not e.window_start < start < e.window_end:
            start = None  # the data covers the window (or none is in it: "no data")
        return e if start == e.data_from else replace(e, data_from=start)

    return report.with_objectives(covered)
