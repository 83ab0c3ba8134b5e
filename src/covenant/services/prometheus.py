"""Filling the bucket store from Prometheus: a range on request, or catching up to now.

Each series is read part by part (``sources.prometheus.reads``), a few series at once on worker
threads; the calling thread writes them in order, whatever has arrived in one transaction,
each part *replacing* the buckets of its range (``store.bucket_ranges``), so reading a range
again changes nothing and what was read before a failure stays. A failed part stops that
series (the others go on) and is recorded in ``source_reads``: evaluations after the data that
was read show the series as "no data (stale)" with the error until a read succeeds again.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from covenant.core.promql import PrometheusSource, SeriesQueries
from covenant.core.timeutil import from_epoch, to_epoch, utc_text
from covenant.errors import QueryChangedError, SourceError
from covenant.services.fetch_pool import fetch_pool
from covenant.services.prometheus_gaps import Unanswered, keep_stored, left_error
from covenant.services.prometheus_range import aligned, future_frontier, read_range
from covenant.services.read_claims import claim_reads, claimed_by_others, with_replaced
from covenant.services.read_claims import ensure_series as _ensure_series
from covenant.services.read_claims import writing as _writing
from covenant.sources.prometheus.client import PrometheusClient
from covenant.sources.prometheus.groups import Member, member, read_group, union
from covenant.sources.prometheus.reads import MAX_POINTS, Counts, read_counts
from covenant.store import sqlite_writer
from covenant.store.bucket_ranges import Range, SumsChange, SumsMode, replace_ranges
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

Progress = Callable[[str, int, int], None]
"""``progress(series, buckets_done, buckets_in_range)``, after each part."""

ClientFactory = Callable[[PrometheusSource], PrometheusClient]


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

    @property
    def complete(self) -> bool:
        return self.error is None and self.read_until >= self.end

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
    """Fetch on ``workers`` threads (a few queries in flight hide the round trips), series
    that share a metric in groups (``groups``: one query for many SLIs); write on this one,
    in order: each time, every unit fetched so far in one transaction. The read frontier is
    recorded up to ``settled`` at most (minutes after it are written, and read again). A day
    (hour) of exact sums is replaced only by minutes adding up to them (``sums="check"``: else
    kept, and the series' read fails with ``source-sums-differ``), or by any
    (``"replace"``)."""
    clients = Clients(client_for)
    reports: list[ReadReport] = []
    todo = list(todo)
    if not todo:
        return reports
    order = {r.series: i for i, (r, _) in enumerate(todo)}
    with _writing(engine) as conn:
        ids = _ensure_series(conn, keys=[r.series for r, _ in todo], step=step)
    at = now or datetime.now(UTC)
    try:
        with fetch_pool(workers) as pool:
            pending: deque[Future[list[tuple[SeriesQueries, int, Fetched]]]] = deque()
            units = iter(
                _units(todo, workers=max(1, workers), end=end, step=step, max_points=max_points)
            )
            while True:
                while len(pending) < 2 * max(1, workers):
                    unit = next(units, None)
                    if unit is None:
                        break
                    client = clients.of(unit.reads[0][0].source)
                    pending.append(pool.submit(_fetch, client, unit, end, step, max_points))
                if not pending:
                    break
                pending[0].result()  # wait for the next in order, then take all that are done
                ready = []
                while pending and pending[0].done():
                    ready.extend(pending.popleft().result())
                with _writing(engine) as conn:
                    reports += _write(
                        conn, ready, ids, end=end, step=step, at=at, settled=settled, sums=sums
                    )
                if progress is not None:
                    for report in reports[-len(ready) :]:
                        lo = to_epoch(report.start)
                        size = (to_epoch(report.end) - lo) // step
                        progress(report.series, (to_epoch(report.read_until) - lo) // step, size)
    finally:
        clients.close()
    return sorted(reports, key=lambda report: order[report.series])


Fetched = tuple[list[Counts], SourceError | None]


class Clients:
    """One client per source for a read, made on first use (or the error making it gave,
    which every read of that source then reports), all closed at the end."""

    def __init__(self, make: ClientFactory | None) -> None:
        self.make = make or PrometheusClient
        self.made: dict[str, PrometheusClient | SourceError] = {}

    def of(self, source: PrometheusSource) -> PrometheusClient | SourceError:
        if source.name not in self.made:
            try:
                self.made[source.name] = self.make(source)
            except SourceError as exc:
                self.made[source.name] = exc
        return self.made[source.name]

    def close(self) -> None:
        for client in self.made.values():
            if isinstance(client, PrometheusClient):
                client.close()


@dataclass(frozen=True, slots=True)
class _Unit:
    """Reads fetched together: one series, or a group read with one ``selector``."""

    reads: list[tuple[SeriesQueries, int]]
    selector: str | None = None
    members: tuple[Member, ...] = ()


GROUP_MAX = 100
"""SLIs read with one union query at most (its answer holds all their samples)."""
GROUP_MINUTES = 100_000
"""SLI-minutes one union query may ask for: a catch-up of minutes groups up to ``GROUP_MAX``
SLIs, a first read of a month (parts of 11,000 minutes) about nine. Larger answers are slower
than several smaller ones: the server encodes the whole answer before the first byte, and the
threads overlap less."""


def _units(
    todo: list[tuple[SeriesQueries, int]], *, workers: int, end: int, step: int, max_points: int
) -> list[_Unit]:
    """``todo`` as units: reads of one source, metric and start in groups (spread over the
    workers, at most ``GROUP_MAX`` each), the others one by one."""
    units: list[_Unit] = []
    grouped: dict[tuple[str, int, str], list[tuple[SeriesQueries, int, Member]]] = {}
    for r, start in todo:
        found = member(r)
        if found is None:
            units.append(_Unit(reads=[(r, start)]))
            continue
        name, m = found
        grouped.setdefault((r.source.name, start, name), []).append((r, start, m))
    for (_, start, name), items in grouped.items():
        minutes = max(1, min((end - start) // step, max_points))
        most = max(1, min(GROUP_MAX, GROUP_MINUTES // minutes))
        size = max(1, min(most, -(-len(items) // workers)))
        for i in range(0, len(items), size):
            chunk = items[i : i + size]
            members = tuple(m for *_, m in chunk)
            selector = union(name, members) if len(chunk) > 1 else None
            if selector is None:
                units.extend(_Unit(reads=[(r, start)]) for r, start, _ in chunk)
            else:
                units.append(
                    _Unit(
                        reads=[(r, start) for r, start, _ in chunk],
                        selector=selector,
                        members=members,
                    )
                )
    return units


def _fetch(
    client: PrometheusClient | SourceError,
    unit: _Unit,
    end: int,
    step: int,
    max_points: int,
) -> list[tuple[SeriesQueries, int, Fetched]]:
    """Every part of the unit's series, each up to the first part that fails (on a worker
    thread)."""
    if isinstance(client, SourceError):  # the source's client could not be made
        return [(r, start, ([], client)) for r, start in unit.reads]
    if unit.selector is not None:
        start = unit.reads[0][1]
        fetched = read_group(
            client,
            unit.selector,
            unit.members,
            start=start,
            end=end,
            step=step,
            max_points=max_points,
        )
        return [(r, s, f) for (r, s), f in zip(unit.reads, fetched, strict=True)]
    ((r, start),) = unit.reads
    parts: list[Counts] = []
    try:
        parts.extend(read_counts(client, r, start=start, end=end, step=step, max_points=max_points))
    except SourceError as exc:
        return [(r, start, (parts, exc))]
    return [(r, start, (parts, None))]


def _write(
    conn: Connection | sqlite3.Connection,
    ready: Sequence[tuple[SeriesQueries, int, Fetched]],
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
        if parts:
            until = done if settled is None else min(done, max(settled, start))
            frontiers.setdefault(r.source.name, []).append((ids[r.series], until))
        report = _report(r, start, end, done, n, good, total, error)
        if mine and not kept:
            report = replace(report, replaced=tuple(mine))
        if r.series in unanswered:
            report = replace(report, unanswered=unanswered[r.series])
        reports.append(report)
        if error is not None:
            failed.append((r, error))
    for source, reads in frontiers.items():
        sqlite_writer.record_frontiers(conn, reads, source=source, at=at)
    for r, error in failed:
        sqlite_writer.record_failure(conn, ids[r.series], source=r.source.name, error=error, at=at)
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
