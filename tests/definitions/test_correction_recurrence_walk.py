"""Recurring corrections' occurrences against a walk of the calendar, one local day at a time.

docs/corrections.md ("What a correction does", recurrence): occurrences follow the wall clock
of ``timeZone`` and each lasts ``duration`` of real time; a local time that does not exist
(spring forward) is the end of the gap — 02:15 in a gap from 02:00 to 02:30 is 02:30 on the new
clock, the instant the clock jumps — and a repeated one is its first reading.

The reference never uses dateutil nor the code under test: it steps over every local date from
the rule's first day, keeps the dates a ``DAILY`` (every ``INTERVAL``-th day) or ``WEEKLY``
(every ``INTERVAL``-th week from the first day's week, Monday first, on the ``BYDAY`` days, else
the first day's weekday) rule selects, puts the first occurrence's wall time on each, and finds
the instant by trying every offset the zone uses around it (the earliest whose reading is that
wall time; in a gap, the first second that reads past it; see recurrence_reference.py).
Rules start years before the range asked for (so the code's walk that skips whole periods
ahead is exercised), in zones whose clocks change by half an hour or at odd offsets, around
their changes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from covenant.definitions.corrections import CorrectionRule
from tests.definitions.recurrence_reference import instant, reading

# A zone, a day its clock changes, and wall times in (or at the edge of) that change.
ZONES = {
    "Australia/Lord_Howe": (date(2026, 10, 4), ["02:00", "02:15", "02:29", "02:30"]),  # gap
    "Australia/Lord_Howe ": (date(2026, 4, 5), ["01:30", "01:45", "02:00"]),  # repeated
    "Pacific/Chatham": (date(2026, 9, 27), ["02:45", "03:00", "03:44", "03:45"]),  # gap
    "Pacific/Chatham ": (date(2026, 4, 5), ["02:45", "03:15", "03:45"]),  # repeated
    "America/St_Johns": (date(2026, 3, 8), ["02:00", "02:30", "03:00"]),  # gap
    "America/St_Johns ": (date(2026, 11, 1), ["01:00", "01:30", "02:00"]),  # repeated
    "Asia/Kathmandu": (date(2026, 2, 28), ["00:00", "05:45", "23:59"]),  # none
    "Europe/Berlin": (date(2026, 3, 29), ["02:00", "02:30", "03:00"]),  # gap
}
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def walk(
    first: datetime,
    freq: str,
    interval: int,
    byday: list[int] | None,
    zone: ZoneInfo,
    days_from: date,
    last: date,
) -> list[int]:
    """The rule's occurrences (as instants) on local days from ``days_from`` to ``last``; the
    walk starts at the rule's first day, so every day before is stepped over too."""
    wall0 = first.astimezone(zone).replace(tzinfo=None)
    d0 = wall0.date()
    monday0 = d0 - timedelta(days=d0.weekday())
    days = byday if byday is not None else [d0.weekday()]
    found = []
    d = d0
    while d <= last:
        if freq == "DAILY":
            keep = (d - d0).days % interval == 0
        else:
            keep = ((d - monday0).days // 7) % interval == 0 and d.weekday() in days
        if keep and d >= days_from:
            found.append(instant(datetime.combine(d, wall0.time()), zone))
        d += timedelta(days=1)
    return found


@st.composite
def rules(draw: st.DrawFn) -> tuple[CorrectionRule, int, int, list[int]]:
    key = draw(st.sampled_from(sorted(ZONES)))
    zone = ZoneInfo(key.strip())
    change, walls = ZONES[key]
    hh, mm = map(int, draw(st.sampled_from(walls)).split(":"))
    # the first occurrence: a day years before (a time that exists then: no change in January
    # or July in these zones), at that wall time
    start_day = draw(
        st.dates(date(2019, 1, 2), date(2019, 1, 30))
        | st.dates(date(2023, 7, 1), date(2023, 7, 30))
    )
    first = instant(datetime.combine(start_day, time(hh, mm)), zone)
    assert reading(first, zone) == datetime.combine(start_day, time(hh, mm))
    freq = draw(st.sampled_from(["DAILY", "WEEKLY"]))
    interval = draw(st.integers(1, 3))
    byday = (
        sorted(draw(st.sets(st.integers(0, 6), min_size=1, max_size=3)))
        if freq == "WEEKLY" and draw(st.booleans())
        else None
    )
    text = f"FREQ={freq};INTERVAL={interval}"
    if byday is not None:
        text += ";BYDAY=" + ",".join(DAYS[i] for i in byday)
    duration = draw(st.sampled_from([1, 60, 1800, 3600, 5400, 86400 + 60]))
    rule = CorrectionRule(
        name="r",
        slos=(),
        start=datetime.fromtimestamp(first, tz=UTC),
        duration=timedelta(seconds=duration),
        zone=zone.key,
        rrule=text,
    )
    around = int(datetime.combine(change, time(12), tzinfo=zone).timestamp())
    lo = around + draw(st.integers(-3 * 86400, 2 * 86400))
    hi = lo + draw(st.integers(1, 4 * 86400))
    walked = walk(
        rule.start,
        freq,
        interval,
        byday,
        zone,
        change - timedelta(days=6),
        change + timedelta(days=8),
    )
    want = [f for f in walked if f < hi and f + duration > lo]
    return rule, lo, hi, want


@settings(max_examples=150, deadline=None, derandomize=True)
@given(rules())
def test_occurrences_equal_a_walk_of_local_days(
    case: tuple[CorrectionRule, int, int, list[int]],
) -> None:
    rule, lo, hi, want = case
    got = rule.windows(
        start=datetime.fromtimestamp(lo, tz=UTC), end=datetime.fromtimestamp(hi, tz=UTC)
    )
    assert [int(w.start.timestamp()) for w in got] == want
    assert all(w.end - w.start == rule.duration for w in got)


def test_the_walk_reads_a_gap_as_its_end() -> None:
    # Lord Howe springs from 02:00 (+10:30) to 02:30 (+11) on 4 October 2026
    zone = ZoneInfo("Australia/Lord_Howe")
    gap = instant(datetime(2026, 10, 4, 2, 15), zone)
    assert gap == int(datetime(2026, 10, 3, 15, 30, tzinfo=UTC).timestamp())
    assert reading(gap, zone) == datetime(2026, 10, 4, 2, 30)
    # it falls back from 02:00 (+11) to 01:30 (+10:30) on 5 April 2026: the first 01:45
    fold = instant(datetime(2026, 4, 5, 1, 45), zone)
    assert fold == int(datetime(2026, 4, 4, 14, 45, tzinfo=UTC).timestamp())
