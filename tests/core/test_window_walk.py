"""Calendar periods of every unit, count and anchor agree with a walk of the zone's clock
(tests/core/window_reference.py), in zones whose clocks skip or repeat midnight, skip a whole
day, change by 30 minutes or sit at odd offsets."""

from __future__ import annotations

from calendar import monthrange
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from covenant.core.model import CalendarUnit, CalendarWindow
from covenant.core.windows import calendar_period
from tests.core.window_reference import first_reading, reading, reference_period

# DST gaps and folds at midnight (Asuncion, Sao Paulo), a skipped day (Apia, 30 Dec 2011),
# 30-minute changes (Lord Howe), odd offsets (St John's, Chatham, Kolkata)
ZONES = {
    "Europe/Berlin": datetime(2026, 3, 29, 1, tzinfo=UTC),
    "America/Asuncion": datetime(2017, 10, 1, 4, tzinfo=UTC),
    "America/Sao_Paulo": datetime(2019, 2, 17, 2, tzinfo=UTC),
    "Pacific/Apia": datetime(2011, 12, 30, 10, tzinfo=UTC),
    "Australia/Lord_Howe": datetime(2026, 10, 3, 15, 30, tzinfo=UTC),
    "America/St_Johns": datetime(2026, 3, 8, 5, 30, tzinfo=UTC),
    "Pacific/Chatham": datetime(2026, 4, 4, 14, tzinfo=UTC),
    "Asia/Kolkata": datetime(2026, 1, 1, tzinfo=UTC),
}


@st.composite
def windows_and_instants(draw: st.DrawFn) -> tuple[CalendarWindow, int]:
    zone = draw(st.sampled_from(sorted(ZONES)))
    tz = ZoneInfo(zone)
    anchor = None
    pivot = int(ZONES[zone].timestamp())
    shape = draw(st.sampled_from(["natural", "anchored", "anchored", "skipped"]))
    if shape == "skipped":  # a time of day the clock skips (or repeats) at the zone's change
        wall = reading(pivot - 60, tz) + timedelta(minutes=30)
        anchor = (wall - timedelta(days=draw(st.integers(0, 40)))).replace(tzinfo=tz)
    elif shape == "anchored":
        year, month = draw(st.integers(1995, 2030)), draw(st.integers(1, 12))
        day = min(draw(st.sampled_from([1, 2, 15, 28, 29, 30, 31])), monthrange(year, month)[1])
        hour = draw(st.sampled_from([0, 0, 1, 2, 3, 12, 23]))
        anchor = datetime(year, month, day, hour, draw(st.sampled_from([0, 30])), tzinfo=tz)
    window = CalendarWindow(
        unit=CalendarUnit.DAY if shape == "skipped" else draw(st.sampled_from(list(CalendarUnit))),
        count=1 if shape == "skipped" else draw(st.sampled_from([1, 1, 2, 3])),
        zone=zone,
        anchor=anchor,
    )
    at = pivot + draw(
        st.sampled_from([0, -1, 1, 1800, -1800, 3600])
        | st.integers(-3 * 86400, 3 * 86400)
        | st.integers(-400 * 86400, 400 * 86400)
    )
    return window, at


@settings(max_examples=80, deadline=None, derandomize=True)
@given(windows_and_instants())
def test_periods_match_a_walk_of_the_clock(case: tuple[CalendarWindow, int]) -> None:
    window, at = case
    start, end = calendar_period(window, datetime.fromtimestamp(at, UTC))
    assert (int(start.timestamp()), int(end.timestamp())) == reference_period(window, at)


def test_the_walk_sees_the_gaps_it_is_meant_to() -> None:
    """The reference itself: Asuncion skipped 1 October 2017 00:00–01:00 (−04 → −03), so its
    October starts at 01:00 −03 (04:00Z); Samoa skipped 30 December 2011, so that day's
    midnight and noon are both the instant it jumped to 31 December (10:00Z)."""
    asuncion = CalendarWindow(unit=CalendarUnit.MONTH, zone="America/Asuncion")
    oct_1 = int(datetime(2017, 10, 1, 4, tzinfo=UTC).timestamp())
    assert reference_period(asuncion, oct_1)[0] == oct_1
    apia = ZoneInfo("Pacific/Apia")
    jump = int(datetime(2011, 12, 30, 10, tzinfo=UTC).timestamp())
    assert first_reading(datetime(2011, 12, 30), apia) == jump
    assert first_reading(datetime(2011, 12, 30, 12), apia) == jump
