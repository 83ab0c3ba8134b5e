"""Filling the bucket store from Prometheus: a range on request, or catching up to now.

Each series is read part by part (``sources.prometheus.reads``), a few series at once on worker
threads; the calling thread writes them in order, whatever has arrived in one transaction,
each part *replacing* the buckets of its range (``store.bucket_ranges``), so reading a range
again changes nothing and what was read before a failure stays. A failed part stops that
series (the others go on) and is recorded in ``source_reads``: evaluations after the data that
was read show the series as "no data (stale)" with the error until a read succeeds again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from covenant.core.promql import PrometheusSource, SeriesQueries
from covenant.core.timeutil import from_epoch, require_utc, to_epoch
from covenant.errors import InputError, SourceError
from covenant.sources.prometheus.client import PrometheusClient
from covenant.sources.prometheus.reads import MAX_POINTS, Counts, read_counts
from covenant.store import buckets
from covenant.store.bucket_ranges import replace_range
from covenant.store.db import write_transaction
from covenant.store.source_reads import read_states, record_error, record_read

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

DEFAULT_STEP = 60
WORKERS = 4
"""Series fetched at once: enough to hide round trips, few enough not to crowd the server."""
DEFAULT_LAG_S = 120
"""Catch-up reads up to this long before now: a scrape that is due may not be stored yet."""

Progress = Callable[[str, int, int], None]
"""``progress(series, buckets_done, buckets_in_range)``, after each part."""

ClientFactory = Callable[[PrometheusSource], PrometheusClient]


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

    @property
    def complete(self) -> bool:
        return self.error is None and self.read_until >= self.end


def aligned(moment: datetime, step: int, *, what: str) -> int:
    """``moment`` as epoch seconds, floored to the bucket step."""
    seconds = to_epoch(require_utc(moment, what=what))
    return seconds - seconds % step


def select_reads(
    reads: Sequence[SeriesQueries],
    *,
    slos: Sequence[str] = (),
    unreadable: dict[str, str] | None = None,
) -> list[SeriesQueries]:
    """The reads of the named SLOs (all without names); a name that cannot be read is an error
    that says why."""
    if not slos:
        return list(reads)
    chosen = [r for r in reads if set(r.slos) & set(slos)]
    missing = [name for name in slos if not any(name in r.slos for r in reads)]
    if missing:
        name = missing[0]
        why = (unreadable or {}).get(name)
        raise InputError(
            f"SLO {name!r} cannot be read from Prometheus"
            + (f": {why}" if why else ": no such SLO reads a Prometheus DataSource"),
            hint="see docs/prometheus.md for how an SLI names a DataSource and its queries",
        )
    return chosen


def ingest_prometheus(
    engine: Engine,
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
    """Read ``[start, end)`` (floored to ``step``) of every series in ``reads``."""
    lo = aligned(start, step, what="--from")
    hi = aligned(end, step, what="--to")
    if hi <= lo:
        raise InputError(
            f"--to ({from_epoch(hi).isoformat()}) must be after --from "
            f"({from_epoch(lo).isoformat()}) by at least one bucket ({step}s)",
            hint="give an earlier --from or a later --to",
        )
    return _read_all(
        engine,
        [(r, lo) for r in reads],
        end=hi,
        step=step,
        progress=progress,
        client_for=client_for,
        max_points=max_points,
        now=now,
    )


def catch_up(
    engine: Engine,
    *,
    reads: Sequence[SeriesQueries],
    now: datetime,
    initial: int,
    step: int = DEFAULT_STEP,
    lag_s: int = DEFAULT_LAG_S,
    client_for: ClientFactory | None = None,
    max_points: int = MAX_POINTS,
) -> list[ReadReport]:
    """Read every series from where its last read ended (a series never read: from
    ``initial`` seconds before now) up to ``now − lag_s``, floored to the step.

    Safe to call every minute from a worker: a series already read up to there is skipped, a
    re-read range is replaced, a failure is recorded and retried on the next call.
    """
    end = aligned(now, step, what="now") - lag_s
    end -= end % step
    with engine.connect() as conn:
        states = read_states(conn, keys=[r.series for r in reads])
    todo: list[tuple[SeriesQueries, int]] = []
    for r in reads:
        state = states.get(r.series)
        since = state.read_until if state and state.read_until is not None else end - initial
        since -= since % step
        if since < end:
            todo.append((r, since))
    return _read_all(
        engine,
        todo,
        end=end,
        step=step,
        progress=None,
        client_for=client_for,
        max_points=max_points,
        now=now,
    )


def _read_all(
    engine: Engine,
    todo: Iterable[tuple[SeriesQueries, int]],
    *,
    end: int,
    step: int,
    progress: Progress | None,
    client_for: ClientFactory | None,
    max_points: int,
    now: datetime | None,
    workers: int = WORKERS,
) -> list[ReadReport]:
    """Fetch series on ``workers`` threads (a few queries in flight hide the round trips);
    write on this one, in order: each time, every series fetched so far in one transaction."""
    make = client_for or PrometheusClient
    clients: dict[str, PrometheusClient | SourceError] = {}
    reports: list[ReadReport] = []
    todo = list(todo)
    if not todo:
        return reports
    with write_transaction(engine) as conn:
        ids = buckets.ensure_series(conn, keys=[r.series for r, _ in todo], step=step)
    at = now or datetime.now(UTC)
    try:
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            pending: deque[tuple[SeriesQueries, int, Future[Fetched]]] = deque()
            items = iter(todo)
            while True:
                while len(pending) < 2 * max(1, workers):
                    item = next(items, None)
                    if item is None:
                        break
                    r, start = item
                    client = clients.get(r.source.name)
                    if client is None:
                        try:
                            client = make(r.source)
                        except SourceError as exc:
                            client = exc
                        clients[r.source.name] = client
                    future = pool.submit(_fetch, client, r, start, end, step, max_points)
                    pending.append((r, start, future))
                if not pending:
                    break
                pending[0][2].result()  # wait for the next in order, then take all that are done
                ready = []
                while pending and pending[0][2].done():
                    ready.append(pending.popleft())
                with write_transaction(engine) as conn:
                    for r, start, future in ready:
                        parts, error = future.result()
                        reports.append(
                            _write(
                                conn, r, ids[r.series], parts, error, start=start, end=end, at=at
                            )
                        )
                if progress is not None:
                    for report in reports[-len(ready) :]:
                        done = to_epoch(report.read_until) - to_epoch(report.start)
                        progress(report.series, done, to_epoch(report.end) - to_epoch(report.start))
    finally:
        for client in clients.values():
            if isinstance(client, PrometheusClient):
                client.close()
    return reports


Fetched = tuple[list[Counts], SourceError | None]


def _fetch(
    client: PrometheusClient | SourceError,
    r: SeriesQueries,
    start: int,
    end: int,
    step: int,
    max_points: int,
) -> Fetched:
    """Every part of one series, up to the first that fails (on a worker thread)."""
    if isinstance(client, SourceError):  # the source's client could not be made
        return [], client
    parts: list[Counts] = []
    try:
        parts.extend(read_counts(client, r, start=start, end=end, step=step, max_points=max_points))
    except SourceError as exc:
        return parts, exc
    return parts, None


def _write(
    conn: Connection,
    r: SeriesQueries,
    series_id: int,
    parts: list[Counts],
    error: SourceError | None,
    *,
    start: int,
    end: int,
    at: datetime,
) -> ReadReport:
    """One series' parts (replacing their ranges) and how far it was read, or why not."""
    done, good, total, n = start, 0, 0, 0
    for counts in parts:
        replace_range(
            conn,
            series_id=series_id,
            start=counts.start,
            good=counts.good,
            total=counts.total,
            step=counts.step,
        )
        done = counts.end
        good += int(counts.good.sum())
        total += int(counts.total.sum())
        n += int(counts.total.size)
    if parts:
        record_read(conn, series_id=series_id, source=r.source.name, until=done, at=at)
    if error is not None:
        record_error(
            conn,
            series_id=series_id,
            source=r.source.name,
            code=error.code,
            message=error.message,
            at=at,
        )
    return _report(r, start, end, done, n, good, total, error)


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
