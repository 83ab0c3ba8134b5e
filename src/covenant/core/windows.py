"""Where a window starts and ends: rolling windows and calendar periods in IANA zones.

Calendar periods are computed on the local wall clock of the window's zone and converted to
UTC, so a month in Europe/Berlin that contains the switch to summer time is one hour shorter
than the same month in UTC. All bounds are integer epoch seconds, ``[start, end)``.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from covenant.core.model import CalendarUnit, CalendarWindow, RollingWindow, Window
from covenant.core.timeutil import from_epoch, require_utc, to_epoch
from covenant.core.wallclock import first_instant


@dataclass(frozen=True, slots=True, kw_only=True)
class WindowBounds:
    """The part of a window that has elapsed at ``end`` and the window's full extent.

    ``start``/``end`` bound what is evaluated (``end`` is the evaluation instant);
    ``full_start``/``full_end`` bound the whole window (equal to start/end for rolling windows,
    the whole calendar period for calendar windows).
    """

    start: int
    end: int
    full_start: int
    full_end: int

    @property
    def length(self) -> int:
        """The window length W in seconds, used for budgets and burn-rate factors."""
        return self.full_end - self.full_start


def _add_months(wall: datetime, months: int) -> datetime:
    """``wall`` plus whole months, the day clamped to the month's length (Jan 31 → Feb 28)."""
    index = wall.year * 12 + wall.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return wall.replace(year=year, month=month, day=min(wall.day, monthrange(year, month)[1]))


_DEFAULT_ORIGIN = datetime(1970, 1, 1)  # noqa: DTZ001 - a wall-clock time, zone applied later
_DEFAULT_WEEK_ORIGIN = datetime(1970, 1, 5)  # noqa: DTZ001 - a Monday: ISO weeks


def calendar_period(window: CalendarWindow, at: datetime) -> tuple[datetime, datetime]:
    """The calendar period ``[start, end)`` (UTC) of ``window`` that contains ``at``.

    Periods are ``count`` units long, laid out on the zone's wall clock from ``window.anchor``
    (OpenSLO ``calendar.startTime``), else from the natural unit start: midnight, Monday, the
    1st of the month, January/April/July/October, January 1st. Month steps keep the anchor's
    day, clamped to the month's length (an anchor on the 31st starts February on the 28th/29th).
    """
    at = require_utc(at)
    zone = ZoneInfo(window.zone)
    if window.anchor is not None:
        origin = window.anchor.astimezone(zone).replace(tzinfo=None)
    elif window.unit is CalendarUnit.WEEK:
        origin = _DEFAULT_WEEK_ORIGIN
    else:
        origin = _DEFAULT_ORIGIN
    local = at.astimezone(zone).replace(tzinfo=None)
    if window.unit in (CalendarUnit.DAY, CalendarUnit.WEEK):
        days = window.count * (7 if window.unit is CalendarUnit.WEEK else 1)

        def boundary(k: int) -> datetime:
            return first_instant(origin + timedelta(days=k * days), zone)

        k = (local - origin) // timedelta(days=days)
    else:
        months = window.count * {CalendarUnit.MONTH: 1, CalendarUnit.QUARTER: 3}.get(
            window.unit, 12
        )

        def boundary(k: int) -> datetime:
            return first_instant(_add_months(origin, k * months), zone)

        k = ((local.year - origin.year) * 12 + local.month - origin.month) // months
    while boundary(k) > at:
        k -= 1
    while boundary(k + 1) <= at:
        k += 1
    return boundary(k), boundary(k + 1)


def window_bounds(window: Window, *, at: int) -> WindowBounds:
    """Bounds of ``window`` evaluated at epoch second ``at``."""
    if isinstance(window, RollingWindow):
        return WindowBounds(
            start=at - window.seconds, end=at, full_start=at - window.seconds, full_end=at
        )
    # ``at`` is the exclusive end of what has elapsed; the period is the one holding at - 1 s,
    # so an evaluation exactly at midnight on the 1st reports the month that just ended.
    start, end = calendar_period(window, from_epoch(at - 1))
    return WindowBounds(
        start=to_epoch(start), end=at, full_start=to_epoch(start), full_end=to_epoch(end)
    )
