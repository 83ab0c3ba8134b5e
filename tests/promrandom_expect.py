"""What Covenant should answer for the samples of tests/promrandom.py, counted by hand from the
rules the docs state — no Covenant code:

- docs/prometheus.md, "Exactness": per series, the events between two consecutive samples are
  their difference, or the later value when it is lower (a reset); they count in the minute
  ``[a, a + 1m)`` whose ``(a, a + 1m]`` holds the later sample; a series' first sample, and one
  more than 5 minutes after the previous, only set a baseline. Good is counted from the series
  the good (bad) query selects, total from the total's; a histogram SLI's good is its ``le``
  bucket of the threshold in any spelling (``op: lte``), or the count less it (``op: gt``).
- docs/semantics.md: windows, slices, budgets, burn rates, tiers and status.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import numpy as np

from tests.promrandom import DAY_S, HOUR_S, Scenario, SeriesId, le_value

LOOKBACK_MS = 300_000
Matcher = tuple[str, tuple[tuple[str, str, str], ...]]  # metric, (label, op, value)…

# tier: (severity, long s, short s, budget share) — docs/semantics.md
TIERS = {
    "page-fast": ("page", HOUR_S, 300, Fraction(2, 100)),
    "page-slow": ("page", 6 * HOUR_S, 1800, Fraction(5, 100)),
    "ticket-fast": ("ticket", DAY_S, 2 * HOUR_S, Fraction(10, 100)),
    "ticket-slow": ("ticket", 3 * DAY_S, 6 * HOUR_S, Fraction(10, 100)),
}


@dataclass(frozen=True)
class Sli:
    name: str
    spec: str  # the SLI's spec, YAML
    key: str  # the store's series key
    total: Matcher
    first: Matcher  # the good query's series, or the bad query's when ``bad``
    bad: bool
    objective: str = ""  # a threshold SLI's ``op`` and ``value`` in its SLO's objective


@dataclass(frozen=True)
class Slo:
    name: str
    sli: str
    window: tuple[str, int] | tuple[str, str, str]  # ("rolling", s) | ("calendar", unit, zone)
    target: Fraction
    slice_s: int | None = None  # Timeslices
    slice_target: Fraction | None = None


def selected(series: SeriesId, matcher: Matcher) -> bool:
    name, matchers = matcher
    if series.name != name:
        return False
    for label, op, value in matchers:
        have = series.label(label)
        if op == "le":
            if have == "" or le_value(have) != Fraction(value):
                return False
        elif op in ("=", "!="):
            if (have == value) != (op == "="):
                return False
        elif (re.fullmatch(value, have) is not None) != (op == "=~"):
            return False
    return True


def series_minutes(points: list[tuple[int, int]], lo_min: int, n: int) -> np.ndarray:
    """The events one series' samples report per minute of ``[lo_min, lo_min + n)``
    (minutes since the epoch), by the rule of docs/prometheus.md#exactness."""
    counts = np.zeros(n, dtype=np.int64)
    previous: tuple[int, int] | None = None
    for t, value in points:
        if previous is not None and t - previous[0] <= LOOKBACK_MS:
            events = value - previous[1] if value >= previous[1] else value
            minute = -(-t // 60_000) - 1  # the minute (a, a + 1m] ends in
            if lo_min <= minute < lo_min + n:
                counts[minute - lo_min] += events
        previous = (t, value)
    return counts


@dataclass
class Counts:
    """An SLI's good and total per minute from ``lo_min`` (minutes since the epoch)."""

    lo_min: int
    good: np.ndarray
    total: np.ndarray

    def over(self, start: int, end: int) -> tuple[int, int]:
        """Good and total of the minutes in ``[start, end)`` (epoch s, whole minutes)."""
        a = max(start // 60 - self.lo_min, 0)
        b = min(max(end // 60 - self.lo_min, 0), self.total.size)
        if a >= b:
            return 0, 0
        return int(self.good[a:b].sum()), int(self.total[a:b].sum())


def sli_counts(found: Scenario, sli: Sli) -> tuple[Counts, int | None]:
    """The SLI's counts per minute of the scenario's data, and the first minute (epoch s)
    whose good (or bad) count exceeds the total (a read refused as `source-bad-answer`)."""
    lo_min = found.data_start // 60
    n = (found.data_end - found.data_start) // 60
    total = np.zeros(n, dtype=np.int64)
    first = np.zeros(n, dtype=np.int64)
    for series, points in found.samples.items():
        if selected(series, sli.total):
            total += series_minutes(points, lo_min, n)
        if selected(series, sli.first):
            first += series_minutes(points, lo_min, n)
    over = np.flatnonzero(first > total)
    broken = None if over.size == 0 else (lo_min + int(over[0])) * 60
    good = total - first if sli.bad else first
    return Counts(lo_min, good, total), broken


def period(unit: str, zone: str, instant: int) -> tuple[int, int]:
    """The calendar period (epoch s) containing ``instant``: a local day, a week from Monday,
    a month."""
    tz = ZoneInfo(zone)
    local = datetime.fromtimestamp(instant, tz).date()
    if unit == "d":
        first, after = local, local + timedelta(days=1)
    elif unit == "w":
        first = local - timedelta(days=local.weekday())
        after = first + timedelta(days=7)
    else:
        first = local.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)

    def midnight(day: object) -> int:
        return int(datetime(day.year, day.month, day.day, tzinfo=tz).timestamp())  # type: ignore[attr-defined]

    return midnight(first), midnight(after)


@dataclass
class Window:
    good: int
    total: int  # events, or counted slices
    events: int

    def rate(self, target: Fraction) -> Fraction | None:
        """The burn rate: the error ratio over the budget's ratio; None without data."""
        if self.total == 0 or self.events == 0:
            return None
        return Fraction(self.total - self.good, self.total) / (1 - target)


def slices(counts: Counts, slo: Slo, start: int, end: int) -> tuple[int, int, int]:
    """Good slices, counted slices and skipped slices (no events: the default policy) of the
    slices wholly inside ``[start, end)``, laid on the epoch's grid (UTC)."""
    size = slo.slice_s
    assert size is not None
    assert slo.slice_target is not None
    first = -(-start // size) * size
    good = counted = skipped = 0
    for a in range(first, end - size + 1, size):
        g, t = counts.over(a, a + size)
        if t == 0:
            skipped += 1
            continue
        counted += 1
        if g * slo.slice_target.denominator >= slo.slice_target.numerator * t:
            good += 1
    return good, counted, skipped


def burn_window(counts: Counts, slo: Slo, at: int, seconds: int) -> Window:
    """The last ``seconds`` before ``at`` (events), or its last ``max(1, seconds / slice)``
    complete slices (time slices)."""
    if slo.slice_s is None:
        good, total = counts.over(at - seconds, at)
        return Window(good, total, total)
    n = max(1, seconds // slo.slice_s)
    last = at // slo.slice_s * slo.slice_s
    good, counted, _ = slices(counts, slo, last - n * slo.slice_s, last)
    return Window(good, counted, counts.over(last - n * slo.slice_s, last)[1])


@dataclass
class Expected:
    good: int
    total: int
    status: str
    window: tuple[int, int]
    burn: Window  # the headline 1-hour window
    tiers: dict[str, tuple[Window, Window, bool, Fraction]]  # long, short, firing, threshold


def expected(counts: Counts, slo: Slo, at_instant: int) -> Expected:
    at = at_instant // 60 * 60  # an instant inside a minute is that minute's start
    if slo.window[0] == "rolling":
        length = int(slo.window[1])
        start, whole = at - length, length
    else:
        _, unit, zone = slo.window
        start, after = period(str(unit), str(zone), at - 1)
        whole = after - start
    if slo.slice_s is None:
        good, total = counts.over(start, at)
        remaining = (1 - slo.target) * total - (total - good)
    else:
        good, total, skipped = slices(counts, slo, start, at)
        remaining = (1 - slo.target) * (whole // slo.slice_s - skipped) - (total - good)
    tiers = {}
    for name, (_, long_s, short_s, share) in TIERS.items():
        threshold = min(max(share * whole / long_s, Fraction(1)), 1 / (1 - slo.target))
        long = burn_window(counts, slo, at, long_s)
        short = burn_window(counts, slo, at, short_s)
        rates = (long.rate(slo.target), short.rate(slo.target))
        firing = all(r is not None and r >= threshold for r in rates)
        tiers[name] = (long, short, firing, threshold)
    if total == 0:
        status = "no_data"
    elif remaining < 0:
        status = "breached"
    elif any(t[2] for n, t in tiers.items() if TIERS[n][0] == "page"):
        status = "paging"
    elif any(t[2] for t in tiers.values()):
        status = "warning"
    else:
        status = "ok"
    return Expected(good, total, status, (start, at), burn_window(counts, slo, at, HOUR_S), tiers)


def utc(instant: int) -> str:
    return datetime.fromtimestamp(instant, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
