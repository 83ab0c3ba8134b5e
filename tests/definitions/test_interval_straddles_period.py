"""``interval-straddles-period``: a warning when an interval-measured commitment's intervals
(counted from the epoch) do not line up with its periods' bounds, naming the zone, the interval,
the minutes a period never measures and an interval that lines up (docs/sla.md, "Intervals and
period bounds"; docs/errors.md#interval-straddles-period).

The expected minutes are worked by hand from the zone's offset: a month of Asia/Kathmandu
(+05:45) starts at 18:15 UTC, 15 minutes past the hour — so with ``interval: 1h`` the first 45
minutes lie in an interval that started before the month and the last 15 in one that ends after
it: 60 minutes a month that no interval inside the month covers. 15 minutes divides every bound.
"""

from __future__ import annotations

import pytest

from tests.definitions.test_agreements import CALENDAR, CUSTOMER, V1, agreement, line, load

CODE = "interval-straddles-period"
FIELD = "spec.versions[0].availability[0].measurement.interval"


def text(*, zone: str, interval: str, source: str = "bad-intervals", start: str = "") -> str:
    body = V1.replace("timeZone: Europe/Berlin", f"timeZone: {zone}").replace(
        "interval: 5m", f"interval: {interval}"
    )
    if source != "bad-intervals":
        body = body.replace("source: bad-intervals", f"source: {source}").replace(
            "            errorRateAtLeast: 5\n", ""
        )
    if start:
        body = body.replace("effectiveFrom: 2026-01-01", f"effectiveFrom: {start}")
    return "---\n".join([CUSTOMER, CALENDAR, agreement(body)])


def warnings(source: str) -> list:  # type: ignore[type-arg]
    workspace, problems = load(source)
    assert workspace is not None, [str(p) for p in problems]
    return [p for p in problems if p.code == CODE]


@pytest.mark.parametrize(
    ("zone", "interval", "minutes", "lead", "tail", "divides"),
    [
        ("Asia/Kathmandu", "1h", 60, 45, 15, "15m"),  # +05:45: months start at 18:15 UTC
        ("Asia/Kolkata", "1h", 60, 30, 30, "30m"),  # +05:30
        ("America/St_Johns", "1h", 60, 30, 30, "30m"),  # −03:30 / −02:30
        ("Pacific/Chatham", "30m", 30, 15, 15, "15m"),  # +13:45 / +12:45
        ("Asia/Kathmandu", "1d", 1440, 345, 1095, "15m"),  # a day: from 00:00 UTC
    ],
)
def test_intervals_across_the_period_bounds_are_named_with_the_minutes(
    zone: str, interval: str, minutes: int, lead: int, tail: int, divides: str
) -> None:
    source = text(zone=zone, interval=interval)
    (found,) = warnings(source)
    assert found.severity == "warning"
    assert found.field == FIELD
    assert found.where == f"ws.yaml:{line(source, 'interval:')}"
    assert zone in found.message
    assert f"interval {interval}" in found.message
    assert f"{minutes} minutes a month" in found.message
    assert f"the first {lead} and the last {tail}" in found.message
    assert f"an interval that divides {divides}" in found.fix
    assert f"interval: {divides}" in found.fix


def test_mean_error_rate_is_warned_too() -> None:
    (found,) = warnings(text(zone="Asia/Kathmandu", interval="1h", source="mean-error-rate"))
    assert "60 minutes a month" in found.message


def test_lord_howe_names_its_worst_month() -> None:
    # +11 in summer (months start on the hour in UTC: 13:00), +10:30 from 5 April to 4 October:
    # May to September start at 13:30 UTC (30 + 30 minutes); April starts at +11 (on the hour)
    # and ends at +10:30 (30 minutes); the worst month loses 60.
    (found,) = warnings(text(zone="Australia/Lord_Howe", interval="1h"))
    assert "up to 60 minutes a month" in found.message
    assert "interval: 30m" in found.fix


@pytest.mark.parametrize(
    ("zone", "interval"),
    [
        ("Europe/Berlin", "5m"),
        ("Europe/Berlin", "1h"),
        ("Asia/Kathmandu", "15m"),
        ("Asia/Kathmandu", "5m"),
        ("Pacific/Chatham", "15m"),
        ("UTC", "1d"),
    ],
)
def test_intervals_that_line_up_are_not_warned(zone: str, interval: str) -> None:
    assert warnings(text(zone=zone, interval=interval)) == []


def test_a_version_starting_inside_an_interval_is_named() -> None:
    # Berlin months line up with 15m intervals, but the version starts at 10:10 (+01:00):
    # 09:10 UTC, 10 minutes into a 15-minute interval — its first 5 minutes are unmeasured.
    (found,) = warnings(text(zone="Europe/Berlin", interval="15m", start="2026-01-16T10:10:00"))
    assert "effectiveFrom 2026-01-16T10:10:00" in found.message
    assert "the first 5 minutes" in found.message
    assert "interval: 5m" in found.fix
