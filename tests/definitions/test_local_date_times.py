"""A date-time written without an offset in a definition's zone (an agreement's effectiveFrom,
a correction's start and its repeats…) is read by the rule of business time and windows: the
first instant the zone's clock reads it. One inside a DST gap is the gap's end — 02:30 on
Berlin's spring-forward night is 03:00 CEST (01:00 UTC) — where Python's ``fold=0`` reading
gave 03:30 CEST; one inside a fold (read twice) is its first reading, the earlier instant.
The expected instants are worked out by hand from the zones' published changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from covenant.definitions.agreements import parse_instant
from covenant.definitions.workspace import analyse_text
from tests.definitions.test_agreements import CALENDAR, CUSTOMER, V1, V2, agreement, load


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        # Berlin 2026-03-29: 02:00 CET → 03:00 CEST at 01:00 UTC
        ("2026-03-29T02:30:00", "Europe/Berlin", datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        ("2026-03-29T02:00:00", "Europe/Berlin", datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        ("2026-03-29T01:59:59", "Europe/Berlin", datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC)),
        ("2026-03-29T03:00:00", "Europe/Berlin", datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        # Santiago 2026-09-06: 00:00 -04 → 01:00 -03 at 04:00 UTC
        ("2026-09-06T00:30:00", "America/Santiago", datetime(2026, 9, 6, 4, 0, tzinfo=UTC)),
        ("2026-09-06", "America/Santiago", datetime(2026, 9, 6, 4, 0, tzinfo=UTC)),
        # Lord Howe 2026-10-04: 02:00 +10:30 → 02:30 +11 (a half-hour gap) at 15:30 UTC
        ("2026-10-04T02:15:00", "Australia/Lord_Howe", datetime(2026, 10, 3, 15, 30, tzinfo=UTC)),
        # Berlin 2026-10-25: 03:00 CEST → 02:00 CET at 01:00 UTC; 02:30 read twice: the first
        ("2026-10-25T02:30:00", "Europe/Berlin", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        ("2026-10-25T03:00:00", "Europe/Berlin", datetime(2026, 10, 25, 2, 0, tzinfo=UTC)),
        # an offset written is the instant meant, whatever the zone
        ("2026-03-29T02:30:00+01:00", "Europe/Berlin", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
        ("2026-03-29T02:30:00Z", "Europe/Berlin", datetime(2026, 3, 29, 2, 30, tzinfo=UTC)),
    ],
)
def test_a_local_date_time_is_its_first_instant(text: str, zone: str, expected: datetime) -> None:
    assert parse_instant(text, zone=zone) == expected


CORRECTION = """\
apiVersion: openslo/v1
kind: Service
metadata: {name: shop}
spec: {}
---
apiVersion: covenant/v1
kind: SLO
metadata: {name: api}
spec:
  service: shop
  indicator:
    metadata: {name: api}
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {type: events, spec: {}}}
        total: {metricSource: {type: events, spec: {}}}
  timeWindow: [{duration: 7d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.999}]
---
apiVersion: covenant/v1
kind: Correction
metadata: {name: nightly}
spec:
  slos: [api]
  start: START
  duration: 1h
  rrule: FREQ=DAILY
  timeZone: Europe/Berlin
  author: jane@example.com
  reason: nightly failover
"""


def _correction(start: str) -> object:
    workspace, problems = analyse_text(CORRECTION.replace("START", start))
    assert workspace is not None, problems
    (rule,) = workspace.corrections
    return rule


def test_a_repeat_inside_the_gap_starts_at_the_gaps_end() -> None:
    rule = _correction("2026-03-27T02:30:00")
    windows = rule.windows(  # type: ignore[attr-defined]
        start=datetime(2026, 3, 27, tzinfo=UTC), end=datetime(2026, 3, 31, tzinfo=UTC)
    )
    assert [(w.start, w.end) for w in windows] == [
        (datetime(2026, 3, 27, 1, 30, tzinfo=UTC), datetime(2026, 3, 27, 2, 30, tzinfo=UTC)),
        (datetime(2026, 3, 28, 1, 30, tzinfo=UTC), datetime(2026, 3, 28, 2, 30, tzinfo=UTC)),
        # 02:30 is skipped on the 29th: 03:00 CEST, 01:00 UTC
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), datetime(2026, 3, 29, 2, 0, tzinfo=UTC)),
        (datetime(2026, 3, 30, 0, 30, tzinfo=UTC), datetime(2026, 3, 30, 1, 30, tzinfo=UTC)),
    ]


def test_a_start_inside_the_gap_is_its_end() -> None:
    rule = _correction("2026-03-29T02:30:00")
    assert rule.start == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # type: ignore[attr-defined]


def test_a_repeat_started_inside_the_gap_keeps_the_time_written() -> None:
    rule = _correction("2026-03-29T02:30:00")
    windows = rule.windows(  # type: ignore[attr-defined]
        start=datetime(2026, 3, 29, tzinfo=UTC), end=datetime(2026, 3, 31, tzinfo=UTC)
    )
    assert [w.start for w in windows] == [
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # 03:00 CEST: the gap's end
        datetime(2026, 3, 30, 0, 30, tzinfo=UTC),  # 02:30 CEST
    ]


def test_a_correction_outside_a_gap_keeps_its_revision() -> None:
    """Only a start inside a gap adds the time written to what is hashed."""
    rule = _correction("2026-03-27T02:30:00")
    assert "wall_start" not in rule.content()  # type: ignore[attr-defined]


def test_an_effective_date_read_twice_is_the_first_with_a_warning() -> None:
    """Berlin reads 02:30 twice on 2026-10-25 (00:30 and 01:30 UTC): the version starts at the
    first, and validate says so, naming the field and both readings."""
    folded = V2.replace("effectiveFrom: 2026-07-01", 'effectiveFrom: "2026-10-25T02:30:00"')
    workspace, problems = load("---\n".join([CUSTOMER, CALENDAR, agreement(V1 + folded)]))
    assert workspace is not None, problems
    (warning,) = [p for p in problems if p.code == "ambiguous-local-time"]
    assert warning.severity == "warning"
    assert warning.field == "spec.versions[1].effectiveFrom"
    assert "2026-10-25T00:30:00Z" in warning.message
    assert "2026-10-25T01:30:00Z" in warning.message
    assert "2026-10-25T02:30:00+02:00" in warning.fix
    assert "2026-10-25T02:30:00+01:00" in warning.fix
    assert [p for p in problems if p.severity == "error"] == []
    (second,) = [v for v in workspace.agreements if v.version == 2]
    assert second.effective_from == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
