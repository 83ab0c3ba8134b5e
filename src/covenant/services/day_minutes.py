"""The minutes of days a first read by days stored as their sums only, read when needed.

A first read by days (``services.prometheus_recorded``) stores the whole days no window edge
cuts as two numbers each (``store.day_sums``). The evaluation needs only those, and the
catch-up reads the minutes of the days its sliding edges come to cut (``refine_days``).
Everything else that needs minutes — a backtest, a statement measured from buckets, a chart,
an alert backtest, a suggestion, a time-slice objective or a correction added later — meets
such a day as ``DaySumsOnlyError`` naming every ``(series, day)`` it needs. Then:

- :func:`read_needed` reads the minutes of those days from the SLI's Prometheus source
  (the catch-up's machinery: one range of a day per series, replacing the day's sums);
  a series without a source, or a read that fails, raises ``MinutesUnreadError`` naming the
  SLOs, the days, the source's error and the fix;
- :func:`with_day_minutes` runs a reader, reads the days it was refused, and runs it again
  (what the CLI does, with a notice on stderr); :func:`without_catch_up` reads nothing and
  raises ``MinutesUnreadError`` at once (the worker without catch-up);
- an evaluation does not stop: its readers leave such a day out (``unread``) and the series'
  SLOs show "no data (stale)" with :func:`unread_reasons` as the reason, while every other
  SLO evaluates as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from covenant.core.results import Stale
from covenant.core.timeutil import from_epoch, utc_text
from covenant.errors import DaySumsOnlyError, MinutesUnreadError
from covenant.store.day_sums import series_keys
from covenant.store.source_state import read_states

if TYPE_CHECKING:
    from covenant.core.promql import SeriesQueries
    from covenant.services.day_retries import DayFailure, DayRetries
    from covenant.services.prometheus import ClientFactory, ReadReport, Store

T = TypeVar("T")
DAY = 86400
ROUNDS = 4
"""Readers run again at most this often after reading the days they were refused (each round
reads every day the last refusal named: one round is the rule, a reader that reads two ranges
may need two)."""

Notice = Callable[[str], None]


def day_text(start: int, span: int = DAY) -> str:
    """A day (``2026-09-23``), or with ``span`` an hour, the hour starting at ``start``
    (``2026-09-27T09:00–10:00Z``: an hour stored as its sums)."""
    if span == DAY:
        return from_epoch(start).strftime("%Y-%m-%d")
    end = from_epoch(start + span).strftime("%H:%M")
    return f"{from_epoch(start).strftime('%Y-%m-%dT%H:%M')}–{end}Z"


def days_text(days: Iterable[int], *, span: int = DAY) -> str:
    """The days (hours, with ``span``) starting at ``days``, the first five named."""
    ordered = sorted(set(days))
    shown = ", ".join(day_text(d, span) for d in ordered[:5])
    return shown + (f" and {len(ordered) - 5} more" if len(ordered) > 5 else "")


def ingest_hint(days: Iterable[int]) -> str:
    """``covenant ingest prometheus`` over the span of ``days`` (what reads their minutes)."""
    ordered = sorted(set(days))
    lo = from_epoch(ordered[0]).strftime("%Y-%m-%dT%H:%M:%SZ")
    hi = from_epoch(ordered[-1] + DAY).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"covenant ingest prometheus --from {lo} --to {hi}"


def by_key(conn: Any, unread: Mapping[int, Iterable[int]]) -> dict[str, list[int]]:
    """``unread`` (days per series id) keyed by the series' keys."""
    keys = series_keys(conn, list(unread))
    return {keys.get(i, f"series id {i}"): sorted(set(days)) for i, days in unread.items()}


def _pairs_by_id(pairs: Iterable[tuple[int, int]]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for series_id, day in pairs:
        found.setdefault(series_id, set()).add(day)
    return found


def unread_reasons(
    conn: Any,
    unread: Mapping[int, Iterable[int]],
    *,
    reads: Sequence[SeriesQueries] = (),
    waits: Mapping[str, DayFailure] | None = None,
) -> dict[str, Stale]:
    """Per series key, why an evaluation that needed the minutes of these day-sum days shows
    it "no data (stale)": the days, the failed read of its source when one is recorded (or
    the worker remembers, with when it asks again: ``waits``), the fix."""
    if not unread:
        return {}
    found = by_key(conn, unread)
    states = read_states(conn, keys=list(found))
    reasons: dict[str, Stale] = {}
    for key, days in found.items():
        state = states.get(key)
        why = ""
        wait = (waits or {}).get(key)
        if wait is not None:
            why = f"; {wait.reason()}"
        elif state is not None and state.error is not None:
            when = utc_text(state.error_at) if state.error_at else "?"
            why = f"; reading {state.source} failed at {when} [{state.error_code}]: {state.error}"
        failed = state if state is not None and state.error is not None else None
        reasons[key] = Stale(
            kind="days-unread",
            reason=(
                f"stale: the minutes of {days_text(days)} are not read yet (a first read by "
                f"days stored counts only, of the day or of some of its hours){why} — they "
                f"are read by the next catch-up (covenant evaluate, the worker) once the source "
                f"answers, or by {ingest_hint(days)}"
            ),
            source=None if state is None else state.source,
            code=None if failed is None else failed.error_code,
            failed_at=None if failed is None else failed.error_at,
        )
    return reasons


def read_needed(
    engine: Store,
    *,
    reads: Sequence[SeriesQueries],
    needed: Mapping[str, Sequence[int]],
    now: datetime,
    client_for: ClientFactory | None = None,
    retries: DayRetries | None = None,
) -> list[ReadReport]:
    """Read the minutes of ``needed`` (days per series key) from each series' source,
    replacing the days' sums; ``MinutesUnreadError`` when a series has no source here or a
    read failed (every read is tried first; what was read stays). With ``retries`` (the
    worker's), a day whose read failed lately is not asked for before its next try (its
    failure is the error's), and every read is remembered."""
    from covenant.services.prometheus_recorded import read_day_minutes  # noqa: PLC0415

    of = {r.series: r for r in reads}
    orphans = {k: d for k, d in needed.items() if k not in of}
    waiting = retries.waiting(needed, now=now) if retries is not None else {}
    per_day: dict[int, list[SeriesQueries]] = {}
    for key, days in needed.items():
        if key in of:
            for day in sorted(set(days) - set(waiting.get(key, ()))):
                per_day.setdefault(day, []).append(of[key])
    reports = read_day_minutes(engine, per_day, now=now, client_for=client_for)
    if retries is not None:
        retries.record(reports, now=now)
    failed = [r for r in reports if not r.complete]
    if failed or orphans or waiting:
        waits = retries.of_series(waiting) if retries is not None else {}
        raise unread_error(reads=reads, needed=needed, failed=failed, orphans=orphans, waits=waits)
    return reports


def unread_error(
    *,
    reads: Sequence[SeriesQueries],
    needed: Mapping[str, Sequence[int]],
    failed: Sequence[ReadReport],
    orphans: Mapping[str, Sequence[int]],
    waits: Mapping[str, DayFailure] | None = None,
) -> MinutesUnreadError:
    """The error for minutes that could not be read: the SLOs, the days, why, the fix."""
    of = {r.series: r for r in reads}
    parts: list[str] = []
    days: set[int] = set()
    bad = {r.series: r for r in failed}
    waits = waits or {}
    sources = {r.source for r in failed} | {w.source for w in waits.values()}
    for key, wanted in needed.items():
        if key not in bad and key not in orphans and key not in waits:
            continue
        days.update(wanted)
        read = of.get(key)
        slos = ", ".join(read.slos) if read is not None else key
        if key in orphans:
            why = "its SLI reads no Prometheus DataSource in this workspace"
        elif key not in bad:
            why = f"not asked again yet: {waits[key].reason()}"
        else:
            report = bad[key]
            why = f"reading {report.source} failed: {report.error or 'the read stopped early'}"
        parts.append(f"SLO {slos}: the minutes of {days_text(wanted)} — {why}")
    fix = (
        f"check that {', '.join(sorted(sources))} answers and run the command again, or read "
        f"the days with {ingest_hint(days)}"
        if sources
        else f"read the days' minutes with {ingest_hint(days)} from the source that filled them"
    )
    return MinutesUnreadError(
        "days stored as their counts or their hours' counts only (a first read by days) are "
        "needed minute by minute "
        "and could not be read: " + "; ".join(parts),
        hint=fix,
    )


def with_day_minutes(
    call: Callable[[], T],
    *,
    engine: Callable[[], Store],
    reads: Callable[[], Sequence[SeriesQueries]],
    now: Callable[[], datetime],
    notice: Notice | None = None,
    client_for: ClientFactory | None = None,
    dispose: bool = True,
    retries: DayRetries | None = None,
) -> T:
    """``call()``; when it needs the minutes of days stored as sums, read them from the
    sources (``notice`` says so first) and call again. ``engine()`` opens the store to write
    (disposed after unless ``dispose`` is False: a store the caller keeps) and ``reads()``
    gives the workspace's Prometheus reads, both only then; ``MinutesUnreadError`` when the
    days cannot be read (or wait for their next try: ``retries``, the worker's). Without
    ``client_for`` (a CLI command), the reads of one call share a command's budget per
    source: once a query got no answer, that source is not asked again
    (``services.prometheus.budgeted``)."""
    seen: set[tuple[int, int]] = set()
    known: list[SeriesQueries] | None = None
    for _ in range(ROUNDS):
        try:
            return call()
        except DaySumsOnlyError as refused:
            fresh = set(refused.needed) - seen
            if not fresh:
                raise
            seen |= fresh
            known = list(reads()) if known is None else known
            if client_for is None:
                from covenant.services.prometheus import budgeted  # noqa: PLC0415

                client_for = budgeted(tick=False)
            store = engine()
            try:
                with store.connect() as conn:
                    needed = by_key(conn, _pairs_by_id(fresh))
                if notice is not None:
                    notice(_reading_text(needed, known))
                read_needed(
                    store,
                    reads=known,
                    needed=needed,
                    now=now(),
                    client_for=client_for,
                    retries=retries,
                )
            finally:
                if dispose:
                    store.dispose()
    return call()


def without_catch_up(call: Callable[[], T], *, engine: Store, reads: Sequence[SeriesQueries]) -> T:
    """``call()``, reading nothing: when it needs the minutes of days stored as sums,
    ``MinutesUnreadError`` at once, naming the SLOs and days, its fix saying that catch-up is
    off (the worker of ``covenant serve --no-catch-up`` asks no Prometheus source)."""
    try:
        return call()
    except DaySumsOnlyError as refused:
        with engine.connect() as conn:
            needed = by_key(conn, _pairs_by_id(refused.needed))
        days = {d for ds in needed.values() for d in ds}
        parts = [
            f"SLO {', '.join(slos_of([key], reads))}: the minutes of {days_text(wanted)}"
            for key, wanted in sorted(needed.items())
        ]
        raise MinutesUnreadError(
            "days stored as their counts only (a first read by days) are needed minute by "
            "minute and were not read, because catch-up is off (the worker reads no Prometheus "
            "source): " + "; ".join(parts),
            hint=f"read the days with {ingest_hint(days)}, or run the worker with catch-up "
            "(covenant serve without --no-catch-up)",
        ) from refused


def slos_of(needed: Iterable[str], reads: Sequence[SeriesQueries]) -> list[str]:
    """The SLOs the series keys ``needed`` feed, sorted (a key no read names: itself)."""
    of = {r.series: r for r in reads}
    return sorted({s for k in needed for s in (of[k].slos if k in of else (k,))})


def _reading_text(needed: Mapping[str, Sequence[int]], reads: Sequence[SeriesQueries]) -> str:
    days = {d for ds in needed.values() for d in ds}
    slos = slos_of(needed, reads)
    return (
        f"reading the minutes of {len(days)} day{'s' if len(days) != 1 else ''} "
        f"({days_text(days)}) of {', '.join(slos)} from Prometheus: a first read by days "
        "stored their counts, or some hours' counts, only"
    )
