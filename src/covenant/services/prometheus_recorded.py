"""A first read that takes whole days from Covenant's recorded counts (``evaluate --read``).

An exact first read of a 30-day window reads every sample of it (docs/prometheus.md, "Why the
first read reads every sample"). When the server keeps the recordings of ``covenant rules
prometheus``, an event-based objective needs far less: its evaluation reads the cumulative
counts at its window edges (``core.evaluate.required_edges``), which the store sums from each
whole day's ``good_sum``/``total_sum`` and from the minutes of the days an edge cuts. So:

1. the UTC days no edge cuts are read as two numbers each from the ``1d`` recordings, checked
   (``sources.prometheus.recorded``: aligned, whole, equal to the counters' increase) and
   stored as day-sum chunks (``store.day_sums``), *first*;
2. the hours of the days the edges cut (and today's before the current hour) that no edge cuts,
   and every hour of a day that did not check in step 1 (a counter reset by a deploy, a series
   that came or went: the day's recorded count differs from the counters' increase), are read
   as two numbers each from the ``1h`` recordings the same way, and those that check are
   stored as hour pieces (``store.hour_pieces``); an hour that does not is left to step 3;
3. the rest of the range — the hours the edges cut, the hours that did not check, and the
   current hour up to the instant — is read from the counters' samples as every read is
   (``services.prometheus``), in time order; a series whose earlier part failed is not read
   further, so its frontier never passes a gap.

An SLI whose objectives need every bucket (time slices), or whose day recordings are missing
or not aligned (no rules loaded, a rule group evaluated at changing offsets), is left to the
ordinary read of its samples (the caller's ``catch_up``).
Afterwards, as the windows slide, ``refine_days`` reads the minutes of the day-sum days and of
the summed hours that an evaluation's edges come to cut, before it evaluates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from covenant.core.alert_rules import service_label, slo_label
from covenant.core.evaluate import required_edges
from covenant.core.promql import SeriesQueries
from covenant.core.timeutil import from_epoch
from covenant.core.window_answers import needs_buckets
from covenant.errors import SourceError
from covenant.services.fetch_pool import fetch_pool
from covenant.services.prometheus import (
    DEFAULT_STEP,
    WORKERS,
    ClientFactory,
    ReadReport,
    _read_all,
)
from covenant.services.prometheus_runs import gaps, read_minutes
from covenant.services.read_claims import claimed_by_others
from covenant.services.read_claims import ensure_series as _ensure_series
from covenant.services.read_claims import writing as _writing
from covenant.sources.prometheus.client import PrometheusClient
from covenant.sources.prometheus.reads import MAX_POINTS
from covenant.sources.prometheus.recorded import (
    DAY,
    HOUR,
    PLAIN_ID,
    DaySums,
    Recorded,
    recorded_days,
)
from covenant.store.day_sums import (
    DaySum,
    HourSums,
    day_sum_days,
    hour_sum_days,
    write_day_sums,
    write_hour_sums,
)
from covenant.store.hour_pieces import ALL as ALL_HOURS
from covenant.store.hour_pieces import summed as hour_summed

if TYPE_CHECKING:
    from covenant.core.model import Objective
    from covenant.services.prometheus import Store

BATCH = 50
"""SLIs asked for in one query of their recordings."""


def _plan(objectives: Sequence[Objective], at: int) -> tuple[int, list[int], list[int]] | None:
    """``(first instant read, day-sum days, hour-sum hours)`` for a series read by these
    objectives, or None when one of them needs every bucket. The hours are those of the days
    an edge cuts (and today's, before the hour of ``at``) that no edge cuts."""
    if not objectives or any(needs_buckets(o) for o in objectives):
        return None
    edges = required_edges(objectives, at=from_epoch(at), step=DEFAULT_STEP)
    lo = min(edges)
    cut = {e - e % DAY for e in edges if e % DAY}
    first = lo + (-lo % DAY)
    days = [d for d in range(first, at - at % DAY, DAY) if d not in cut]
    cut_hours = {e - e % HOUR for e in edges if e % HOUR}
    whole = set(days)
    hours = [
        h
        for h in range(lo + (-lo % HOUR), at - at % HOUR, HOUR)
        if h - h % DAY not in whole and h not in cut_hours
    ]
    return lo, days, hours


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
    unchecked: dict[str, str] | None = None,
) -> tuple[list[ReadReport], list[SeriesQueries]]:
    """Read ``reads`` (never read before) up to ``at`` with whole days from the recordings;
    the reports of the series read so, and the reads left for an ordinary read (of those the
    recordings could not witness, the reason in ``unchecked`` by series)."""
    unchecked = {} if unchecked is None else unchecked
    by_series: dict[str, list[Objective]] = {}
    for o in objectives:
        by_series.setdefault(o.series, []).append(o)
    plans: dict[tuple[int, tuple[int, ...], tuple[int, ...]], list[Recorded]] = {}
    rest: list[SeriesQueries] = []
    for r in reads:
        mine = by_series.get(r.series, [])
        plan = _plan(mine, at)
        sloth_id = f"{service_label(mine[0])}-{slo_label(mine[0])}" if mine else ""
        if plan is None or not plan[1] or not PLAIN_ID.match(sloth_id):
            rest.append(r)
            continue
        hours = tuple(h for h in plan[2] if h + HOUR <= settled)  # settled hours only
        plans.setdefault((plan[0], tuple(plan[1]), hours), []).append(
            Recorded(queries=r, sloth_id=sloth_id)
        )
    reports: list[ReadReport] = []
    for (lo, days, hours), recs in plans.items():
        # the hours of the cut days are witnessed while the days are (the server and this
        # process each have work while the other answers): for every SLI of the plan, those
        # whose days then fail too (a server without the rules pays its few empty queries);
        # two pools of WORKERS, so at most 2 × WORKERS witness queries at once
        with fetch_pool(1) as side:
            early = (
                side.submit(_witnessed, recs, periods=hours, span=HOUR, client_for=client_for)
                if hours
                else None
            )
            accepted = _day_sums(
                engine, recs, days=days, client_for=client_for, unchecked=unchecked
            )
            base = early.result() if early is not None else {}
        rest.extend(r.queries for r in recs if r.queries.series not in accepted)
        taken = [r for r in recs if r.queries.series in accepted]
        # a day that did not check (a reset, a series that came or went) is asked by hours:
        # only the hours around the change are then read from the samples
        more: dict[str, set[int]] = {}
        for rec in taken:
            failed = sorted(set(days) - set(accepted[rec.queries.series][0]))
            hs = {h for d in failed for h in range(d, d + DAY, HOUR) if h + HOUR <= settled}
            if hs:
                more[rec.queries.series] = hs
        # asked together (one witness for every such series), each keeping the hours it wants
        extra = sorted(set().union(*more.values())) if more else []
        late = (
            _witnessed(
                [r for r in taken if r.queries.series in more],
                periods=extra,
                span=HOUR,
                client_for=client_for,
            )
            if extra
            else {}
        )
        fine: dict[str, Fine] = {}
        for rec in taken:
            series = rec.queries.series
            ok = _fine(hours, base[series]) if series in base else []
            if series in late:
                ok += _fine(extra, late[series], more[series])
            if ok:
                fine[series] = sorted(ok)
        summed = _hour_sums(engine, fine, {r.queries.series: r.queries for r in taken})
        sums: dict[str, tuple[int, int]] = {}
        groups: dict[tuple[tuple[int, ...], tuple[int, ...]], list[SeriesQueries]] = {}
        for rec in taken:
            series = rec.queries.series
            ok_days, good, total = accepted[series]
            got = summed.get(series)
            if got is not None:
                good, total = good + got[1], total + got[2]
            sums[series] = (good, total)
            key = (ok_days, got[0] if got is not None else ())
            groups.setdefault(key, []).append(rec.queries)
        for (ok_days, ok_hours), chosen in groups.items():
            reports += read_minutes(
                engine,
                chosen,
                runs=gaps(lo, at, ok_days, ok_hours),
                end=at,
                sums=sums,
                now=now,
                settled=settled,
                client_for=client_for,
                max_points=max_points,
            )
    return reports, rest


def _witnessed(
    recs: Sequence[Recorded],
    *,
    periods: Sequence[int],
    span: int,
    client_for: ClientFactory | None,
) -> dict[str, DaySums]:
    """Per series, its recorded sums on ``periods`` (days or hours, ascending) and whether
    each checks (``sources.prometheus.recorded``); a server that cannot answer: none."""
    runs: list[list[int]] = []  # periods near each other (hours within a day) asked together
    for p in periods:
        if runs and p - runs[-1][-1] <= max(DAY, 7 * span):
            runs[-1].append(p)
        else:
            runs.append([p])
    make = client_for or PrometheusClient
    found: dict[str, DaySums] = {}
    by_source: dict[str, list[Recorded]] = {}
    for rec in recs:
        by_source.setdefault(rec.queries.source.name, []).append(rec)
    for items in by_source.values():
        try:
            client = make(items[0].queries.source)
        except SourceError:
            continue
        client.trips = False  # no answer here leaves these SLIs to their samples, still asked
        batches = [items[i : i + BATCH] for i in range(0, len(items), BATCH)]

        def ask(batch: list[Recorded], client: PrometheusClient = client) -> list[DaySums] | None:
            try:
                parts = [
                    (
                        [(p - run[0]) // span for p in run],
                        recorded_days(
                            client,
                            batch,
                            first=run[0],
                            n=(run[-1] - run[0]) // span + 1,
                            span=span,
                        ),
                    )
                    for run in runs
                ]
            except SourceError:
                return None  # the recordings could not be read: the samples will be
            return [
                DaySums(
                    good=np.concatenate([d[k].good[at] for at, d in parts]),
                    total=np.concatenate([d[k].total[at] for at, d in parts]),
                    ok=np.concatenate([d[k].ok[at] for at, d in parts]),
                    checked=all(d[k].checked for _, d in parts),
                    why=next((d[k].why for _, d in parts if d[k].why), ""),
                )
                for k in range(len(batch))
            ]

        try:
            with fetch_pool(WORKERS) as pool:
                answers = list(pool.map(ask, batches))
        finally:
            client.close()
        for batch, sums in zip(batches, answers, strict=True):
            for rec, day in zip(batch, sums or [], strict=False):
                found[rec.queries.series] = day
    return found


def _day_sums(
    engine: Store,
    recs: Sequence[Recorded],
    *,
    days: Sequence[int],
    client_for: ClientFactory | None,
    unchecked: dict[str, str],
) -> dict[str, tuple[tuple[int, ...], int, int]]:
    """Write the days that check of every SLI whose recordings were there to compare; per
    such series ``(those days, their good, their total)`` (its other days are asked by
    hours). A server that cannot answer, or an SLI without aligned recordings, is left to
    the samples (absent; the latter's reason put in ``unchecked``)."""
    if not days:
        return {}
    checked = _witnessed(recs, periods=days, span=DAY, client_for=client_for)
    unchecked.update({s: d.why for s, d in checked.items() if not d.checked and d.why})
    found = {series: _fine(days, d) for series, d in checked.items() if d.checked}
    kept = sorted(series for series, ok in found.items() if ok)
    if kept:
        queries = {r.queries.series: r.queries for r in recs}
        with _writing(engine) as conn:
            ids = _ensure_series(conn, keys=kept, step=DEFAULT_STEP)
            # claimed for another query by another process since: left to the samples' read,
            # whose write says so (source-query-changed)
            others = claimed_by_others(conn, [queries[k] for k in kept], ids)
            kept = [k for k in kept if k not in others]
            write_day_sums(
                conn, [DaySum(ids[series], d, g, t) for series in kept for d, g, t in found[series]]
            )
        found = {series: ok for series, ok in found.items() if series not in others}
    return {series: _totals(ok) for series, ok in found.items()}


Fine = list[tuple[int, int, int]]
"""Periods (day or hour starts) that check, each with its good and total."""


def _fine(periods: Sequence[int], d: DaySums, wanted: set[int] | None = None) -> Fine:
    """The periods of ``d`` that check (and are ``wanted``, when given)."""
    return [
        (p, int(g), int(t))
        for p, g, t, ok in zip(periods, d.good, d.total, d.ok, strict=True)
        if ok and (wanted is None or p in wanted)
    ]


def _totals(ok: Fine) -> tuple[tuple[int, ...], int, int]:
    """``(the periods, their good, their total)``."""
    return tuple(p for p, _, _ in ok), sum(g for _, g, _ in ok), sum(t for *_, t in ok)


def _hour_sums(
    engine: Store, fine: Mapping[str, Fine], queries: Mapping[str, SeriesQueries]
) -> dict[str, tuple[tuple[int, ...], int, int]]:
    """Write the hours that check of each SLI (``fine``) as hour pieces of their days
    (``store.hour_pieces``: the other hours of those days are left to the minutes); per series
    ``(those hours, their good, their total)``."""
    per_day, per_hour = DAY // DEFAULT_STEP, HOUR // DEFAULT_STEP
    rows: list[tuple[str, int, Any, Any, int]] = []
    for series, ok in fine.items():
        days: dict[int, tuple[Any, Any, int]] = {}
        for h, g, t in ok:
            day = h - h % DAY
            good, total, mask = days.setdefault(
                day, (np.zeros(per_day, np.int64), np.zeros(per_day, np.int64), ALL_HOURS)
            )
            good[(h - day) // HOUR * per_hour] = g
            total[(h - day) // HOUR * per_hour] = t
            days[day] = (good, total, mask & ~(1 << ((h - day) // HOUR)))
        rows += [(series, day, g, t, m) for day, (g, t, m) in sorted(days.items())]
    if fine:
        with _writing(engine) as conn:
            ids = _ensure_series(conn, keys=sorted(fine), step=DEFAULT_STEP)
            others = claimed_by_others(conn, [queries[k] for k in fine], ids)  # as _day_sums
            rows = [row for row in rows if row[0] not in others]
            write_hour_sums(conn, [HourSums(ids[s], day, g, t, m) for s, day, g, t, m in rows])
        fine = {series: ok for series, ok in fine.items() if series not in others}
    return {series: _totals(ok) for series, ok in fine.items()}


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
    due: Callable[[str, int, int], bool] | None = None,
) -> list[ReadReport]:
    """Read the minutes of every day-sum day that an evaluation at ``at`` cuts with an edge
    (the windows slid into it since the first read), replacing its sums, and of every hour
    stored as its sums (``store.hour_pieces``) that an edge cuts; nothing when no such day or
    hour is stored (two queries). Objectives that need every bucket (time slices), and all of
    them with ``every_bucket`` (corrections, composites), need every day of their range.
    ``due(series, start, span)`` False leaves that day (hour) unread (the worker's backoff after a
    failed read: ``services.day_retries``)."""
    series = {r.series for r in reads}
    mine = [o for o in objectives if o.series in series]
    if not mine:
        return []
    # the days any of their objectives' edges cut (one computation for all: a series whose own
    # windows do not cut one of them has it read too, which is only more minutes)
    edges = required_edges(mine, at=from_epoch(at), step=DEFAULT_STEP)
    cut = sorted({e - e % DAY for e in edges if e % DAY})
    cut_hours = sorted({e - e % HOUR for e in edges if e % HOUR})
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
        pieces_of = hour_sum_days(
            conn,
            series_ids=ids,
            days=cut if lo is None else [*range(lo - lo % DAY, at, DAY), *cut],
        )
    keep: set[int] = set()
    if lo is not None:  # every day-sum day of the range, and the days an edge cuts
        wide = {o.series for o in whole}
        keep = {found[k][0] for k in wide if k in found}
        stored = {
            i: [d for d in days if (i in keep and d + DAY > lo) or d in cut]
            for i, days in stored.items()
        }
        stored = {i: days for i, days in stored.items() if days}
    # days of hour pieces: all of a day a reader of every bucket needs, else the cut hours
    hours: dict[int, list[int]] = {}
    for (i, day), mask in pieces_of.items():
        if i in keep and lo is not None and day + DAY > lo:
            stored.setdefault(i, []).append(day)
            continue
        summed = set(hour_summed(mask))
        needed = [h for h in cut_hours if h - h % DAY == day and (h - day) // HOUR in summed]
        if needed:
            hours[i] = [*hours.get(i, []), *needed]
    if not stored and not hours:
        return []
    wanted: dict[int, list[SeriesQueries]] = {}
    wanted_hours: dict[int, list[SeriesQueries]] = {}
    for r in reads:
        row = found.get(r.series)
        for day in sorted(set(stored.get(row[0], []))) if row is not None else []:
            if due is None or due(r.series, day, DAY):
                wanted.setdefault(day, []).append(r)
        for hour in sorted(set(hours.get(row[0], []))) if row is not None else []:
            if due is None or due(r.series, hour, HOUR):
                wanted_hours.setdefault(hour, []).append(r)
    return read_day_minutes(
        engine, wanted, now=now, client_for=client_for, max_points=max_points
    ) + read_day_minutes(
        engine, wanted_hours, now=now, client_for=client_for, max_points=max_points, span=HOUR
    )


def read_day_minutes(
    engine: Store,
    days: Mapping[int, Sequence[SeriesQueries]],
    *,
    now: datetime,
    client_for: ClientFactory | None = None,
    max_points: int = MAX_POINTS,
    span: int = DAY,
) -> list[ReadReport]:
    """Read the minutes of each UTC day of ``days`` from the series read there, day by day,
    replacing what the day held (its sums); the reports of every read (none raises). With
    ``span`` ``HOUR``: each hour of ``days`` (hour starts), replacing its sums. Sums are
    replaced only by minutes adding up to them exactly (checked in the write's transaction:
    ``store.bucket_ranges``); else they are kept and that read fails with
    ``source-sums-differ`` (``services.kept_sums``)."""
    reports: list[ReadReport] = []
    for day, todo in sorted(days.items()):
        reports += _read_all(
            engine,
            [(r, day) for r in todo],
            end=day + span,
            step=DEFAULT_STEP,
            progress=None,
            client_for=client_for,
            max_points=max_points,
            now=now,
        )
    return reports
