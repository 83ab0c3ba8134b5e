"""Filling the bucket store from Prometheus: a range on request, or catching up to now.

Each series is read part by part (``sources.prometheus.reads``), span by span and a few series
at once on worker threads (``services.prometheus_units``); the calling thread writes them in
order, whatever has arrived in one transaction, each part *replacing* the buckets of its
range (``store.bucket_ranges``), so reading a range again changes nothing and what was read
before a failure stays. A failed part stops that series (the others go on) and is recorded in
``source_reads``: evaluations after the data that was read show the series as "no data
(stale)" with the error until a read succeeds again. The same transaction counts, per source,
the failed series reads by error code and the instant of a read that returned data
(``store.source_health``: what ``/metrics`` shows of each source's reads).
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from covenant.core.promql import Match, PrometheusSource, SeriesQueries
from covenant.core.timeutil import from_epoch, to_epoch, utc_text
from covenant.errors import QueryChangedError, SourceError
from covenant.services.no_series import query_text
from covenant.services.prometheus_gaps import Unanswered, keep_stored, left_error
from covenant.services.prometheus_range import aligned, future_frontier, read_range
from covenant.services.prometheus_units import Clients, Done, stream, units
from covenant.services.read_claims import claim_reads, claimed_by_others, with_replaced
from covenant.services.read_claims import ensure_series as _ensure_series
from covenant.services.read_claims import writing as _writing
from covenant.sources.prometheus.client import PrometheusClient
from covenant.sources.prometheus.reads import MAX_POINTS, Counts, unmatched
from covenant.store import sqlite_writer
from covenant.store.bucket_ranges import Range, SumsChange, SumsMode, replace_ranges
from covenant.store.source_health import record_source_reads
from covenant.store.source_state import read_states
from covenant.store.sqlite_writer import SqliteWriter

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

    from covenant.store.source_queries import Replaced

    Store = Engine | SqliteWriter

DEFAULT_STEP = 60
WORKERS = 4
"""Series fetched at once: enough to hide round trips, few enough not to crowd the server."""
DEFAULT_LAG_S = 120
"""Catch-up reads up to this long before now: a scrape that is due may not be stored yet."""

ClientFactory = Callable[[PrometheusSource], PrometheusClient]

Progress = Callable[[str, int, int], None]
"""``progress(series, buckets_done, buckets_in_range)``, after each part."""


def budgeted(make: ClientFactory | None = None, *, tick: bool = True) -> ClientFactory:
    """A client factory for one worker tick: the clients ``make`` (default ``PrometheusClient``)
    gives for one source share a ``Budget`` (``sources.prometheus.budget``) of one query's
    time, so a source that hangs costs a tick that once; with ``tick`` False (one command's
    read) no time limit, but a query without an answer stops the source's other queries."""
    from covenant.sources.prometheus.budget import Budget, query_budget_s  # noqa: PLC0415

    base = make or PrometheusClient
    budgets: dict[str, Budget] = {}
    lock = threading.Lock()

    def client_for(source: PrometheusSource) -> PrometheusClient:
        client = base(source)
        if client.budget is not None:  # ``make`` gave it one (an outer tick or command): kept
            return client
        with lock:
            budget = budgets.get(source.name)
            if budget is None:
                seconds = query_budget_s(source.timeout_s, client.attempts, client.backoff_s)
                scope = "tick" if tick else "command"  # a command's: no time limit
                budget = budgets[source.name] = Budget(seconds if tick else math.inf, scope=scope)
        client.budget = budget
        return client

    return client_for


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadReport:
    """What reading one series did: the range asked for, how far it got, what it counted."""

    series: str
    slos: tuple[str, ...]
    source: str
    start: datetime
    end: datetime
    read_until: datetime  # == end when everything was read
    buckets: int
    good: int
    total: int
    error: SourceError | None = None
    replaced: tuple[SumsChange, ...] = ()
    """Days (hours) of exact sums this read replaced by minutes adding up to other counts
    (``covenant ingest prometheus`` only: every other read keeps them and fails)."""
    note: str = ""  # why a first read took every sample, not whole days (prometheus_recorded)
    query_changed: Replaced | None = None
    """The SLI's query had changed since it was read: what the claim before this read did
    (the old query's counts set aside; ``store.source_queries``); None: it had not."""
    unanswered: Unanswered | None = None
    """The minutes the server had no data for (``services.prometheus_gaps``); None: none."""
    no_series: str | None = None
    """The total query as to try it (``no_series.query_text``) when it matched no series over
    all of this read (a misspelt metric or label): its minutes without data are no retention
    gap (``read_warnings.no_series``); None: it matched some."""

    @property
    def complete(self) -> bool:
        return self.error is None and self.read_until >= self.end

    def then(self, later: ReadReport) -> ReadReport:
        """This report and the same series' read of the span after it, as one."""
        gaps = self.unanswered
        if later.unanswered is not None:
            gaps = later.unanswered if gaps is None else gaps.then(later.unanswered)
        return replace(
            self,
            end=later.end,
            read_until=later.read_until,
            buckets=self.buckets + later.buckets,
            good=self.good + later.good,
            total=self.total + later.total,
            error=later.error,
            replaced=self.replaced + later.replaced,
            unanswered=gaps,
            no_series=later.no_series if self.no_series else None,
        )

    def kept(self) -> str:
        """What a failed read leaves: ``what was read up to … stays``, or that nothing was."""
        if self.read_until > self.start:
            return f"what was read up to {utc_text(self.read_until)} stays"
        return f"nothing after {utc_text(self.start)} was read"


def ingest_prometheus(
    engine: Store,
    *,
    reads: Sequence[SeriesQueries],
    start: datetime,
    end: datetime,
    step: int = DEFAULT_STEP,
    progress: Progress | None = None,
    client_for: ClientFactory | None = None,
    max_points: int = MAX_POINTS,
    now: datetime | None = None,
) -> list[ReadReport]:
    """Read ``[start, end)`` (floored to ``step``) of every series in ``reads``: the user's
    explicit read, which replaces days (hours) of exact sums even by minutes adding up to other
    counts (each report names them: ``replaced``)."""
    lo, hi = read_range(start, end, step=step, now=now or datetime.now(UTC))
    replaced = claim_reads(engine, reads, step=step, at=now or datetime.now(UTC))
    reports = _read_all(
        engine,
        [(r, lo) for r in reads],
        end=hi,
        step=step,
        progress=progress,
        client_for=budgeted(client_for, tick=False),
        max_points=max_points,
        now=now,
        sums="replace",
    )
    return with_replaced(reports, replaced, reads)


def catch_up(
    engine: Store,
    *,
    reads: Sequence[SeriesQueries],
    now: datetime,
    initial: int,
    step: int = DEFAULT_STEP,
    lag_s: int = DEFAULT_LAG_S,
    client_for: ClientFactory | None = None,
    max_points: int = MAX_POINTS,
    until: datetime | None = None,
    due: Callable[[str, int], bool] | None = None,
) -> list[ReadReport]:
    """Read every series from where its last read ended (a series never read: from
    ``initial`` seconds before the end) up to ``now − lag_s``, floored to the step; not a
    series for which ``due(series, start)`` is False (the worker's backoff).

    Safe to call every minute from a worker: a series already read up to there is skipped
    (unless its last read failed: then its last minute is read again, and a success clears the
    error), a re-read range is replaced, a failure is recorded and retried on the next call.

    ``until`` (an evaluation's instant) reads up to it instead, at most up to ``now``: the
    minutes after ``now − lag_s`` are written but the read is recorded only up to there, so
    the next catch-up reads them again (a scrape that was due may have arrived since).
    """
    current = aligned(now, step, what="now")
    settled = current - lag_s
    settled -= settled % step
    end = settled
    if until is not None:
        end = min(aligned(until, step, what="--at"), aligned(now, step, what="now"))
    with engine.connect() as conn:
        states = read_states(conn, keys=[r.series for r in reads])
    replaced = claim_reads(engine, reads, step=step, at=now, states=states)
    if replaced:  # their keys name other series now: a new one (never read), or one restored
        with engine.connect() as conn:
            for key in replaced:
                states.pop(key, None)
            states.update(read_states(conn, keys=list(replaced)))
    todo: list[tuple[SeriesQueries, int]] = []
    for r in reads:
        state = states.get(r.series)
        since = state.read_until if state and state.read_until is not None else end - initial
        if state is not None and since > current:  # services.prometheus_range.future_frontier
            since = future_frontier(state, otherwise=end - initial, lag_s=lag_s)
        since -= since % step
        if due is not None and not due(r.series, since):
            continue
        if since < end:
            todo.append((r, since))
        elif state is not None and state.error is not None and since == end > step:
            # nothing new to read, but the last read failed: the last minute is read again
            # (replaced by itself), so a source that answers clears the error now rather than
            # when the next minute is due (docs/prometheus.md, "When reading fails")
            todo.append((r, end - step))
    reports = _read_all(
        engine,
        todo,
        end=end,
        step=step,
        progress=None,
        client_for=client_for,
        max_points=max_points,
        now=now,
        settled=settled,
    )
    return with_replaced(reports, replaced, reads)


def _read_all(
    engine: Store,
    todo: Iterable[tuple[SeriesQueries, int]],
    *,
    end: int,
    step: int,
    progress: Progress | None,
    client_for: ClientFactory | None,
    max_points: int,
    now: datetime | None,
    settled: int | None = None,
    workers: int = WORKERS,
    sums: SumsMode = "check",
) -> list[ReadReport]:
    """Fetch on ``workers`` threads, span by span, series that share a metric in groups
    (``services.prometheus_units``); write on this one, in order. The read frontier is
    recorded up to ``settled`` at most (minutes after it are written, and read again). A day
    (hour) of exact sums is replaced only by minutes adding up to them (``sums="check"``: else
    kept, and the series' read fails with ``source-sums-differ``), or by any
    (``"replace"``)."""
    todo = list(todo)
    if not todo:
        return []
    starts = {r.series: start for r, start in todo}
    with _writing(engine) as conn:
        ids = _ensure_series(conn, keys=list(starts), step=step)
    at = now or datetime.now(UTC)
    merged: dict[str, ReadReport] = {}
    going = set(starts)

    def write(_: None, span_end: int, done: Done) -> list[ReadReport]:
        with _writing(engine) as conn:
            reports = _write(
                conn, done, ids, end=span_end, step=step, at=at, settled=settled, sums=sums
            )
        for report in reports:
            known = merged.get(report.series)
            merged[report.series] = report if known is None else known.then(report)
            if progress is not None:
                lo = starts[report.series]
                done_n = (to_epoch(report.read_until) - lo) // step
                progress(report.series, done_n, (end - lo) // step)
        return reports

    clients = Clients(client_for)
    try:
        stream(
            (
                (None, u)
                for u in units(
                    todo,
                    workers=max(1, workers),
                    end=end,
                    step=step,
                    max_points=max_points,
                    going=going,
                )
            ),
            clients=clients,
            workers=workers,
            step=step,
            max_points=max_points,
            going=going,
            write=write,
        )
    finally:
        clients.close()
    last = from_epoch(end)
    return [replace(merged[r.series], end=last) for r, _ in todo if r.series in merged]


def _write(
    conn: Connection | sqlite3.Connection,
    ready: Done,
    ids: dict[str, int],
    *,
    end: int,
    step: int,
    at: datetime,
    settled: int | None,
    sums: SumsMode = "check",
) -> list[ReadReport]:
    """Fetched series' parts (replacing their ranges, all in a few statements) and how far
    each was read, or why not; a read is recorded up to ``settled`` at most (the minutes
    after it are read again). Stored sums the minutes do not add up to are kept (``sums``
    ``"check"``: the series' read fails from the first such day or hour) or replaced."""
    others = claimed_by_others(conn, [r for r, _, _ in ready], ids)
    refused = [
        _report(r, start, end, start, 0, 0, 0, QueryChangedError.of(r.series))
        for r, start, _ in ready
        if r.series in others
    ]
    ready = [item for item in ready if item[0].series not in others]
    read = {r.series: _counted(start, parts) for r, start, (parts, _) in ready}  # as fetched
    answered = [
        (ids[r.series], min(heard))
        for r, _, (parts, _) in ready
        if (heard := [c.answered_from for c in parts if c.answered_from is not None])
    ]
    ready, unanswered = keep_stored(conn, ready, step=step)
    ranges = [
        Range(ids[r.series], c.start, c.good, c.total) for r, _, (parts, _) in ready for c in parts
    ]
    found: list[SumsChange] = []
    replace_ranges(conn, ranges, step=step, sums=sums, changes=found)
    changed: dict[int, list[SumsChange]] = {}
    for change in found:
        changed.setdefault(change.series_id, []).append(change)
    frontiers: dict[str, list[tuple[int, int]]] = {}
    matches: list[tuple[int, int, Match, Match]] = []
    reports = []
    failed: list[tuple[SeriesQueries, SourceError]] = []
    for r, start, (parts, fetch_error) in ready:
        error = fetch_error
        done, good, total, n = read[r.series]
        mine = changed.get(ids[r.series], [])
        gap = unanswered.get(r.series)
        if gap is not None and gap.left_from is not None and sums == "check":
            done = max(start, min(done, gap.left_from))  # read again when the server answers
            error = error or left_error(r.source.name, r.series, gap)
        kept = [c for c in mine if c.kept]
        if kept:  # exact sums kept: the read failed there
            done = max(start, min(done, kept[0].start))
            if error is None:
                from covenant.services.kept_sums import kept_error  # noqa: PLC0415

                error = kept_error(r.source.name, r.series, kept)
        report = _report(r, start, end, done, n, good, total, error)
        if parts:
            until = done if settled is None else min(done, max(settled, start))
            frontiers.setdefault(r.source.name, []).append((ids[r.series], until))
            first_match, total_match = unmatched(parts)
            matches.append((ids[r.series], until, first_match, total_match))
            if total_match[2]:
                report = replace(report, no_series=query_text(r.total))
        if mine and not kept:
            report = replace(report, replaced=tuple(mine))
        if r.series in unanswered:
            report = replace(report, unanswered=unanswered[r.series])
        reports.append(report)
        if error is not None:
            failed.append((r, error))
    for source, reads in frontiers.items():
        sqlite_writer.record_frontiers(conn, reads, source=source, at=at)
    sqlite_writer.record_matches(conn, matches)  # after: a first read's row is made there
    sqlite_writer.record_answered(conn, answered)  # where the source answered (data_from)
    for r, error in failed:
        sqlite_writer.record_failure(conn, ids[r.series], source=r.source.name, error=error, at=at)
    errors = Counter((r.source.name, error.code) for r, error in failed)
    record_source_reads(conn, succeeded=dict.fromkeys(frontiers, to_epoch(at)), failed=errors)
    return reports + refused  # (not recorded: the series is the other query's now)


def _counted(start: int, parts: Sequence[Counts]) -> tuple[int, int, int, int]:
    """How far ``parts`` reach, their good and total events and their buckets, as read."""
    done, good, total, n = start, 0, 0, 0
    for counts in parts:
        done = counts.end
        good += int(counts.good.sum())
        total += int(counts.total.sum())
        n += int(counts.total.size)
    return done, good, total, n


def _report(
    r: SeriesQueries,
    start: int,
    end: int,
    done: int,
    n: int,
    good: int,
    total: int,
    error: SourceError | None,
) -> ReadReport:
    return ReadReport(
        series=r.series,
        slos=r.slos,
        source=r.source.name,
        start=from_epoch(start),
        end=from_epoch(end),
        read_until=from_epoch(done),
        buckets=n,
        good=good,
        total=total,
        error=error,
    )
