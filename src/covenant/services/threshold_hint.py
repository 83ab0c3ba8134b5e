"""Why a threshold objective has no events: its threshold changed after the events came in.

A threshold SLI's counts are kept per threshold (``checkout-latency:lte300``): events are
classified once, when they are ingested (docs/ingest.md). When an objective's ``op``/``value``
changes (300 → 400) it reads a new series that has never received an event, and the plain
"no events in the window" hides why. ``explain_new_thresholds`` looks, in one store query for
the whole report, for other series of the same SLI that hold events and says so in the reason,
with the fix. Only objectives whose own series has never held an event are touched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from covenant.core.evaluate import NO_EVENTS
from covenant.store.threshold_series import HeldSeries, threshold_series_with_events

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from covenant.core.results import Evaluation
    from covenant.services.evaluate import EvaluationReport
    from covenant.store.sqlite_reader import SqliteReader

_THRESHOLD = re.compile(r"(?:lt|lte|gt|gte)[0-9]")  # the suffix ``definitions.resolve`` writes


def threshold_of(series: str, sli: str) -> str | None:
    """The threshold suffix of a threshold SLI's series (``lte300`` of ``sli:lte300``), else
    None (a ratio SLI's series is the SLI's name)."""
    if not sli or not series.startswith(f"{sli}:"):
        return None
    suffix = series[len(sli) + 1 :]
    return suffix if _THRESHOLD.match(suffix) else None


def _candidates(report: EvaluationReport) -> Iterator[Evaluation]:
    yield from report.evaluations
    for k in report.corrected:
        if k.evaluation is not None:
            yield k.evaluation


def _wanted(e: Evaluation) -> bool:
    return e.no_data == NO_EVENTS and threshold_of(e.objective.series, e.objective.sli) is not None


def new_threshold_reason(*, sli: str, threshold: str, others: list[HeldSeries]) -> str:
    """The "no data" reason of an objective on ``sli`` under ``threshold`` whose series never
    held an event while ``others`` (series of the same SLI) do."""
    under = ", ".join(h.key[len(sli) + 1 :] for h in others)
    if all(h.read_from_source for h in others):  # read from Prometheus, not ingested
        return (
            f"nothing read under this threshold ({threshold}); the store holds {sli} under "
            f"{under}, read from its metrics source — a new threshold is a new series: read "
            "it from its start with `covenant evaluate --read` (docs/prometheus.md)"
        )
    return (
        f"no events ingested under this threshold ({threshold}); the store holds events of "
        f"{sli} under {under} — events are classified when ingested: ingest {sli}'s events "
        "again, from a file holding only its rows (docs/ingest.md, 'Events are classified "
        "once')"
    )


def explain_new_thresholds(
    engine: Engine | SqliteReader, report: EvaluationReport
) -> EvaluationReport:
    """``report`` with the reason of each threshold objective with no events ever under its
    threshold, while other thresholds of its SLI hold some, saying so (one query)."""
    slis = sorted({e.objective.sli for e in _candidates(report) if _wanted(e)})
    if not slis:
        return report
    with engine.connect() as conn:
        held = threshold_series_with_events(conn, slis=slis)
    if not held:
        return report

    def explained(e: Evaluation) -> Evaluation:
        if not _wanted(e):
            return e
        sli, series = e.objective.sli, e.objective.series
        stored = held.get(sli, [])
        if any(h.key == series for h in stored):  # it had events, before this window
            return e
        others = [h for h in stored if threshold_of(h.key, sli) is not None]
        if not others:
            return e
        threshold = threshold_of(series, sli)
        assert threshold is not None  # _wanted
        return replace(e, no_data=new_threshold_reason(sli=sli, threshold=threshold, others=others))

    return replace(
        report,
        evaluations=tuple(explained(e) for e in report.evaluations),
        corrected=tuple(
            k if k.evaluation is None else replace(k, evaluation=explained(k.evaluation))
            for k in report.corrected
        ),
    )
