"""Zone offsets as segments: probed from zoneinfo, or derived from zone data handed in and
checked against zoneinfo. Core reads no files; reading TZif files is tests/sources/test_zones.py."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from covenant.core import wallclock, windows
from covenant.core.wallclock import ZoneData
from covenant.errors import InputError

# Berlin in 2026: CET, CEST from 2026-03-29 01:00 UTC, CET from 2026-10-25 01:00 UTC
BERLIN_2026 = [1774746000, 1792890000]
BERLIN_RULE = "CET-1CEST,M3.5.0,M10.5.0/3"


def _epoch(year: int) -> int:
    return int(datetime(year, 1, 1, tzinfo=UTC).timestamp())


def test_without_zone_data_the_zone_is_probed() -> None:
    lo, hi = _epoch(2026), _epoch(2027)
    wallclock.segments.cache_clear()
    starts, offsets, _ = wallclock.segments("Europe/Berlin", lo, hi)
    assert starts.tolist() == [lo, *BERLIN_2026]
    assert offsets.tolist() == [3600, 7200, 3600]


def test_zone_data_gives_the_segments_from_its_rule() -> None:
    lo, hi = _epoch(2026), _epoch(2027)
    data = ZoneData(zone="Europe/Berlin", instants=[], offsets=[], rule=BERLIN_RULE)
    found = wallclock._from_data(data, ZoneInfo("Europe/Berlin"), lo, hi)
    assert found == ([lo, *BERLIN_2026], [3600, 7200, 3600])
    starts, offsets, _ = wallclock.segments("Europe/Berlin", lo, hi, data)
    assert starts.tolist() == [lo, *BERLIN_2026]
    assert offsets.tolist() == [3600, 7200, 3600]


@pytest.mark.parametrize(
    "data",
    [
        # a transition an hour late: zoneinfo disagrees on both sides of it
        ZoneData(
            zone="Europe/Berlin",
            instants=[BERLIN_2026[0] + 3600],
            offsets=[7200],
            rule=BERLIN_RULE,
        ),
        # New York's rule for Berlin
        ZoneData(zone="Europe/Berlin", instants=[], offsets=[], rule="EST5EDT,M3.2.0,M11.1.0"),
        # a rule form the reader does not take (Julian days)
        ZoneData(zone="Europe/Berlin", instants=[], offsets=[], rule="CET-1CEST,J87,J300"),
        # another zone's data
        ZoneData(zone="America/New_York", instants=[], offsets=[], rule="EST5EDT,M3.2.0,M11.1.0"),
    ],
)
def test_zone_data_that_zoneinfo_contradicts_is_not_used(data: ZoneData) -> None:
    """Zone data only speeds the search: offsets are zoneinfo's whatever it says."""
    lo, hi = _epoch(2026), _epoch(2027)
    if data.zone == "Europe/Berlin":
        assert wallclock._from_data(data, ZoneInfo("Europe/Berlin"), lo, hi) is None
    starts, offsets, _ = wallclock.segments("Europe/Berlin", lo, hi, data)
    assert starts.tolist() == [lo, *BERLIN_2026]
    assert offsets.tolist() == [3600, 7200, 3600]


def test_zone_data_needs_an_offset_per_transition() -> None:
    with pytest.raises(InputError, match="2 transitions and 1 offsets"):
        ZoneData(zone="Europe/Berlin", instants=[1, 2], offsets=[3600], rule=BERLIN_RULE)


def test_one_rule_for_one_wall_time_and_for_many() -> None:
    """Windows read one wall time with ``wallclock.first_instant`` itself (``first_instants``
    for one reading): the rule of business time, implemented once and named once (no
    ``windows.wall_to_utc`` alias beside it)."""
    assert windows.first_instant is wallclock.first_instant
    assert not hasattr(windows, "wall_to_utc")


@pytest.mark.parametrize(
    ("zone", "wall", "expected"),
    [
        # Berlin, spring forward 2026-03-29 02:00 CET → 03:00 CEST (01:00 UTC): the gap's end
        ("Europe/Berlin", datetime(2026, 3, 29, 2, 30), datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        (
            "Europe/Berlin",
            datetime(2026, 3, 29, 1, 59, 59, 500000),
            datetime(2026, 3, 29, 0, 59, 59, 500000, tzinfo=UTC),
        ),
        (
            "Europe/Berlin",
            datetime(2026, 3, 29, 2, 0, 0, 1),
            datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        ),
        ("Europe/Berlin", datetime(2026, 3, 29, 3, 0), datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        # fall back 2026-10-25 03:00 CEST → 02:00 CET: 02:30 is read twice, the first counts
        ("Europe/Berlin", datetime(2026, 10, 25, 2, 30), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        # Samoa skipped 2011-12-30 (UTC-10 → UTC+14 at 2011-12-30 10:00 UTC)
        ("Pacific/Apia", datetime(2011, 12, 30, 12, 0), datetime(2011, 12, 30, 10, 0, tzinfo=UTC)),
        # Lord Howe: a 30-minute change, 2026-10-04 02:00 +10:30 → 02:30 +11
        (
            "Australia/Lord_Howe",
            datetime(2026, 10, 4, 2, 15),
            datetime(2026, 10, 3, 15, 30, tzinfo=UTC),
        ),
        ("UTC", datetime(2026, 3, 29, 2, 30), datetime(2026, 3, 29, 2, 30, tzinfo=UTC)),
    ],
)
def test_the_first_instant_of_a_wall_time(zone: str, wall: datetime, expected: datetime) -> None:
    assert wallclock.first_instant(wall, ZoneInfo(zone)) == expected
