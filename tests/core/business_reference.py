"""A brute-force business-time reference: walk time step by step and ask the rules directly.

Independent of covenant.core.calendars / business_time: it reads only the *data* of a Calendar
(its fields) and uses ``zoneinfo`` to read the wall clock at every step. It never converts a
wall time to an instant. Instead it keeps the *high-water mark* of the wall clock, the largest
reading seen so far: the engine's convention "a wall time maps to the first instant at which the
clock reads that time or later" means an instant is past wall time ``w`` exactly when the
high-water mark has reached ``w``. So an instant is open when, for a shift on day ``D`` (today
or yesterday, by the high-water mark), ``D + start <= mark < D + end``, and no holiday or
closure covers the mark.

Holidays, read from the definition of ``holiday_rule`` (not from the engine):

* ``local-day``: the mark's own date being a holiday (without an override) closes it, whatever
  shift it is in; a holiday does not remove any shift;
* ``shift-start``: a holiday (without an override) has no shifts of its own, so its overnight
  tail never opens; the previous evening's shift runs on into the holiday.

Exact when every rule boundary and every queried instant is a multiple of ``step`` and the
zone's offsets are too (whole minutes for the zones under test).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from covenant.core.calendars import Calendar

DAY = 86400


class Reference:
    """Open/closed for every ``step`` seconds of ``[start, end)`` (epoch seconds)."""

    def __init__(
        self, calendar: Calendar, *, start: int, end: int, step: int = 60, warmup: int = 2 * DAY
    ) -> None:
        assert start % step == 0
        assert end % step == 0
        self.calendar = calendar
        self.start, self.end, self.step = start, end, step
        self.overrides = {o.day: [(s.start, s.end) for s in o.shifts] for o in calendar.overrides}
        self.changes = sorted((c.effective, c.hours) for c in calendar.changes)
        zone = ZoneInfo(calendar.zone)
        self.open: list[bool] = []
        mark: datetime | None = None
        t = start - warmup
        while t < end:
            wall = datetime.fromtimestamp(t, tz=UTC).astimezone(zone).replace(tzinfo=None)
            if mark is None or wall > mark:
                mark = wall
            if t >= start:
                self.open.append(self._open_at(mark))
            t += step

    def _holiday(self, day: date) -> bool:
        return day in self.calendar.holidays and day not in self.overrides

    def _shifts(self, day: date) -> list[tuple[int, int]]:
        if day in self.overrides:
            return self.overrides[day]
        if self._holiday(day) and self.calendar.holiday_rule == "shift-start":
            return []
        dates = [d for d, _ in self.changes]
        i = bisect_right(dates, day)
        weekly = self.changes[i - 1][1] if i else self.calendar.hours
        return [(s.start, s.end) for s in weekly.days[day.weekday()]]

    def _open_at(self, mark: datetime) -> bool:
        today = mark.date()
        opened = False
        for day in (today - timedelta(days=1), today):
            midnight = datetime.combine(day, time())
            for s, e in self._shifts(day):
                stop = e if e > s else e + DAY
                if midnight + timedelta(seconds=s) <= mark < midnight + timedelta(seconds=stop):
                    opened = True
        if not opened:
            return False
        if self._holiday(today) and self.calendar.holiday_rule == "local-day":
            return False
        since_midnight = (mark - datetime.combine(today, time())).total_seconds()
        return not any(
            c.day == today and c.start <= since_midnight < c.end for c in self.calendar.closures
        )

    def _index(self, t: int) -> int:
        assert self.start <= t <= self.end, t
        assert t % self.step == 0, t
        return (t - self.start) // self.step

    def _counted(self, i: int, pauses: list[tuple[int, int]]) -> bool:
        t = self.start + i * self.step
        return self.open[i] and not any(ps <= t < pe for ps, pe in pauses)

    def elapsed(self, a: int, b: int, pauses: Sequence[tuple[int, int]] = ()) -> int:
        if b <= a:
            return 0
        return self.step * sum(
            1 for i in range(self._index(a), self._index(b)) if self._counted(i, list(pauses))
        )

    def deadline(self, a: int, seconds: int, pauses: Sequence[tuple[int, int]] = ()) -> int | None:
        """The earliest instant with ``seconds`` counted; None past the end of the range."""
        if seconds == 0:
            return a
        done = 0
        for i in range(self._index(a), len(self.open)):
            if self._counted(i, list(pauses)):
                if done + self.step >= seconds:
                    return self.start + i * self.step + (seconds - done)
                done += self.step
        return None
