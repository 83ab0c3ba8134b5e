"""The minutes of several ranges of the same series, fetched together, written in time order.

A first read by days (``services.prometheus_recorded``) leaves a handful of short ranges to
the samples: the hours the window edges cut, a few days apart. Read one after the other, each
range waited for its few queries and its write before the next was asked, so the server sat
idle while Covenant wrote, and Covenant while the server answered. Here the queries of the
ranges are in flight on the workers, the next range's while this one's are written (at most
``2 × WORKERS`` units at once, each bounded as ``_read_all``'s are: memory stays bounded
whatever the ranges), and what is fetched is written on this thread in time order, as it
comes. A series whose range failed or stopped short is not written further (its later ranges
may have been fetched already, and are dropped; once no series is left, nothing more is
asked), so its frontier never passes a gap.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from covenant.core.promql import SeriesQueries
from covenant.core.timeutil import from_epoch
from covenant.services.prometheus import (
    DEFAULT_STEP,
    WORKERS,
    ClientFactory,
    ReadReport,
    _report,
    _write,
)
from covenant.services.prometheus_units import Clients, Done, Unit, stream, units
from covenant.services.read_claims import ensure_series as _ensure_series
from covenant.services.read_claims import writing as _writing
from covenant.sources.prometheus.recorded import DAY, HOUR
from covenant.store import sqlite_writer

if TYPE_CHECKING:
    from covenant.services.prometheus import Store


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
    clients = Clients(client_for)
    with _writing(engine) as conn:
        ids = _ensure_series(conn, keys=[r.series for r in reads], step=step)
    out: list[list[ReadReport]] = [[] for _ in runs]
    going = {r.series for r in reads}

    def write(k: int, b: int, ready: Done) -> list[ReadReport]:
        with _writing(engine) as conn:
            reports = _write(
                conn,
                ready,
                ids,
                end=b,
                step=step,
                at=now,
                settled=settled if b >= settled else None,
            )
        out[k] += reports
        return reports  # a series that failed or stopped short goes no further (stream)

    def tasks() -> Iterator[tuple[int, Unit]]:
        for k, (a, b) in enumerate(runs):
            todo = [(r, a) for r in reads if r.series in going]
            for unit in units(
                todo, workers=WORKERS, end=b, step=step, max_points=max_points, going=going
            ):
                yield k, unit

    try:
        stream(
            tasks(),
            clients=clients,
            workers=WORKERS,
            step=step,
            max_points=max_points,
            going=going,
            write=write,
        )
    finally:
        clients.close()
    return out


def read_minutes(
    engine: Store,
    reads: Sequence[SeriesQueries],
    *,
    runs: Sequence[tuple[int, int]],
    end: int,
    sums: dict[str, tuple[int, int]],
    now: datetime,
    settled: int,
    client_for: ClientFactory | None,
    max_points: int,
) -> list[ReadReport]:
    """The minutes of ``runs`` in time order (:func:`read_runs`: a series stops at its first
    failed run), each series' report with its summed days and hours added. Without
    runs (the sums cover the whole range: edges on hour boundaries, at a past hour) only the
    read frontier is recorded, at the range's end."""
    if not runs:
        with _writing(engine) as conn:
            ids = _ensure_series(conn, keys=[r.series for r in reads], step=DEFAULT_STEP)
            for source in {r.source.name for r in reads}:
                mine = [(ids[r.series], end) for r in reads if r.source.name == source]
                sqlite_writer.record_frontiers(conn, mine, source=source, at=now)
        return [_report(r, end, end, end, 0, *sums[r.series], None) for r in reads]
    merged: dict[str, ReadReport] = {}
    for done in read_runs(
        engine,
        reads,
        runs=runs,
        step=DEFAULT_STEP,
        now=now,
        settled=settled,
        client_for=client_for,
        max_points=max_points,
    ):
        for report in done:
            known = merged.get(report.series)
            if known is None:
                good, total = sums[report.series]
                known = replace(report, good=report.good + good, total=report.total + total)
            else:
                known = known.then(report)
            merged[report.series] = known
    end_of = from_epoch(runs[-1][1])  # the last run read (sums may follow it)
    return [replace(merged[r.series], end=end_of) for r in reads if r.series in merged]
