"""A brute-force reference for calendar periods: a walk of the zone's clock.

It reads the clock only (``zoneinfo``, UTC instant → wall reading) and never turns a wall time
into an instant: a period boundary written as wall time ``B`` is the first instant whose
reading is ``B`` or later (docs/business-time.md, "Wall clock and DST"; docs/semantics.md,
"Windows"), found by stepping a minute at a time and then a second at a time. Boundaries are
laid out on the wall clock from the anchor (else midnight of 1970-01-01, a Monday 1970-01-05
for weeks) in steps of ``count`` units, months keeping the anchor's day clamped to the month.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from covenant.core.model import CalendarUnit, CalendarWindow

MONTHS = {CalendarUnit.MONTH: 1, CalendarUnit.QUARTER: 3, CalendarUnit.YEAR: 12}


def reading(t: int, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(t, tz=zone).replace(tzinfo=None)


def first_reading(wall: datetime, zone: ZoneInfo) -> int:
    """The first instant whose wall reading is ``wall`` or later (no offset passes ±15 h and
    the zones' offsets are whole minutes)."""
    t = int(wall.replace(tzinfo=UTC).timestamp()) - 15 * 3600
    while reading(t, zone) < wall:
        t += 60
    t -= 60
    while reading(t, zone) < wall:
        t += 1
    return t


def _boundary(origin: datetime, unit: CalendarUnit, count: int, k: int) -> datetime:
    if unit in (CalendarUnit.DAY, CalendarUnit.WEEK):
        return origin + timedelta(days=k * count * (7 if unit is CalendarUnit.WEEK else 1))
    index = origin.year * 12 + origin.month - 1 + k * count * MONTHS[unit]
    year, month = divmod(index, 12)
    return origin.replace(
        year=year, month=month + 1, day=min(origin.day, monthrange(year, month + 1)[1])
    )


def reference_period(window: CalendarWindow, at: int) -> tuple[int, int]:
    """The period ``[start, end)`` (epoch seconds) of ``window`` that holds instant ``at``."""
    zone = ZoneInfo(window.zone)
    if window.anchor is not None:
        origin = window.anchor.replace(tzinfo=None)  # a wall time in the window's zone
    elif window.unit is CalendarUnit.WEEK:
        origin = datetime(1970, 1, 5)
    else:
        origin = datetime(1970, 1, 1)
    wall = reading(at, zone)
    if window.unit in (CalendarUnit.DAY, CalendarUnit.WEEK):
        days = window.count * (7 if window.unit is CalendarUnit.WEEK else 1)
        k = (wall - origin) // timedelta(days=days) - 2
    else:
        months = window.count * MONTHS[window.unit]
        k = ((wall.year - origin.year) * 12 + wall.month - origin.month) // months - 2
    while first_reading(_boundary(origin, window.unit, window.count, k + 1), zone) <= at:
        k += 1
    start = first_reading(_boundary(origin, window.unit, window.count, k), zone)
    return start, first_reading(_boundary(origin, window.unit, window.count, k + 1), zone)
