"""Zone data read from TZif files: the segments it gives equal zoneinfo probed every 6 hours
and bisected, for a sample of every zone in 1901, 2026 and 2041."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from covenant.core import wallclock
from covenant.core.business_time import (
    Calendar,
    WeeklyHours,
    business_deadline,
    business_seconds_between,
    compile_calendars,
)
from covenant.sources.zones import parse_tzif, read_zone, read_zones, tzif_bytes


def _epoch(year: int) -> int:
    return int(datetime(year, 1, 1, tzinfo=UTC).timestamp())


ZONES = sorted(zoneinfo.available_timezones())
SAMPLE = [
    *ZONES[::15],
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",  # 30-minute DST
    "America/Havana",  # changes at midnight
    "Africa/Casablanca",  # DST suspended in Ramadan
    "Pacific/Kiritimati",  # skipped a day
    "America/Sao_Paulo",  # DST abolished in 2019
]


@pytest.mark.parametrize("zone", SAMPLE)
@pytest.mark.parametrize("year", [1901, 2026, 2041])
def test_tzif_segments_equal_probing(zone: str, year: int) -> None:
    tz = ZoneInfo(zone)
    lo, hi = _epoch(year) - 3 * 86400, _epoch(year + 1) + 30 * 86400
    data = read_zone(zone)
    assert data is not None, f"{zone} has no readable TZif file"
    found = wallclock._from_data(data, tz, lo, hi)
    assert found is not None, f"{zone} fell back to probing"
    assert found == wallclock._probe(tz, lo, hi)


def test_berlin_as_its_file_states_it() -> None:
    data = read_zone("Europe/Berlin")
    assert data is not None
    assert data.rule == "CET-1CEST,M3.5.0,M10.5.0/3"
    # the 1996 switch to the last Sunday of October: 1996-10-27 01:00 UTC, back to CET
    i = data.instants.tolist().index(846378000)
    assert data.offsets[i] == 3600
    assert data.offsets[i - 1] == 7200


def test_what_cannot_be_read_is_none() -> None:
    assert tzif_bytes("../etc/passwd") is None
    assert tzif_bytes("/etc/localtime") is None
    assert read_zone("No/Such_Zone") is None
    assert parse_tzif("X", b"TZif1" + bytes(50)) is None  # version 1: no 64-bit body
    assert parse_tzif("X", b"not a zone file") is None
    berlin = tzif_bytes("Europe/Berlin")
    assert berlin is not None
    assert parse_tzif("Europe/Berlin", berlin[:60]) is None  # cut short
    found = read_zones(["Europe/Berlin", "No/Such_Zone", "Europe/Berlin"])
    assert list(found) == ["Europe/Berlin"]


def test_compiling_with_zone_data_gives_what_probing_gives() -> None:
    """Across the DST changes of 2026 (Havana's at midnight, Lord Howe's half hour)."""
    cals = [
        Calendar(
            zone="Europe/Berlin",
            hours=WeeklyHours.parse({"mon-fri": "08:00-17:00"}),
            holidays=frozenset({date(2026, 3, 30)}),
        ),
        Calendar(zone="America/Havana", hours=WeeklyHours.parse({"daily": "22:00-06:00"})),
        Calendar(zone="Australia/Lord_Howe", hours=WeeklyHours.parse({"mon-sat": "09:00-18:00"})),
    ]
    lo, hi = _epoch(2026), _epoch(2027)
    data = read_zones(c.zone for c in cals)
    assert sorted(data) == sorted(c.zone for c in cals)
    wallclock.segments.cache_clear()
    probed = compile_calendars(cals, start=lo, end=hi)
    read = compile_calendars(cals, start=lo, end=hi, zone_data=data)
    for k in range(len(cals)):
        assert read[k].starts.tolist() == probed[k].starts.tolist()
        assert read[k].ends.tolist() == probed[k].ends.tolist()
    starts = np.arange(lo + 3600, hi - 40 * 86400, 7 * 3600, dtype=np.int64)
    which = np.arange(starts.size) % len(cals)
    after = starts + 5 * 86400
    assert (
        business_seconds_between(read, starts, after, calendar=which).tolist()
        == business_seconds_between(probed, starts, after, calendar=which).tolist()
    )
    assert (
        business_deadline(read, starts, 20 * 3600, calendar=which).tolist()
        == business_deadline(probed, starts, 20 * 3600, calendar=which).tolist()
    )
