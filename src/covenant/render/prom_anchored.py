"""Calendar windows of several units or from an unnatural start (``2w``, ``14d``, ``3M``, a
week from Wednesday, a month from the 15th), for PromQL.

Every such window is laid out as the engine lays it out (``core.windows.calendar_period``):
periods of ``count`` units on the zone's wall clock from ``calendar.startTime`` (the anchor).
PromQL sees the wall clock as an epoch second, ``local = t + offset`` (the offset a constant,
or from the zone's table: ``render.prom_zones``), and numbers the period holding it:

- days and weeks: ``k = floor((local − origin) / P)``, ``P`` the period's wall-clock seconds
  and ``origin`` the anchor's wall-clock time as an epoch second (no anchor: 1970-01-01, or the
  Monday 1970-01-05 for weeks, the engine's origins);
- months (quarters, years): the anchor on day ``D ≤ 28`` at time ``h`` of its month is moved
  to the 1st at midnight by reading ``local − ((D − 1) days + h)`` instead (every month has a
  day ``D``, so the shift maps each period start to the 1st of a month), and
  ``k = floor((12 × year + month − 1 − i₀) / M)``, ``i₀`` the anchor's month index and ``M``
  the months of a period. Its wall-clock length is the days from the 1st of month
  ``i₀ + kM`` to that of ``i₀ + (k + 1)M``, from the day number of a month's 1st counted from
  March of year 0 (``365 y + ⌊y/4⌋ − ⌊y/100⌋ + ⌊y/400⌋ + ⌊(153 m + 2) / 5⌋``, ``y`` and ``m``
  March-based: Gregorian, no table).

A month from the 29th–31st is clamped in shorter months (the engine starts February on the
28th or 29th): no shift maps it, and it stays reported. In a zone with daylight saving time
the wall clock is not monotone (a repeated hour) and has gaps: the layout is checked against
the engine's every period of the table's horizon (its first and last second and both sides of
each offset change), and a start the two place differently (a startTime in a skipped or
repeated hour) is reported too. The period's UTC length is then the wall-clock length plus
the correction table of the periods whose length is not it, as for one unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from covenant.core.model import DAY, CalendarUnit, CalendarWindow
from covenant.core.timeutil import from_epoch, to_epoch
from covenant.core.windows import calendar_period
from covenant.render.prom_zones import HORIZON, Corrections, transitions

_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 - a wall-clock time
_WEEK_ORIGIN = datetime(1970, 1, 5)  # noqa: DTZ001 - the engine's Monday (ISO weeks)
_MONTHS = {CalendarUnit.MONTH: 1, CalendarUnit.QUARTER: 3, CalendarUnit.YEAR: 12}
LETTERS = {
    CalendarUnit.DAY: "d",
    CalendarUnit.WEEK: "w",
    CalendarUnit.MONTH: "M",
    CalendarUnit.QUARTER: "Q",
    CalendarUnit.YEAR: "Y",
}


def _num(value: int) -> str:
    return f"({value})" if value < 0 else str(value)


@dataclass(frozen=True, slots=True)
class Layout:
    """A window's periods on the wall clock: how PromQL numbers them and sizes them."""

    window: CalendarWindow
    origin: datetime  # the anchor on the wall clock (naive)
    period_s: int  # days and weeks: the period's seconds; 0 for months
    months: int  # months: the months of a period; 0 for days and weeks
    shift_s: int  # months: the seconds from the 1st at midnight to the anchor's day and time

    @property
    def name(self) -> str:
        return f"{self.window.count}{LETTERS[self.window.unit]}"

    # -- PromQL (``at``: an instant vector of wall-clock epoch seconds) -----------------------

    def id_expr(self, at: str) -> str:
        """PromQL: the number of the period holding the wall-clock instants ``at``."""
        if self.months == 0:
            origin = int((self.origin - _EPOCH).total_seconds())
            return f"floor(({at} - {_num(origin)}) / {self.period_s})"
        return f"floor(({self._index(at)} - {self._first()}) / {self.months})"

    def days_expr(self, at: str) -> str:
        """PromQL: the wall-clock length in days of the period holding ``at``."""
        if self.months == 0:
            return f"vector({self.period_s // DAY})"
        if self.months == 1:
            return f"days_in_month({self._shifted(at)})"
        k = self.id_expr(at)
        start = f"({k} * {self.months} + {self._first() - 2})"  # March-based month index
        end = f"({start} + {self.months})"
        return f"({_day_number(end)} - {_day_number(start)})"

    def _shifted(self, at: str) -> str:
        return f"({at} - {self.shift_s})" if self.shift_s else at

    def _index(self, at: str) -> str:
        shifted = self._shifted(at)
        return f"(year({shifted}) * 12 + month({shifted}) - 1)"

    def _first(self) -> int:
        return self.origin.year * 12 + self.origin.month - 1

    # -- the same in Python, for the tables and the check against the engine -----------------

    def index(self, local: datetime) -> int:
        if self.months == 0:
            return int((local - self.origin).total_seconds()) // self.period_s
        shifted = local - timedelta(seconds=self.shift_s)
        return (shifted.year * 12 + shifted.month - 1 - self._first()) // self.months

    def nominal_s(self, k: int) -> int:
        """The wall-clock seconds of period ``k``."""
        if self.months == 0:
            return self.period_s
        return (
            _month_start(self._first() + (k + 1) * self.months)
            - _month_start(self._first() + k * self.months)
        ).days * DAY

    def fixed_days(self) -> tuple[int, ...]:
        """Every wall-clock length in days a period has from 2000 to 2100, ascending."""
        if self.months == 0:
            return (self.period_s // DAY,)
        lo = (2000 * 12 - self._first()) // self.months - 1
        hi = (2101 * 12 - self._first()) // self.months + 1
        return tuple(sorted({self.nominal_s(k) // DAY for k in range(lo, hi)}))


def _month_start(index: int) -> date:
    year, month = divmod(index, 12)
    return date(year, month + 1, 1)


def _day_number(index: str) -> str:
    """PromQL: the day number of the 1st of the month ``index`` (March-based: 12 × year + month
    − 3, months from March), counted from 1 March of year 0."""
    y = f"floor({index} / 12)"
    m = f"({index} - 12 * {y})"
    return (
        f"(365 * {y} + floor({y} / 4) - floor({y} / 100) + floor({y} / 400)"
        f" + floor((153 * {m} + 2) / 5))"
    )


def layout(window: CalendarWindow) -> Layout | str:
    """The window's layout, or why PromQL cannot lay it out."""
    tz = ZoneInfo(window.zone)
    if window.anchor is None:
        origin = _WEEK_ORIGIN if window.unit is CalendarUnit.WEEK else _EPOCH
    else:
        origin = window.anchor.astimezone(tz).replace(tzinfo=None)
    if origin.second or origin.microsecond:
        return "a calendar startTime that is not on a whole minute has no PromQL form"
    if window.unit in (CalendarUnit.DAY, CalendarUnit.WEEK):
        days = window.count * (7 if window.unit is CalendarUnit.WEEK else 1)
        return Layout(window=window, origin=origin, period_s=days * DAY, months=0, shift_s=0)
    if origin.day > 28:
        return (
            "a calendar window of months from the 29th, 30th or 31st has no PromQL form "
            "(its periods start on a clamped day in shorter months)"
        )
    since = origin - origin.replace(day=1, hour=0, minute=0)
    return Layout(
        window=window,
        origin=origin,
        period_s=0,
        months=window.count * _MONTHS[window.unit],
        shift_s=int(since.total_seconds()),
    )


@lru_cache(maxsize=64)
def seasonal_table(window: CalendarWindow) -> Corrections | str:
    """The periods of the horizon whose UTC length is not their wall-clock length, once the
    layout is checked to number every minute of the horizon as the engine's calendar does;
    or why it does not (a start in a skipped or repeated hour)."""
    found = layout(window)
    if isinstance(found, str):
        return found
    tz = ZoneInfo(window.zone)
    _, changes = transitions(window.zone)

    def k_at(t: int) -> int:
        return found.index(from_epoch(t).astimezone(tz).replace(tzinfo=None))

    periods: list[tuple[int, int, int]] = []
    lengths: set[int] = set()
    at, end = HORIZON
    previous: int | None = None
    while at < end:
        start, stop = calendar_period(window, from_epoch(at))
        s, e = to_epoch(start), to_epoch(stop)
        k = k_at(s)
        inside = [c for c, _ in changes if s < c < e]
        probes = [s, e - 1] + [p for c in inside for p in (c - 1, c)]
        agrees = s % 60 == 0 and (previous is None or k == previous + 1)
        if not agrees or any(k_at(p) != k for p in probes):
            wall = found.origin.strftime("%H:%M")
            return (
                f"a calendar startTime at {wall} in {window.zone}, which daylight saving time "
                "skips or repeats on some period's start, has no PromQL form"
            )
        lengths.add(e - s)
        if e - s != found.nominal_s(k):
            periods.append((s, e, e - s - found.nominal_s(k)))
        previous, at = k, e
    return Corrections(periods=tuple(periods), lengths=tuple(sorted(lengths)))
