"""How much of each SLO window the stored data covers: a figure never passes for a whole window.

An evaluation whose window starts before the first minute its SLI's stored data covers —
never read that far back, before the source's retention, a new SLO — says so
(``Evaluation.data_from``, ``coverage_note``: "data from <instant> only (N of the window's M
minutes)") on every surface that shows it; a window with nothing stored is "no data" already.
That first minute is the first stored minute with events, or, when earlier, the first minute a
read of its metrics source found the source answering (``source_reads.answered_from``): a quiet
service's first hours without requests were read, and are covered, not missing. Events from
files have no reads: their data starts at their first event.
``covenant evaluate``, the API and the web pages (``services.evaluate.evaluate_workspace``)
and the worker's report (``services.worker_eval``) mark it alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from covenant.core.timeutil import from_epoch
from covenant.store.chunk_reads import series_extent
from covenant.store.source_state import answered_from

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from covenant.core.results import Evaluation
    from covenant.services.evaluate import EvaluationReport
    from covenant.store.sqlite_reader import SqliteReader


def first_stored(engine: Engine | SqliteReader, series: Iterable[str]) -> dict[str, int]:
    """Per one of ``series``, the first minute its stored data covers (epoch s): its first
    stored minute with events, or the first minute a read of its metrics source found the
    source answering for it when earlier (``source_reads.answered_from``: a quiet service's
    minutes without requests were read, not missing); a series with neither is left out."""
    keys = sorted(set(series))
    if not keys:
        return {}
    with engine.connect() as conn:
        first = {k: e[0] for k, e in series_extent(conn, keys=keys).items() if e is not None}
        for key, answered in answered_from(conn, keys=keys).items():
            first[key] = min(first.get(key, answered), answered)
    return first


def apply_coverage(report: EvaluationReport, first: Mapping[str, int]) -> EvaluationReport:
    """``report`` with each evaluation whose window starts before its series' first stored
    minute with events (``first``) saying from when its figures are (``data_from``); a
    window with none stored is "no data" already (no events), never a figure."""

    def covered(e: Evaluation) -> Evaluation:
        lo = first.get(e.objective.series)
        start = None if lo is None or e.total == 0 else from_epoch(lo)
        if start is not None and not e.window_start < start < e.window_end:
            start = None  # the data covers the window (or none is in it: "no data")
        if start == e.data_from and e.coverage_checked:
            return e
        return replace(e, data_from=start, coverage_checked=True)

    return report.with_objectives(covered)
