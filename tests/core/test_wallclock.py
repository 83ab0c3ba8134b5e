"""The zone offsets read from TZif data against zoneinfo probed every 6 hours and bisected."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from covenant.core import wallclock


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
    found = wallclock._from_tzif(zone, tz, lo, hi)
    assert found is not None, f"{zone} fell back to probing"
    assert found == wallclock._probe(tz, lo, hi)


def test_segments_fall_back_to_probing_without_a_readable_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lo, hi = _epoch(2026), _epoch(2027)
    monkeypatch.setattr(wallclock, "_read", lambda zone: None)
    wallclock.segments.cache_clear()
    try:
        probed = wallclock.segments("Europe/Berlin", lo, hi)
    finally:
        wallclock.segments.cache_clear()
    starts, offsets, _ = probed
    # CET, CEST from 2026-03-29 01:00 UTC, CET from 2026-10-25 01:00 UTC
    assert starts.tolist() == [lo, 1774746000, 1792890000]
    assert offsets.tolist() == [3600, 7200, 3600]
    assert wallclock.segments("Europe/Berlin", lo, hi)[0].tolist() == starts.tolist()
