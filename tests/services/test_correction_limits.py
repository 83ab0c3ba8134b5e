"""Recurring corrections are bounded: no rule can hang `evaluate` or exhaust memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from covenant.definitions.corrections import (
    MAX_EXPANSION,
    CorrectionRangeError,
    CorrectionRule,
)
from tests.services.test_corrections import MAINTENANCE, SLO, problems_of, workspace


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=WEEKLY;INTERVAL=0",
        "FREQ=DAILY;INTERVAL=-1",
        "FREQ=DAILY;INTERVAL=1000001",
        "FREQ=SECONDLY",
        "FREQ=MINUTELY;INTERVAL=5",
        "FREQ=FORTNIGHTLY",
    ],
)
def test_rules_that_never_end_or_expand_per_second_are_invalid(rule: str) -> None:
    text = SLO + MAINTENANCE.replace("FREQ=WEEKLY;BYDAY=SU", rule)
    assert problems_of(text) == [("invalid-rrule", "ws.yaml:29", "spec.rrule")]


def test_too_many_occurrences_in_the_range_is_a_coded_error_not_a_hang() -> None:
    """3,600 occurrences an hour (every second of every hour) over a week: 604,800, past the
    cap, so expansion stops at MAX_EXPANSION and says which correction and what to do."""
    minutes = ",".join(str(m) for m in range(60))
    every_second = f"FREQ=HOURLY;BYMINUTE={minutes};BYSECOND={minutes}"
    ws = workspace(SLO + MAINTENANCE.replace("FREQ=WEEKLY;BYDAY=SU", every_second))
    (rule,) = ws.corrections
    start = datetime(2026, 1, 5, tzinfo=UTC)
    assert MAX_EXPANSION < 7 * 24 * 3600
    with pytest.raises(CorrectionRangeError) as caught:
        rule.windows(start=start, end=start + timedelta(days=7))
    assert caught.value.code == "correction-too-frequent"
    assert "weekly-db-maintenance" in caught.value.message
    assert "ws.yaml:" in caught.value.message


def test_a_rule_started_decades_ago_expands_only_near_the_range() -> None:
    ws = workspace(
        SLO
        + MAINTENANCE.replace("start: 2026-01-04T02:00:00", "start: 1971-01-03T02:00:00").replace(
            "FREQ=WEEKLY;BYDAY=SU", "FREQ=HOURLY;BYMINUTE=0,30"
        )
    )
    (rule,) = ws.corrections
    lo = datetime(2026, 1, 5, tzinfo=UTC)
    found = rule.windows(start=lo, end=lo + timedelta(hours=2))
    # half-hourly 1-hour windows overlapping [00:00, 02:00): those starting 23:30 … 01:30
    assert [w.start for w in found] == [lo + timedelta(minutes=m) for m in (-30, 0, 30, 60, 90)]


def naive(rule: CorrectionRule, lo: datetime, hi: datetime) -> list[datetime]:
    """The reference: dateutil from the very first occurrence, no skipping, no cap."""
    zone = ZoneInfo(rule.zone)
    text = rule.rrule or ""
    parsed = rrulestr(text, dtstart=rule.start.astimezone(zone).replace(tzinfo=None))
    starts = [
        local.replace(tzinfo=zone).astimezone(UTC)
        for local in parsed.between(
            (lo - rule.duration - timedelta(days=2)).astimezone(zone).replace(tzinfo=None),
            (hi + timedelta(days=2)).astimezone(zone).replace(tzinfo=None),
            inc=True,
        )
    ]
    return [s for s in starts if s < hi and s + rule.duration > lo]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    freq=st.sampled_from(["HOURLY", "DAILY", "WEEKLY"]),
    interval=st.integers(1, 5),
    by=st.sampled_from(["", ";BYDAY=MO,FR", ";BYHOUR=1,23", ";BYMINUTE=0,45", ";BYDAY=SU"]),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"]),
    first=st.integers(0, 400 * 24),  # hours after 2025-01-01
    offset=st.integers(0, 500 * 24),  # hours from the first occurrence to the range
    length=st.integers(1, 10 * 24),
    hours=st.integers(1, 30),
)
def test_skipping_ahead_finds_exactly_what_the_full_walk_finds(
    freq: str, interval: int, by: str, zone: str, first: int, offset: int, length: int, hours: int
) -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(hours=first, minutes=17)
    rule = CorrectionRule(
        name="c",
        slos=(),
        start=start,
        duration=timedelta(hours=hours),
        zone=zone,
        rrule=f"FREQ={freq};INTERVAL={interval}{by}",
    )
    lo = start + timedelta(hours=offset)
    hi = lo + timedelta(hours=length)
    assert [w.start for w in rule.windows(start=lo, end=hi)] == naive(rule, lo, hi)
