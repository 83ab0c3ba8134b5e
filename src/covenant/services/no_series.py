"""Why an SLI read from Prometheus has no data: its query matched no series, or its series
counted no events.

An empty answer from Prometheus reads the same as a quiet service: no events in the window.
The most common cause is a misspelt metric name or label, so each read keeps, per series,
whether its good (bad) and total queries matched any series (``store.source_reads``:
``first_found`` … ``total_unmatched_from``), and an objective with no events in its window
says which case it is:

- its total query matched no series in its newest read: "no data" naming the query, the
  DataSource and the range it has matched nothing over, with the fix (``Stale`` of kind
  ``no-series``: plain "no data", not stale, never counted good or bad);
- its series exist and counted 0 events: the "no events" reason says so (a quiet service).

Only an evaluation without events (``total`` 0) that is "no data" for no other reason (no
``stale`` mark: a failed read, a read never made or a changed query say so first) is touched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from covenant.core.evaluate import NO_EVENTS
from covenant.core.promql import WINDOW, raw_selector, without_comments
from covenant.core.results import Evaluation, Stale, Status
from covenant.core.timeutil import from_epoch, utc_text
from covenant.store.source_state import SourceState, read_states, unmatched_states

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from covenant.core.promql import SeriesQueries
    from covenant.services.evaluate import EvaluationReport
    from covenant.store.sqlite_reader import SqliteReader

Quiet = tuple[str, Stale | None, int]
"""A series' reason for "no data" without events, its ``no-series`` mark (None: its series
exist and counted no events) and, with a mark, since when its reads matched none (epoch s)."""


def query_text(template: str) -> str:
    """A query as the user would try it in the Prometheus UI: a counter's selector, else the
    query as written (its ``{{.window}}`` placeholder kept)."""
    return raw_selector(template) or " ".join(without_comments(template).split())


def no_series_reason(query: str, *, source: str, since: int, until: int | None) -> str:
    """``no data``'s reason for a query that matched no series in ``[since, until)``."""
    over = f"from {utc_text(from_epoch(since))}"
    if until is not None and until > since:
        over += f" to {utc_text(from_epoch(until))}"
    if WINDOW in query:  # the server evaluated it: no point, whatever the cause
        return (
            f"`{query}` returned no point in Prometheus `{source}` {over} — check the metric "
            f"name and labels (try it in the Prometheus UI, [1m] for [{WINDOW}]); or, if they "
            "are right: on Prometheus 3 a range of one scrape interval holds one sample, and "
            "increase, delta or changes of one sample is nothing — write a counter as its "
            f"selector (or sum(increase(<selector>[{WINDOW}])) alone), which is counted from "
            "its samples"
        )
    return (
        f"`{query}` matched no series in Prometheus `{source}` {over} — check the metric "
        "name and labels (try it in the Prometheus UI)"
    )


def no_events_reason(query: str, *, source: str) -> str:
    """``no data``'s reason for series that exist and counted no events in the window."""
    return (
        f"no events: the series of `{query}` exist in Prometheus `{source}` and counted 0 "
        "events in the window (a quiet service)"
    )


def quiet_reasons(
    reads: Sequence[SeriesQueries], states: Mapping[str, SourceState]
) -> dict[str, Quiet]:
    """Per series of ``reads`` whose newest read succeeded: why it would have no events."""
    found: dict[str, Quiet] = {}
    for r in reads:
        state = states.get(r.series)
        if state is None or state.read_until is None or state.error is not None:
            continue
        query = query_text(r.total)
        if state.total_found is False and state.total_unmatched_from is not None:
            reason = no_series_reason(
                query,
                source=r.source.name,
                since=state.total_unmatched_from,
                until=state.read_until,
            )
            found[r.series] = (
                reason,
                Stale(
                    kind="no-series",
                    reason=reason,
                    source=r.source.name,
                    data_until=from_epoch(state.read_until),
                    query=query,
                ),
                state.total_unmatched_from,
            )
        elif state.total_found:
            found[r.series] = (no_events_reason(query, source=r.source.name), None, 0)
    return found


def explained(e: Evaluation, quiet: Quiet | None) -> Evaluation:
    """``e`` with ``quiet``'s reason when it is "no data" for want of events alone."""
    if quiet is None or e.status is not Status.NO_DATA or e.total or e.stale is not None:
        return e
    reason, mark, since = quiet
    if mark is not None:
        # only a window that reaches into the reads that matched nothing: one before them had
        # series, and no events
        until = mark.data_until
        if e.window_end <= from_epoch(since) or (until is not None and e.window_start >= until):
            return e
        return replace(e, no_data=reason, stale=mark)
    return replace(e, no_data=reason) if e.no_data == NO_EVENTS else e


def explain_evaluation(
    engine: Engine | SqliteReader, e: Evaluation, reads: Sequence[SeriesQueries]
) -> Evaluation:
    """:func:`explain_quiet` for one evaluation (the web UI's SLO page)."""
    if e.status is not Status.NO_DATA or e.total or e.stale is not None:
        return e
    wanted = [r for r in reads if r.series == e.objective.series]
    if not wanted:
        return e
    with engine.connect() as conn:
        states = read_states(conn, keys=[e.objective.series])
    return explained(e, quiet_reasons(wanted, states).get(e.objective.series))


def explain_quiet(
    engine: Engine | SqliteReader, report: EvaluationReport, reads: Sequence[SeriesQueries]
) -> EvaluationReport:
    """``report`` with the objectives read from Prometheus that had no events saying why:
    their query matched no series, or their series counted none (composites as they are)."""
    quiet_keys = {
        e.objective.series for e in report.evaluations if e.status is Status.NO_DATA and not e.total
    }
    wanted = [r for r in reads if r.series in quiet_keys]
    if not wanted:
        return report
    with engine.connect() as conn:
        states = read_states(conn, keys=sorted({r.series for r in wanted}))
    quiet = quiet_reasons(wanted, states)
    if not quiet:
        return report
    return report.with_objectives(lambda e: explained(e, quiet.get(e.objective.series)))


@dataclass(frozen=True, slots=True, kw_only=True)
class Unmatched:
    """A series whose newest read's total query matched no series in its source."""

    series: str
    source: str
    query: str  # the selector, as the user would try it
    since: int  # epoch s: its reads have matched nothing since
    reason: str  # what ``evaluate`` says of its SLOs' no data

    @property
    def line(self) -> str:
        return f"{self.series}: {self.reason}"


def unmatched_series(engine: Engine, reads: Sequence[SeriesQueries]) -> tuple[Unmatched, ...]:
    """The series of ``reads`` whose total query matched no series in their newest read
    (the worker's report), by series key; one small query, none without reads."""
    if not reads:
        return ()
    with engine.connect() as conn:
        states = unmatched_states(conn)
    wanted = [r for r in reads if r.series in states]
    found = []
    for series, (reason, mark, since) in sorted(quiet_reasons(wanted, states).items()):
        if mark is not None and mark.query is not None and mark.source is not None:
            found.append(
                Unmatched(
                    series=series, source=mark.source, query=mark.query, since=since, reason=reason
                )
            )
    return tuple(found)
