"""A brute-force reference for recurring corrections: RFC 5545 rules walked one local day at a
time on the wall clock of the correction's zone.

Written from docs/corrections.md (recurrence, until/count) and RFC 5545 §3.3.10, sharing no
code with ``covenant``: only ``datetime``/``zoneinfo``. The rules it knows:

- ``HOURLY`` every ``INTERVAL``-th hour of wall-clock time from the first occurrence (hours of
  the naive wall clock: a fall-back night reads its repeated hour once, a spring-forward night
  skips the hour that never shows), optionally only on ``BYDAY`` weekdays;
- ``DAILY`` every ``INTERVAL``-th day; ``WEEKLY`` every ``INTERVAL``-th week (Monday first) on the
  ``BYDAY`` days, else the first day's weekday;
- ``MONTHLY`` every ``INTERVAL``-th month, on ``BYMONTHDAY`` days (negative: from the month's
  end), or ``BYDAY`` weekdays (with an ordinal: the n-th, or from the end the n-th, of the
  month), else the first occurrence's day of the month — a month without that day (the 31st in
  April) has no occurrence, as RFC 5545 says of invalid dates;
- ``YEARLY`` every ``INTERVAL``-th year, in the ``BYMONTH`` months (else the first occurrence's
  month), on ``BYDAY`` (ordinal within the month) or the first occurrence's day — 29 February
  only in leap years;
- every occurrence but ``HOURLY`` ones keeps the first occurrence's wall time; none is before
  the first; ``COUNT`` keeps the first ``COUNT``; ``UNTIL`` keeps those starting at or before
  it (an instant, compared as an instant);
- a wall time is its instant by the first-reading rule: in a fold the first reading, in a gap
  the gap's end (the instant the clock jumps).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def reading(t: int, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(t, tz=zone).replace(tzinfo=None)


def _offset(t: int, zone: ZoneInfo) -> int:
    return int((reading(t, zone) - reading(t, ZoneInfo("UTC"))).total_seconds())


def instant(wall: datetime, zone: ZoneInfo) -> int:
    """The first instant ``zone``'s clock reads ``wall``; in a gap, the instant the gap ends."""
    naive = int(wall.replace(tzinfo=UTC).timestamp())
    offsets = {_offset(naive + h * 3600, zone) for h in range(-48, 49, 4)}
    valid = [naive - o for o in offsets if reading(naive - o, zone) == wall]
    if valid:
        return min(valid)
    # a gap: readings jump over ``wall``; find the first second that reads past it
    lo, hi = naive - max(offsets), naive - min(offsets)  # reads before / after wall
    assert reading(lo, zone) < wall < reading(hi, zone)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if reading(mid, zone) > wall:
            hi = mid
        else:
            lo = mid
    return hi


@dataclass(frozen=True)
class Rule:
    freq: str
    interval: int = 1
    byday: tuple[tuple[int, int], ...] = ()  # (ordinal or 0, weekday 0=MO)
    bymonthday: tuple[int, ...] = ()
    bymonth: tuple[int, ...] = ()
    count: int | None = None

    def text(self) -> str:
        parts = [f"FREQ={self.freq}", f"INTERVAL={self.interval}"]
        if self.byday:
            parts.append("BYDAY=" + ",".join(f"{n or ''}{DAYS[d]}" for n, d in self.byday))
        if self.bymonthday:
            parts.append("BYMONTHDAY=" + ",".join(str(v) for v in self.bymonthday))
        if self.bymonth:
            parts.append("BYMONTH=" + ",".join(str(v) for v in self.bymonth))
        return ";".join(parts)


def _days_in(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _weekday_ok(rule: Rule, d: date) -> bool:
    """BYDAY within the month (MONTHLY, YEARLY with BYMONTH) or as plain weekdays."""
    n_days = _days_in(d.year, d.month)
    for ordinal, weekday in rule.byday:
        if d.weekday() != weekday:
            continue
        if ordinal == 0:
            return True
        if ordinal > 0 and (d.day - 1) // 7 + 1 == ordinal:
            return True
        if ordinal < 0 and (n_days - d.day) // 7 + 1 == -ordinal:
            return True
    return False


def _day_selected(rule: Rule, d: date, first: date) -> bool:
    if rule.bymonthday:
        n_days = _days_in(d.year, d.month)
        return any(v == d.day or n_days + v + 1 == d.day for v in rule.bymonthday)
    if rule.byday:
        return _weekday_ok(rule, d)
    return d.day == first.day


def walls(rule: Rule, first: datetime, last: date) -> list[datetime]:
    """The rule's wall-clock occurrences from ``first`` (naive) to the end of ``last``."""
    d0 = first.date()
    monday0 = d0 - timedelta(days=d0.weekday())
    found: list[datetime] = []
    d = d0
    while d <= last:
        months = (d.year - d0.year) * 12 + d.month - d0.month
        times: list[datetime] = []
        if rule.freq == "HOURLY":
            if not rule.byday or any(d.weekday() == w for _, w in rule.byday):
                for h in range(24):
                    wall = datetime(d.year, d.month, d.day, h, first.minute, first.second)
                    hours = (wall - first) // timedelta(hours=1)
                    if wall >= first and hours % rule.interval == 0:
                        times.append(wall)
        else:
            if rule.freq == "DAILY":
                keep = (d - d0).days % rule.interval == 0
            elif rule.freq == "WEEKLY":
                days = [w for _, w in rule.byday] or [d0.weekday()]
                keep = ((d - monday0).days // 7) % rule.interval == 0 and d.weekday() in days
            elif rule.freq == "MONTHLY":
                keep = months % rule.interval == 0 and _day_selected(rule, d, d0)
            else:  # YEARLY
                in_month = d.month in (rule.bymonth or (d0.month,))
                keep = (
                    (d.year - d0.year) % rule.interval == 0
                    and in_month
                    and _day_selected(rule, d, d0)
                )
            wall = datetime.combine(d, first.time())
            if keep and wall >= first:
                times.append(wall)
        found += times
        if rule.count is not None and len(found) >= rule.count:
            return found[: rule.count]
        d += timedelta(days=1)
    return found


def occurrences(
    rule: Rule,
    first: datetime,
    zone: ZoneInfo,
    *,
    until: int | None,
    duration: int,
    lo: int,
    hi: int,
) -> list[int]:
    """The starts (instants) of the occurrences overlapping ``[lo, hi)``."""
    last = (reading(hi, zone) + timedelta(days=2)).date()
    starts = [instant(w, zone) for w in walls(rule, first, last) if w.date() >= _near(lo, zone)]
    if until is not None:
        starts = [s for s in starts if s <= until]
    return [s for s in starts if s < hi and s + duration > lo]


def _near(lo: int, zone: ZoneInfo) -> date:
    """A day safely before any occurrence that can overlap ``lo`` (durations under 3 days)."""
    return (reading(lo, zone) - timedelta(days=4)).date()
