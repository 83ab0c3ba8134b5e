"""What a read fetches at once (units), and the loop that fetches them on worker threads and
hands them, in order, to the thread that writes.

A unit is one series, or a group of series read with one union query
(``sources.prometheus.groups``), over one *span* of its range: at most ``SPAN_PARTS`` parts of
``max_points`` buckets. A longer range is read span by span, every series' first span before
any second one, and at most ``2 × workers`` units are in flight or waiting to be written, so
a read of years holds a few spans' counts at a time, not the whole range's (before, a unit was
a series' whole range: a read from 1971 held 1.5 GB for one SLI). A series whose span failed
or stopped short is not read further: its later spans are not asked (or, when already fetched,
not written), so its read frontier never passes a gap.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from itertools import count, groupby
from typing import TYPE_CHECKING, TypeVar

from covenant.core.timeutil import to_epoch
from covenant.errors import SourceError
from covenant.services.fetch_pool import fetch_pool
from covenant.sources.prometheus.client import PrometheusClient
from covenant.sources.prometheus.groups import Member, member, read_group, union
from covenant.sources.prometheus.reads import Counts, read_counts

if TYPE_CHECKING:
    from covenant.core.promql import PrometheusSource, SeriesQueries
    from covenant.services.prometheus import ClientFactory, ReadReport

Fetched = tuple[list[Counts], SourceError | None]
Done = list[tuple["SeriesQueries", int, Fetched]]
"""Fetched series: each with the start of the span it was read from, and what was read."""
K = TypeVar("K")

GROUP_MAX = 100
"""SLIs read with one union query at most (its answer holds all their samples)."""
GROUP_MINUTES = 100_000
"""SLI-minutes one union query may ask for: a catch-up of minutes groups up to ``GROUP_MAX``
SLIs, a first read of a month (parts of 11,000 minutes) about nine. Larger answers are slower
than several smaller ones: the server encodes the whole answer before the first byte, and the
threads overlap less."""
SPAN_PARTS = 4
"""Parts one unit reads at most (4 × 11,000 minutes: a month's read is one span)."""


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
class Unit:
    """Reads fetched together up to ``end``: one series, or a group read with one
    ``selector``."""

    reads: list[tuple[SeriesQueries, int]]
    end: int
    selector: str | None = None
    members: tuple[Member, ...] = ()


def units(
    todo: list[tuple[SeriesQueries, int]],
    *,
    workers: int,
    end: int,
    step: int,
    max_points: int,
    going: set[str] | None = None,
) -> Iterator[Unit]:
    """``todo`` (each series from its start up to ``end``) as units, span by span: reads of
    one source, metric and start in groups (spread over the workers, at most ``GROUP_MAX``
    each), the others one by one; a series not in ``going`` (when given, looked at as each
    span's units are made) is left out."""
    singles: list[tuple[SeriesQueries, int]] = []
    grouped: dict[tuple[str, int, str], list[tuple[SeriesQueries, Member]]] = {}
    for r, start in todo:
        found = member(r)
        if found is None:
            singles.append((r, start))
        else:
            name, m = found
            grouped.setdefault((r.source.name, start, name), []).append((r, m))
    span = max(1, max_points) * SPAN_PARTS * step
    for offset in count(0, span):
        made = False
        for r, start in singles:
            lo = start + offset
            if lo < end and (going is None or r.series in going):
                made = True
                yield Unit(reads=[(r, lo)], end=min(end, lo + span))
        for (_, start, name), items in grouped.items():
            lo, hi = start + offset, min(end, start + offset + span)
            live = [(r, m) for r, m in items if going is None or r.series in going]
            if lo >= end or not live:
                continue
            made = True
            minutes = max(1, min((hi - lo) // step, max_points))
            most = max(1, min(GROUP_MAX, GROUP_MINUTES // minutes))
            size = max(1, min(most, -(-len(live) // workers)))
            for i in range(0, len(live), size):
                chunk = live[i : i + size]
                if len(chunk) == 1:
                    yield Unit(reads=[(chunk[0][0], lo)], end=hi)
                    continue
                members = tuple(m for _, m in chunk)
                selector = union(name, members)
                if selector is None:
                    yield from (Unit(reads=[(r, lo)], end=hi) for r, _ in chunk)
                else:
                    reads = [(r, lo) for r, _ in chunk]
                    yield Unit(reads=reads, end=hi, selector=selector, members=members)
        if not made:
            return


def fetch(client: PrometheusClient | SourceError, unit: Unit, step: int, max_points: int) -> Done:
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
            end=unit.end,
            step=step,
            max_points=max_points,
        )
        return [(r, s, f) for (r, s), f in zip(unit.reads, fetched, strict=True)]
    ((r, start),) = unit.reads
    parts: list[Counts] = []
    try:
        parts.extend(
            read_counts(client, r, start=start, end=unit.end, step=step, max_points=max_points)
        )
    except SourceError as exc:
        return [(r, start, (parts, exc))]
    return [(r, start, (parts, None))]


def stream(
    tasks: Iterable[tuple[K, Unit]],
    *,
    clients: Clients,
    workers: int,
    step: int,
    max_points: int,
    going: set[str],
    write: Callable[[K, int, Done], list[ReadReport]],
) -> None:
    """Fetch the units of ``tasks`` on ``workers`` threads (a few queries in flight hide the
    round trips; at most ``2 × workers`` units at once) and ``write(key, end, done)`` them on
    this thread in order: each time, every unit fetched so far, one call per run of units
    with the same key and end, less the series no longer ``going``: a series whose report
    says it failed or stopped short of its span's end stops (its later spans are not asked,
    or not written). Once no series is going, nothing more is asked."""
    queued = iter(tasks)
    with fetch_pool(workers) as pool:
        pending: deque[tuple[K, int, Future[Done]]] = deque()
        while going:
            while len(pending) < 2 * max(1, workers):
                task = next(queued, None)
                if task is None:
                    break
                key, unit = task
                made = clients.of(unit.reads[0][0].source)
                pending.append((key, unit.end, pool.submit(fetch, made, unit, step, max_points)))
            if not pending:
                break
            done = [pending.popleft()]  # the next in order, then all that are done after it
            done[0][2].result()
            while pending and pending[0][2].done():
                done.append(pending.popleft())
            for (key, end), group in groupby(done, key=lambda d: (d[0], d[1])):
                items = [item for *_, f in group for item in f.result() if item[0].series in going]
                for report in write(key, end, items) if items else []:
                    if report.error is not None or to_epoch(report.read_until) < end:
                        going.discard(report.series)
        for *_, future in pending:  # every series stopped: what is not fetched yet is not
            future.cancel()
