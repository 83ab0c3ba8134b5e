"""Calendar periods are right across DST, including Lord Howe's 30-minute shift."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from covenant.core.model import CalendarUnit, CalendarWindow, RollingWindow
from covenant.core.timeutil import to_epoch
from covenant.core.windows import calendar_period, window_bounds
from covenant.errors import InputError, NaiveDatetimeError
from tests.strategies import ZONES


@pytest.mark.parametrize(
    ("zone", "month", "hours"),
    [
        ("UTC", (2026, 2), 28 * 24),
        ("Europe/Berlin", (2026, 3), 31 * 24 - 1),  # spring forward
        ("Europe/Berlin", (2026, 10), 31 * 24 + 1),  # fall back
        ("America/New_York", (2026, 3), 31 * 24 - 1),
        ("America/New_York", (2026, 11), 30 * 24 + 1),
        ("Australia/Lord_Howe", (2026, 4), 30 * 24 + 0.5),  # DST ends 5 April: +30 min
        ("Australia/Lord_Howe", (2026, 10), 31 * 24 - 0.5),  # DST starts 4 October: −30 min
        ("Asia/Kolkata", (2026, 7), 31 * 24),
    ],
)
def test_month_lengths_across_dst(zone: str, month: tuple[int, int], hours: float) -> None:
    window = CalendarWindow(unit=CalendarUnit.MONTH, zone=zone)
    at = datetime(*month, 15, 12, tzinfo=ZoneInfo(zone))
    start, end = calendar_period(window, at)
    assert (end - start) == timedelta(hours=hours)
    assert start.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == datetime(*month, 1)


def _walk_days(start_local: datetime, days: int, zone: ZoneInfo) -> float:
    """Hours in ``days`` local days, by adding up each day's own length."""
    total = 0.0
    day = start_local
    for _ in range(days):
        nxt = day + timedelta(days=1)
        total += (
            nxt.replace(tzinfo=zone).astimezone(UTC) - day.replace(tzinfo=zone).astimezone(UTC)
        ).total_seconds() / 3600
        day = nxt
    return total


@given(
    zone=st.sampled_from(ZONES),
    unit=st.sampled_from(
        [CalendarUnit.DAY, CalendarUnit.WEEK, CalendarUnit.MONTH, CalendarUnit.QUARTER]
    ),
    instant=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
    ),
)
def test_period_contains_instant_and_tiles(
    zone: str, unit: CalendarUnit, instant: datetime
) -> None:
    window = CalendarWindow(unit=unit, zone=zone)
    start, end = calendar_period(window, instant)
    assert start <= instant < end
    after, _ = calendar_period(window, end)
    assert after == end  # the next period starts where this one ends
    tz = ZoneInfo(zone)
    local_start = start.astimezone(tz).replace(tzinfo=None)
    local_end = end.astimezone(tz).replace(tzinfo=None)
    assert local_start.time() == local_end.time() == datetime.min.time()
    days = (local_end.date() - local_start.date()).days
    assert (end - start).total_seconds() / 3600 == pytest.approx(_walk_days(local_start, days, tz))
    if unit is CalendarUnit.WEEK:
        assert local_start.weekday() == 0
        assert days == 7
    if unit is CalendarUnit.MONTH:
        assert local_start.day == 1
    if unit is CalendarUnit.QUARTER:
        assert local_start.day == 1
        assert local_start.month in (1, 4, 7, 10)


def test_anchor_on_the_31st_clamps_in_short_months() -> None:
    window = CalendarWindow(unit=CalendarUnit.MONTH, anchor=datetime(2026, 1, 31, tzinfo=UTC))
    start, end = calendar_period(window, datetime(2026, 3, 1, tzinfo=UTC))
    assert (start, end) == (datetime(2026, 2, 28, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC))


def test_evaluation_at_midnight_reports_the_period_that_just_ended() -> None:
    window = CalendarWindow(unit=CalendarUnit.MONTH)
    b = window_bounds(window, at=to_epoch(datetime(2026, 11, 1, tzinfo=UTC)))
    assert b.full_start == to_epoch(datetime(2026, 10, 1, tzinfo=UTC))
    assert b.length == 31 * 86400


def test_rolling_bounds() -> None:
    b = window_bounds(RollingWindow(seconds=3600), at=7200)
    assert (b.start, b.end, b.length) == (3600, 7200, 3600)


def test_naive_and_bad_inputs_are_refused_with_a_fix() -> None:
    with pytest.raises(NaiveDatetimeError, match="tzinfo=UTC"):
        calendar_period(CalendarWindow(unit=CalendarUnit.DAY), datetime(2026, 1, 1))
    with pytest.raises(InputError, match="IANA"):
        CalendarWindow(unit=CalendarUnit.DAY, zone="Mars/Olympus")


def test_an_anchor_inside_a_dst_gap_keeps_its_wall_time() -> None:
    """startTime 2026-03-29 02:30 Europe/Berlin does not exist; days still start at 02:30."""
    berlin = ZoneInfo("Europe/Berlin")
    window = CalendarWindow(
        unit=CalendarUnit.DAY,
        zone="Europe/Berlin",
        anchor=datetime(2026, 3, 29, 2, 30, tzinfo=berlin),
    )
    start, end = calendar_period(window, datetime(2026, 3, 1, 12, tzinfo=UTC))
    assert start.astimezone(berlin).replace(tzinfo=None) == datetime(2026, 3, 1, 2, 30)
    assert end - start == timedelta(days=1)


@pytest.mark.parametrize(
    ("zone", "anchor", "at", "period"),
    [
        # Berlin's clock jumps 02:00 → 03:00 CEST at 01:00Z on 29 March 2026: the day anchored
        # at 02:30 starts when the clock first reads 02:30 or later, 03:00 CEST (01:00Z), so
        # 03:10 CEST (01:10Z) is in the day of the 29th: [01:00Z, 30 March 02:30 CEST = 00:30Z).
        # (Python's fold=0 would start it at 03:30 CEST, keeping 03:10 in the 28th.)
        (
            "Europe/Berlin",
            datetime(2026, 1, 1, 2, 30),
            datetime(2026, 3, 29, 1, 10, tzinfo=UTC),
            (datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 3, 30, 0, 30, tzinfo=UTC)),
        ),
        (
            "Europe/Berlin",
            datetime(2026, 1, 1, 2, 30),
            datetime(2026, 3, 29, 0, 59, tzinfo=UTC),
            (datetime(2026, 3, 28, 1, 30, tzinfo=UTC), datetime(2026, 3, 29, 1, tzinfo=UTC)),
        ),
        # Samoa skipped 30 December 2011 (29 Dec 24:00 -10 became 31 Dec 00:00 +14 at 10:00Z):
        # the day anchored at noon of the 30th starts at 10:00Z, so 31 Dec 11:00 local (21:00Z)
        # is in it, up to 31 Dec 12:00 local (22:00Z).
        (
            "Pacific/Apia",
            datetime(2011, 12, 1, 12),
            datetime(2011, 12, 30, 21, tzinfo=UTC),
            (datetime(2011, 12, 30, 10, tzinfo=UTC), datetime(2011, 12, 30, 22, tzinfo=UTC)),
        ),
    ],
)
def test_a_boundary_inside_a_dst_gap_is_the_end_of_the_gap(
    zone: str, anchor: datetime, at: datetime, period: tuple[datetime, datetime]
) -> None:
    """A wall time the clock skips maps to the first instant it reads that time or later (the
    rule of docs/business-time.md, "Wall clock and DST"), not Python's ``fold=0`` reading."""
    tz = ZoneInfo(zone)
    window = CalendarWindow(unit=CalendarUnit.DAY, zone=zone, anchor=anchor.replace(tzinfo=tz))
    assert calendar_period(window, at) == period
