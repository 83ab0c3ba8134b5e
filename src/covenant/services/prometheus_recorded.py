"""A first read that takes whole days from Covenant's recorded counts (``evaluate --read``).

An exact first read of a 30-day window reads every sample of it (docs/prometheus.md, "Why the
first read reads every sample"). When the server keeps the recordings of ``covenant rules
prometheus``, an event-based objective needs far less: its evaluation reads the cumulative
counts at its window edges (``core.evaluate.required_edges``), which the store sums from each
whole day's ``good_sum``/``total_sum`` and from the minutes of the days an edge cuts. So:

1. the UTC days no edge cuts are read as two numbers each from the ``1d`` recordings, checked
   (``sources.prometheus.recorded``: aligned, whole, equal to the counters' increase) and
   stored as day-sum chunks (``store.day_sums``), *first*;
2. the rest of the range — the days the edges cut, and today up to the instant — is read from
   the counters' samples as every read is (``services.prometheus``), in time order; a series
   whose earlier part failed is not read further, so its frontier never passes a gap.

An SLI whose objectives need every bucket (time slices), or that has no checked recording for
every such day, is left to the ordinary read of its samples (the caller's ``catch_up``).
Afterwards, as the windows slide, ``refine_days`` reads the minutes of the day-sum days that an
evaluation's edges come to cut, before it evaluates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from covenant.core.alert_rules import service_label, slo_label
from covenant.core.evaluate import required_edges
from covenant.core.promql import SeriesQueries
from covenant.core.timeutil import from_epoch
from covenant.core.window_answers import needs_buckets
from covenant.errors import SourceError
from covenant.services.prometheus import (
    DEFAULT_STEP,
    WORKERS,
    ClientFactory,
    ReadReport,
    _ensure_series,
    _read_all,
    _writing,
)
from covenant.sources.prometheus.client import PrometheusClient
from covenant.sources.prometheus.reads import MAX_POINTS
from covenant.sources.prometheus.recorded import (
    DAY,
    PLAIN_ID,
    DaySums,
    Recorded,
    recorded_days,
)
from covenant.store.day_sums import DaySum, day_sum_days, write_day_sums

if TYPE_CHECKING:
    from covenant.core.model import Objective
    from covenant.services.prometheus import Store

BATCH = 50
"""SLIs asked for in one query of their recordings."""


def _plan(objectives: Sequence[Objective], at: int) -> tuple[int, list[int]] | None:
    """``(first instant read, day-sum days)`` for a series read by these objectives, or None
    when one of them needs every bucket."""
    if not objectives or any(needs_buckets(o) for o in objectives):
        return None
    edges = required_edges(objectives, at=from_epoch(at), step=DEFAULT_STEP)
    lo = min(edges)
    cut = {e - e % DAY for e in edges if e % DAY}
    first = lo + (-lo % DAY)
    days = [d for d in range(first, at - at % DAY, DAY) if d not in cut]
    return lo, days


def _runs(lo: int, end: int, days: Sequence[int]) -> list[tuple[int, int]]:
    """``[lo, end)`` less the day-sum days, as ranges in time order."""
    runs, cursor = [], lo
    for d in days:
        if cursor < d:
            runs.append((cursor, d))
        cursor = max(cursor, d + DAY)
    if cursor < end:
        runs.append((cursor, end))
    return runs


def first_read_by_days(
    engine: Store,
    *,
    reads: Sequence[SeriesQueries],
    objectives: Sequence[Objective],
    at: int,
    now: datetime,
    settled: int,
    client_for: ClientFactory | None = None,
    max_points: int = MAX_POINTS,
) -> tuple[list[ReadReport], list[SeriesQueries]]:
    """Read ``reads`` (never read before) up to ``at`` with whole days from the recordings;
    the reports of the series read so, and the reads left for an ordinary read."""
    by_series: dict[str, list[Objective]] = {}
    for o in objectives:
        by_series.setdefault(o.series, []).append(o)
    plans: dict[tuple[int, tuple[int, ...]], list[Recorded]] = {}
    rest: list[SeriesQueries] = []
    for r in reads:
        mine = by_series.get(r.series, [])
        plan = _plan(mine, at)
        sloth_id = f"{service_label(mine[0])}-{slo_label(mine[0])}" if mine else ""
        if plan is None or not plan[1] or not PLAIN_ID.match(sloth_id):
            rest.append(r)
            continue
        plans.setdefault((plan[0], tuple(plan[1])), []).append(
            Recorded(queries=r, sloth_id=sloth_id)
        )
    reports: list[ReadReport] = []
    for (lo, days), recs in plans.items():
        accepted = _day_sums(engine, recs, days=days, client_for=client_for)
        rest.extend(r.queries for r in recs if r.queries.series not in accepted)
        chosen = [r.queries for r in recs if r.queries.series in accepted]
        if chosen:
            reports += _minutes(
                engine,
                chosen,
                runs=_runs(lo, at, days),
                sums=accepted,
                now=now,
                settled=settled,
                client_for=client_for,
                max_points=max_points,
            )
    return reports, rest


def _day_sums(
    engine: Store,
    recs: Sequence[Recorded],
    *,
    days: Sequence[int],
    client_for: ClientFactory | None,
) -> dict[str, tuple[int, int]]:
    """Write the checked day sums of every SLI whose every day checks; per such series its
    summed ``(good, total)``. A server that cannot answer leaves every SLI to the samples."""
    first, n = days[0], (days[-1] - days[0]) // DAY + 1
    wanted = [(d - first) // DAY for d in days]
    make = client_for or PrometheusClient
    found: dict[str, tuple[list[int], list[int]]] = {}
    by_source: dict[str, list[Recorded]] = {}
    for rec in recs:
        by_source.setdefault(rec.queries.source.name, []).append(rec)
    for items in by_source.values():
        try:
            client = make(items[0].queries.source)
        except SourceError:
            continue
        batches = [items[i : i + BATCH] for i in range(0, len(items), BATCH)]

        def ask(batch: list[Recorded], client: PrometheusClient = client) -> list[DaySums] | None:
            try:
                return recorded_days(client, batch, first=first, n=n)
            except SourceError:
                return None  # the recordings could not be read: the samples will be

        try:
            with ThreadPoolExecutor(max_workers=WORKERS) as pool:
                answers = list(pool.map(ask, batches))
        finally:
            client.close()
        for batch, sums in zip(batches, answers, strict=True):
            for rec, day in zip(batch, sums or [], strict=False):
                if bool(day.ok[wanted].all()):
                    found[rec.queries.series] = (
                        [int(v) for v in day.good[wanted]],
                        [int(v) for v in day.total[wanted]],
                    )
    if not found:
        return {}
    with _writing(engine) as conn:
        ids = _ensure_series(conn, keys=sorted(found), step=DEFAULT_STEP)
        write_day_sums(
            conn,
            [
                DaySum(ids[series], d, g, t)
                for series, (good, total) in found.items()
                for d, g, t in zip(days, good, total, strict=True)
            ],
        )
    return {series: (sum(g), sum(t)) for series, (g, t) in found.items()}


def _minutes(
    engine: Store,
    reads: Sequence[SeriesQueries],
    *,
    runs: Sequence[tuple[int, int]],
    sums: dict[str, tuple[int, int]],
    now: datetime,
    settled: int,
    client_for: ClientFactory | None,
    max_points: int,
) -> list[ReadReport]:
    """The minutes of ``runs`` in time order; a series stops at its first failed run."""
    merged: dict[str, ReadReport] = {}
    going = list(reads)
    for a, b in runs:
        if not going:
            break
        done = _read_all(
            engine,
            [(r, a) for r in going],
            end=b,
            step=DEFAULT_STEP,
            progress=None,
            client_for=client_for,
            max_points=max_points,
            now=now,
            settled=settled if b >= settled else None,
        )
        for report in done:
            known = merged.get(report.series)
            if known is None:
                good, total = sums[report.series]
                known = replace(report, good=report.good + good, total=report.total + total)
            else:
                known = replace(
                    known,
                    read_until=report.read_until,
                    buckets=known.buckets + report.buckets,
                    good=known.good + report.good,
                    total=known.total + report.total,
                    error=report.error,
                )
            merged[report.series] = replace(known, end=from_epoch(runs[-1][1]))
        going = [r for r in going if merged[r.series].error is None and b <= _until(merged, r)]
    return [merged[r.series] for r in reads if r.series in merged]


def _until(merged: dict[str, ReadReport], r: SeriesQueries) -> int:
    return int(merged[r.series].read_until.timestamp())


def refine_days(
    engine: Store,
    *,
    reads: Sequence[SeriesQueries],
    objectives: Sequence[Objective],
    at: int,
    now: datetime,
    client_for: ClientFactory | None = None,
    max_points: int = MAX_POINTS,
    every_bucket: bool = False,
    due: Callable[[str, int], bool] | None = None,
) -> list[ReadReport]:
    """Read the minutes of every day-sum day that an evaluation at ``at`` cuts with an edge
    (the windows slid into it since the first read), replacing its sums; nothing when no
    such day is stored (one query). Objectives that need every bucket (time slices), and all
    of them with ``every_bucket`` (corrections, composites), need every day of their range.
    ``due(series, day)`` False leaves that day unread (the worker's backoff after a failed
    read: ``services.day_retries``)."""
    series = {r.series for r in reads}
    mine = [o for o in objectives if o.series in series]
    if not mine:
        return []
    # the days any of their objectives' edges cut (one computation for all: a series whose own
    # windows do not cut one of them has it read too, which is only more minutes)
    edges = required_edges(mine, at=from_epoch(at), step=DEFAULT_STEP)
    cut = sorted({e - e % DAY for e in edges if e % DAY})
    whole = [o for o in mine if every_bucket or needs_buckets(o)]
    lo = None
    if whole:
        from covenant.core.evaluate import required_range  # noqa: PLC0415

        lo = required_range(whole, at=from_epoch(at), step=DEFAULT_STEP)[0]
    with engine.connect() as conn:
        from covenant.store.chunk_reads import series_rows  # noqa: PLC0415

        found = series_rows(conn, [r.series for r in reads])
        ids = [i for i, _ in found.values()]
        stored = day_sum_days(conn, series_ids=ids, before=at, days=None if whole else cut)
    if lo is not None:  # every day-sum day of the range, and the days an edge cuts
        wide = {o.series for o in whole}
        keep = {found[k][0] for k in wide if k in found}
        stored = {
            i: [d for d in days if (i in keep and d + DAY > lo) or d in cut]
            for i, days in stored.items()
        }
        stored = {i: days for i, days in stored.items() if days}
    if not stored:
        return []
    wanted: dict[int, list[SeriesQueries]] = {}
    for r in reads:
        row = found.get(r.series)
        for day in stored.get(row[0], []) if row is not None else []:
            if due is None or due(r.series, day):
                wanted.setdefault(day, []).append(r)
    return read_day_minutes(engine, wanted, now=now, client_for=client_for, max_points=max_points)


def read_day_minutes(
    engine: Store,
    days: Mapping[int, Sequence[SeriesQueries]],
    *,
    now: datetime,
    client_for: ClientFactory | None = None,
    max_points: int = MAX_POINTS,
) -> list[ReadReport]:
    """Read the minutes of each UTC day of ``days`` from the series read there, day by day,
    replacing what the day held (its sums); the reports of every read (none raises)."""
    reports: list[ReadReport] = []
    for day, todo in sorted(days.items()):
        reports += _read_all(
            engine,
            [(r, day) for r in todo],
            end=day + DAY,
            step=DEFAULT_STEP,
            progress=None,
            client_for=client_for,
            max_points=max_points,
            now=now,
        )
    return reports
