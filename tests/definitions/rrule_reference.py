"""A brute-force RFC 5545 RRULE expander: every day of every period the rule selects is tested
against the rule's conditions, and every minute of each day kept against its time conditions.

Written from RFC 5545 §3.3.10 (the rule parts, the BYxxx expand/limit table, BYSETPOS, WKST) and
§3.8.5.3, sharing no code with ``covenant`` nor dateutil: only ``datetime``/``calendar``. It reads
the RFC's table as a filter: within one period (a year, a month, a week from ``WKST``, a day or
an hour), an occurrence is a day and wall time that meets every BYxxx part given, with the parts
the RFC fills in from DTSTART when none narrower is given:

- the time: BYHOUR, else DTSTART's hour (HOURLY: the period's hour); BYMINUTE, else DTSTART's
  minute; DTSTART's second;
- the day: ``WEEKLY`` without BYDAY: DTSTART's weekday; ``MONTHLY`` without BYMONTHDAY or BYDAY:
  DTSTART's day of the month; ``YEARLY`` without BYWEEKNO, BYYEARDAY, BYMONTHDAY or BYDAY:
  DTSTART's day of the month, in BYMONTH's months, else DTSTART's month;
- ``nMO`` picks within the month (``MONTHLY``, or ``YEARLY`` with BYMONTH) or the year
  (``YEARLY``); a day of a week numbered by BYWEEKNO is in week 1 when its week (starting on
  ``WKST``) has at least four days of the new year, and week -1 is the last of its year;
- BYSETPOS picks among one period's occurrences in order (negative: from the end); then those
  before DTSTART are dropped (DTSTART is not an occurrence unless the rule selects it: Covenant's
  documented reading of a start the rule does not select, RFC 5545 leaving it undefined),
  UNTIL keeps those at or before it, COUNT the first COUNT.

Periods are counted from DTSTART's (every ``INTERVAL``-th); invalid dates (30 February) simply
never come up as days.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@dataclass(frozen=True)
class Rule:
    freq: str
    interval: int = 1
    bymonth: tuple[int, ...] = ()
    byweekno: tuple[int, ...] = ()
    byyearday: tuple[int, ...] = ()
    bymonthday: tuple[int, ...] = ()
    byday: tuple[tuple[int, int], ...] = ()  # (ordinal or 0, weekday 0=MO)
    byhour: tuple[int, ...] = ()
    byminute: tuple[int, ...] = ()
    bysetpos: tuple[int, ...] = ()
    wkst: int = 0
    count: int | None = None
    until: datetime | None = None  # naive wall time

    def text(self) -> str:
        """The rule as RRULE text (without COUNT and UNTIL)."""
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        for name, values in (
            ("BYMONTH", self.bymonth),
            ("BYWEEKNO", self.byweekno),
            ("BYYEARDAY", self.byyearday),
            ("BYMONTHDAY", self.bymonthday),
        ):
            if values:
                parts.append(f"{name}=" + ",".join(str(v) for v in values))
        if self.byday:
            parts.append("BYDAY=" + ",".join(f"{n or ''}{DAYS[d]}" for n, d in self.byday))
        for name, values in (
            ("BYHOUR", self.byhour),
            ("BYMINUTE", self.byminute),
            ("BYSETPOS", self.bysetpos),
        ):
            if values:
                parts.append(f"{name}=" + ",".join(str(v) for v in values))
        if self.wkst:
            parts.append(f"WKST={DAYS[self.wkst]}")
        return ";".join(parts)


def _month_len(d: date) -> int:
    return calendar.monthrange(d.year, d.month)[1]


def _year_len(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def week_start(d: date, wkst: int) -> date:
    """The first day of ``d``'s week, weeks starting on weekday ``wkst``."""
    return d - timedelta(days=(d.weekday() - wkst) % 7)


def _week1(year: int, wkst: int) -> date:
    """The first day of week 1 of ``year``: the first week with at least 4 days in ``year``."""
    start = week_start(date(year, 1, 1), wkst)
    return start if (date(year, 1, 1) - start).days <= 3 else start + timedelta(days=7)


def week_number(d: date, wkst: int) -> tuple[int, int]:
    """``(n, weeks)``: ``d``'s week number and how many weeks its (week-numbering) year has."""
    year = d.year + 1 if d >= _week1(d.year + 1, wkst) else d.year
    if d < _week1(year, wkst):
        year -= 1
    first = _week1(year, wkst)
    return (d - first).days // 7 + 1, (_week1(year + 1, wkst) - first).days // 7


def _nth(d: date, weekday: int, ordinal: int, scope: tuple[date, date]) -> bool:
    if d.weekday() != weekday:
        return False
    if ordinal == 0:
        return True
    first, last = scope
    if ordinal > 0:
        return (d - first).days // 7 + 1 == ordinal
    return (last - d).days // 7 + 1 == -ordinal


def day_selected(rule: Rule, d: date, start: date) -> bool:
    """Whether ``d`` (a day of a period the rule selects) meets the rule's day conditions."""
    r = rule
    if r.bymonth and d.month not in r.bymonth:
        return False
    if r.byweekno:
        n, weeks = week_number(d, r.wkst)
        if not any(v in (n, n - weeks - 1) for v in r.byweekno):
            return False
    if r.byyearday:
        n, total = d.timetuple().tm_yday, _year_len(d.year)
        if not any(v in (n, n - total - 1) for v in r.byyearday):
            return False
    if r.bymonthday and not any(v in (d.day, d.day - _month_len(d) - 1) for v in r.bymonthday):
        return False
    if r.byday:
        in_month = r.freq == "MONTHLY" or (r.freq == "YEARLY" and r.bymonth)
        scope = (
            (d.replace(day=1), d.replace(day=_month_len(d)))
            if in_month
            else (date(d.year, 1, 1), date(d.year, 12, 31))
        )
        if not any(_nth(d, w, n, scope) for n, w in r.byday):
            return False
    # the parts DTSTART fills in when no narrower BYxxx is given
    if r.freq == "WEEKLY" and not r.byday:
        return d.weekday() == start.weekday()
    if r.freq == "MONTHLY" and not (r.bymonthday or r.byday):
        return d.day == start.day
    if r.freq == "YEARLY" and not (r.byweekno or r.byyearday or r.bymonthday or r.byday):
        return d.day == start.day and (bool(r.bymonth) or d.month == start.month)
    return True


def _period_days(rule: Rule, k: int, start: datetime) -> list[date]:
    """The days of the ``k``-th period from DTSTART's (HOURLY: the hour's day)."""
    s = start.date()
    if rule.freq == "YEARLY":
        first, last = date(s.year + k, 1, 1), date(s.year + k, 12, 31)
    elif rule.freq == "MONTHLY":
        months = s.year * 12 + s.month - 1 + k
        first = date(months // 12, months % 12 + 1, 1)
        last = first.replace(day=_month_len(first))
    elif rule.freq == "WEEKLY":
        first = week_start(s, rule.wkst) + timedelta(weeks=k)
        last = first + timedelta(days=6)
    elif rule.freq == "DAILY":
        first = last = s + timedelta(days=k)
    else:
        first = last = (start.replace(minute=0, second=0) + timedelta(hours=k)).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def period_occurrences(rule: Rule, k: int, start: datetime) -> list[datetime]:
    """Every occurrence in the ``k``-th period, by the conditions, then BYSETPOS."""
    hour_of_period = (start.replace(minute=0, second=0) + timedelta(hours=k)).hour
    found: list[datetime] = []
    for d in _period_days(rule, k, start):
        if not day_selected(rule, d, start.date()):
            continue
        for h in range(24):
            if rule.freq == "HOURLY":
                if h != hour_of_period or (rule.byhour and h not in rule.byhour):
                    continue
            elif h not in (rule.byhour or (start.hour,)):
                continue
            minutes = [m for m in range(60) if m in (rule.byminute or (start.minute,))]
            found += [datetime(d.year, d.month, d.day, h, m, start.second) for m in minutes]
    if rule.bysetpos:
        n = len(found)
        picked = {found[p - 1 if p > 0 else n + p] for p in rule.bysetpos if -n <= p <= n}
        found = sorted(picked)
    return found


def expand(rule: Rule, start: datetime, last: datetime) -> list[datetime]:
    """The rule's occurrences from DTSTART ``start`` up to ``last`` (naive wall times)."""
    out: list[datetime] = []
    k = 0
    while True:
        occurrences = period_occurrences(rule, k, start)
        days = _period_days(rule, k, start)
        for o in occurrences:
            if o < start:
                continue
            if o > last or (rule.until is not None and o > rule.until):
                return out
            out.append(o)
            if rule.count is not None and len(out) == rule.count:
                return out
        if datetime.combine(days[-1], datetime.min.time()) > last:
            return out
        k += rule.interval


def _period_of(rule: Rule, d: date, start: datetime) -> list[int]:
    """The indexes of the periods from DTSTART's that hold day ``d`` and that the rule walks
    (every ``INTERVAL``-th); HOURLY: the day's hours."""
    s = start.date()
    if rule.freq == "YEARLY":
        ks = [d.year - s.year]
    elif rule.freq == "MONTHLY":
        ks = [(d.year - s.year) * 12 + d.month - s.month]
    elif rule.freq == "WEEKLY":
        ks = [(week_start(d, rule.wkst) - week_start(s, rule.wkst)).days // 7]
    elif rule.freq == "DAILY":
        ks = [(d - s).days]
    else:
        first = (d - s).days * 24 - start.hour
        ks = list(range(first, first + 24))
    return [k for k in ks if k >= 0 and k % rule.interval == 0]


def occurs_within(rule: Rule, start: datetime, years: int) -> bool:
    """Whether the rule has an occurrence from DTSTART ``start`` to ``years`` years later.

    Only days that meet the day conditions can hold one, so only their periods are expanded.
    A DAILY or HOURLY period (whose INTERVAL divides 24) is the same on every such day, so two
    days decide (the first may lie before DTSTART)."""
    day = start.date()
    leap_day = (day.month, day.day) == (2, 29) and not calendar.isleap(day.year + years)
    last = date(day.year + years, day.month, 28 if leap_day else day.day)
    seen: set[int] = set()
    tried = 0
    while day <= last:
        periods = _period_of(rule, day, start)
        if periods and day_selected(rule, day, start.date()):
            for k in (k for k in periods if k not in seen):
                seen.add(k)
                if any(o >= start for o in period_occurrences(rule, k, start)):
                    return True
            tried += 1
            if rule.freq in ("DAILY", "HOURLY") and 24 % rule.interval == 0 and tried == 2:
                return False
        day += timedelta(days=1)
    return False
