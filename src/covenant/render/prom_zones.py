"""Calendar periods in zones whose UTC offset changes (daylight saving time), for PromQL.

PromQL's date functions (``year``, ``month``, ``days_in_month``) read UTC. A period of a zone
with a fixed offset is the UTC period of the instant shifted by that offset; a zone with
daylight saving time needs the offset *in force at the instant*, which PromQL can compute from
the zone's transitions written into the rule as a table: ``offset = o₀ + Σ δᵢ × (t ≥ Tᵢ)``,
one ``time() >= bool …`` term per transition. The table covers a fixed horizon
(:data:`HORIZON`, from tzdata at generation time); outside it the rules would use the offset of
its edge, so the generated file states the horizon, ``covenant rules prometheus`` warns when
it is less than a year away, and the rules hold an alert that fires 90 days before it ends.

A period's UTC length changes too (a 23- or 25-hour day, a month or quarter an hour short; a
year holding both of a year's changes keeps its wall-clock length): the periods
of the horizon whose length is not the nominal one are listed, so the current period's length
is the nominal one plus the correction of the listed period holding the instant. Both tables
come from the engine's own calendar (``core.windows.calendar_period``: a repeated local time is
its first occurrence, a skipped midnight starts the day at the first instant after the gap),
so a period begins and ends at exactly the engine's instants.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from covenant.core.model import DAY, CalendarUnit, CalendarWindow
from covenant.core.timeutil import from_epoch, to_epoch
from covenant.core.windows import calendar_period

HORIZON = (
    int(datetime(2025, 1, 1, tzinfo=UTC).timestamp()),
    int(datetime(2036, 1, 1, tzinfo=UTC).timestamp()),
)
"""The instants ``[start, end)`` the offset tables cover (epoch seconds). Every transition is
a few PromQL nodes evaluated each minute (about 50 µs each in Prometheus 2.42), so the horizon
is kept to eleven years."""
WARN_BEFORE_S = 90 * DAY  # the rules' own alert fires this long before the horizon ends


def horizon_text() -> str:
    start, end = (from_epoch(t).date().isoformat() for t in HORIZON)
    return f"{start} to {end}"


@lru_cache(maxsize=64)
def transitions(zone: str) -> tuple[int, tuple[tuple[int, int], ...]]:
    """The zone's UTC offset (seconds) at the horizon's start and every change within it as
    ``(instant, new offset − old offset)``."""
    tz = ZoneInfo(zone)

    def offset(t: int) -> int:
        delta = from_epoch(t).astimezone(tz).utcoffset() or timedelta(0)
        return int(delta.total_seconds())

    start, end = HORIZON
    first = offset(start)
    changes: list[tuple[int, int]] = []
    t, here = start, first
    while t < end:
        nxt = min(t + DAY, end)
        there = offset(nxt)
        if there != here:
            lo, hi = t, nxt  # offset(lo) == here, offset(hi) == there: the change is in (lo, hi]
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if offset(mid) == here else (lo, mid)
            changes.append((hi, there - here))
            here = there
        t = nxt
    return first, tuple(changes)


def _ge(instant: int) -> str:
    """PromQL (scalar 0/1): the instant one second before the evaluation's minute — the one
    whose period the counts belong to — is at or after ``instant`` (a minute boundary)."""
    if instant % 60:
        raise ValueError(f"a transition or period boundary off the minute: {instant}")
    return f"(time() >= bool {instant + 60})"


def _signed(terms: list[tuple[int, str]]) -> str:
    return "".join(f" {'-' if k < 0 else '+'} {abs(k)} * {term}" for k, term in terms)


def offset_expr(zone: str) -> str:
    """PromQL (scalar): the zone's UTC offset in seconds at that instant."""
    first, changes = transitions(zone)
    return f"({first}{_signed([(delta, _ge(at)) for at, delta in changes])})"


def nominal_seconds(unit: CalendarUnit, start: datetime) -> int:
    """A period's length on the wall clock (the month, quarter or year of ``start``, a local
    time: a quarter is its three months, a year its twelve)."""
    if unit is CalendarUnit.DAY:
        return DAY
    if unit is CalendarUnit.WEEK:
        return 7 * DAY
    months = {CalendarUnit.MONTH: 1, CalendarUnit.QUARTER: 3}.get(unit, 12)
    first = start.month - (start.month - 1) % months
    return sum(monthrange(start.year, m)[1] for m in range(first, first + months)) * DAY


@dataclass(frozen=True, slots=True)
class Corrections:
    """The periods of the horizon whose UTC length is not the nominal one."""

    periods: tuple[tuple[int, int, int], ...]  # (UTC start, UTC end, length − nominal)
    lengths: tuple[int, ...]  # every UTC length a period of the horizon has, ascending


@lru_cache(maxsize=64)
def corrections(zone: str, unit: CalendarUnit) -> Corrections:
    window = CalendarWindow(unit=unit, zone=zone)
    tz = ZoneInfo(zone)
    found: list[tuple[int, int, int]] = []
    lengths: set[int] = set()
    at, end = HORIZON
    while at < end:
        start, stop = calendar_period(window, from_epoch(at))
        s, e = to_epoch(start), to_epoch(stop)
        local = start.astimezone(tz)
        # the wall-clock start of the period: a skipped midnight still names its day
        nominal = nominal_seconds(unit, local)
        lengths.add(e - s)
        if e - s != nominal:
            found.append((s, e, e - s - nominal))
        at = e
    return Corrections(periods=tuple(found), lengths=tuple(sorted(lengths)))


def length_expr(zone: str, unit: CalendarUnit, nominal: str) -> str:
    """PromQL: the current period's UTC length in seconds, from its wall-clock ``nominal``
    length (an instant vector) and the listed corrections."""
    return table_length_expr(corrections(zone, unit), nominal)


def table_length_expr(table: Corrections, nominal: str) -> str:
    """PromQL: ``nominal`` (an instant vector) plus the correction of the listed period holding
    the instant."""
    terms = [(c, f"({_ge(s)} - {_ge(e)})") for s, e, c in table.periods]
    return f"{nominal}{_signed(terms)}"
