"""The minutes of several ranges of the same series, fetched together, written in time order.

A first read by days (``services.prometheus_recorded``) leaves a handful of short ranges to
the samples: the hours the window edges cut, a few days apart. Read one after the other, each
range waited for its few queries and its write before the next was asked, so the server sat
idle while Covenant wrote, and Covenant while the server answered. Here the queries of every
range are in flight on the workers (at most ``2 × WORKERS`` at once: memory stays bounded
whatever the number of ranges) while the ranges are written on this thread, in time order,
each in its own transaction as ``_read_all`` writes one. A series whose range failed is not
written further (its later ranges were fetched, and are dropped), so its frontier never passes
a gap.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING

from covenant.core.promql import SeriesQueries
from covenant.errors import SourceError
from covenant.services.prometheus import (
    WORKERS,
    ClientFactory,
    Fetched,
    ReadReport,
    _ensure_series,
    _fetch,
    _Unit,
    _units,
    _write,
    _writing,
)
from covenant.sources.prometheus.client import PrometheusClient
from covenant.sources.prometheus.recorded import DAY, HOUR

if TYPE_CHECKING:
    from covenant.services.prometheus import Store

Done = list[tuple[SeriesQueries, int, Fetched]]


def gaps(
    lo: int, end: int, days: Sequence[int], hours: Sequence[int] = ()
) -> list[tuple[int, int]]:
    """``[lo, end)`` less the day-sum days and the hour-sum hours: the ranges left to the
    minutes, in time order."""
    runs, cursor = [], lo
    for start, span in sorted([(d, DAY) for d in days] + [(h, HOUR) for h in hours]):
        if cursor < start:
            runs.append((cursor, start))
        cursor = max(cursor, start + span)
    if cursor < end:
        runs.append((cursor, end))
    return runs


def read_runs(
    engine: Store,
    reads: Sequence[SeriesQueries],
    *,
    runs: Sequence[tuple[int, int]],
    step: int,
    now: datetime,
    settled: int,
    client_for: ClientFactory | None,
    max_points: int,
) -> list[list[ReadReport]]:
    """Per range ``[a, b)`` of ``runs`` (in time order), the reports of the series read there:
    every series in the first, then those whose previous ranges all succeeded to their end.
    The read frontier is recorded up to ``settled`` at most (in a range that reaches it)."""
    if not reads or not runs:
        return []
    make = client_for or PrometheusClient
    clients: dict[str, PrometheusClient | SourceError] = {}

    def client(source: SeriesQueries) -> PrometheusClient | SourceError:
        name = source.source.name
        if name not in clients:
            try:
                clients[name] = make(source.source)
            except SourceError as exc:
                clients[name] = exc
        return clients[name]

    with _writing(engine) as conn:
        ids = _ensure_series(conn, keys=[r.series for r in reads], step=step)
    out: list[list[ReadReport]] = []
    going = {r.series for r in reads}

    def write(k: int, ready: Done) -> None:
        nonlocal going
        b = runs[k][1]
        mine = [item for item in ready if item[0].series in going]
        with _writing(engine) as conn:
            reports = _write(
                conn,
                mine,
                ids,
                end=b,
                step=step,
                at=now,
                settled=settled if b >= settled else None,
            )
        out.append(reports)
        going = {
            rep.series
            for rep in reports
            if rep.error is None and b <= int(rep.read_until.timestamp())
        }

    def tasks() -> Iterator[tuple[int, int, _Unit]]:
        for k, (a, b) in enumerate(runs):
            todo = [(r, a) for r in reads]
            for unit in _units(todo, workers=WORKERS, end=b, step=step, max_points=max_points):
                yield k, b, unit

    try:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            pending: deque[tuple[int, Future[Done]]] = deque()
            queued = tasks()
            current, ready = 0, Done()
            while True:
                while len(pending) < 2 * WORKERS:
                    task = next(queued, None)
                    if task is None:
                        break
                    k, b, unit = task
                    made = client(unit.reads[0][0])
                    pending.append((k, pool.submit(_fetch, made, unit, b, step, max_points)))
                if not pending:
                    break
                k, future = pending.popleft()
                while current < k:  # every unit of the earlier range is in: write it
                    write(current, ready)
                    current, ready = current + 1, Done()
                ready.extend(future.result())
            while current < len(runs):
                write(current, ready)
                current, ready = current + 1, Done()
    finally:
        for made in clients.values():
            if isinstance(made, PrometheusClient):
                made.close()
    return out
