"""Exports as the tools write them (tests/sources/exports/), read with the mapping docs/records.md
gives for each tool.

The sample files keep what the tools' real exports show (sources in docs/records.md, "Exports
of common tools"): Jira's "all fields" CSV repeats a column name once per value (Components,
Labels, Watchers, Comment), writes ``02/Nov/26 9:05 AM`` in the user's zone and quotes a
multi-line description (CRLF line ends); PagerDuty's and Statuspage's APIs answer one JSON
object holding the array (``{"incidents": [...]}``) with the service or components as nested
objects; GitHub's issues API answers an array whose labels are objects.

Expected instants are worked out by hand: America/New_York is -05:00 from Sun 1 Nov 2026 02:00
on; an offset written in an instant is kept; fractions of a second are dropped.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from covenant.core.agreements import SupportCommitment, SupportTarget
from covenant.core.business_time import Calendar, WeeklyHours, compile_calendar
from covenant.core.support import BusinessClock, TimerKind, TimerState, ticket_timers
from covenant.errors import IngestError
from covenant.sources.record_columns import RecordReading, reading
from covenant.sources.records import (
    INCIDENT_COLUMNS,
    TICKET_COLUMNS,
    read_incidents,
    read_tickets,
)

EXPORTS = Path(__file__).parent / "exports"

JIRA_COLUMNS = [
    "id=Issue key",
    "customer=Custom field (Organizations)",
    "priority=Priority",
    "created=Created",
    "first_response=Custom field ([CHART] Date of First Response)",
    "resolved=Resolved",
]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def jira_reading(columns: list[str]) -> RecordReading:
    return reading(
        columns, fields=TICKET_COLUMNS, zone="America/New_York", time_format="%d/%b/%y %I:%M %p"
    )


def test_a_jira_all_fields_export_with_repeated_columns_is_read() -> None:
    parsed = read_tickets(EXPORTS / "jira-all-fields.csv", reading=jira_reading(JIRA_COLUMNS))
    assert parsed.problems == ()
    done, waiting = parsed.records
    assert (done.id, done.customer, done.priority) == ("SUP-101", "acme", "High")
    # 9:05 AM, 9:40 AM and 3:30 PM EST (-05:00) on Mon 2 Nov 2026
    assert (done.created, done.first_response, done.resolved) == (
        utc(2026, 11, 2, 14, 5),
        utc(2026, 11, 2, 14, 40),
        utc(2026, 11, 2, 20, 30),
    )
    # still open: no first response, no resolution (empty cells), 4:50 PM EST on Tue 3 Nov
    assert (waiting.id, waiting.created) == ("SUP-102", utc(2026, 11, 3, 21, 50))
    assert (waiting.first_response, waiting.resolved) == (None, None)


def test_the_jira_export_gives_the_timers_worked_out_by_hand() -> None:
    parsed = read_tickets(EXPORTS / "jira-all-fields.csv", reading=jira_reading(JIRA_COLUMNS))
    desk = Calendar(zone="America/New_York", hours=WeeklyHours.parse({"mon-fri": "09:00-17:00"}))
    clock = BusinessClock(compile_calendar(desk, start=utc(2026, 10, 30), end=utc(2026, 11, 10)))
    commitment = SupportCommitment(
        name="support",
        calendar="desk",
        targets=tuple(
            SupportTarget(priority=p, first_response_s=3600, resolution_s=8 * 3600)
            for p in ("High", "Medium")
        ),
    )
    at = utc(2026, 11, 4, 14, 15)  # Wed 4 Nov, 9:15 AM in New York
    timers = {
        (t.ticket, t.kind): t for t in ticket_timers(parsed.records, commitment, clock=clock, at=at)
    }
    first = timers["SUP-101", TimerKind.FIRST_RESPONSE]
    # 9:05 to 9:40 AM on a Monday: 35 business minutes
    assert (first.elapsed_s, first.state) == (35 * 60, TimerState.MET)
    resolution = timers["SUP-101", TimerKind.RESOLUTION]
    # 9:05 AM to 3:30 PM: 6 h 25 min = 385 business minutes, under 8 h
    assert (resolution.elapsed_s, resolution.state) == (385 * 60, TimerState.MET)
    # SUP-102: 4:50 to 5:00 PM on Tuesday, then 9:00 to 9:15 AM on Wednesday: 25 minutes,
    # still running (neither met nor breached)
    for kind in (TimerKind.FIRST_RESPONSE, TimerKind.RESOLUTION):
        timer = timers["SUP-102", kind]
        assert (timer.elapsed_s, timer.stopped, timer.state) == (25 * 60, None, TimerState.RUNNING)


def test_a_repeated_column_that_is_mapped_is_refused_naming_where_it_is() -> None:
    columns = [*JIRA_COLUMNS[:1], "customer=Labels", *JIRA_COLUMNS[2:]]
    with pytest.raises(IngestError) as caught:
        read_tickets(EXPORTS / "jira-all-fields.csv", reading=jira_reading(columns))
    message = str(caught.value)
    assert "jira-all-fields.csv: column 'labels' appears 2 times (columns 15, 16)" in message
    assert "'labels (column 16)'" in caught.value.hint


def test_one_of_the_repeated_columns_is_named_by_its_place() -> None:
    columns = [*JIRA_COLUMNS[:1], "customer=Labels (column 16)", *JIRA_COLUMNS[2:]]
    parsed = read_tickets(EXPORTS / "jira-all-fields.csv", reading=jira_reading(columns))
    assert [t.customer for t in parsed.records] == ["customer-reported"]
    (problem,) = parsed.problems  # SUP-102 has no label: its customer is missing
    assert problem.where == "jira-all-fields.csv:5"  # after the 3-line description


def test_a_repeated_field_column_without_a_mapping_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("id,customer,priority,created,ID\nT-1,acme,P1,2026-10-01T09:00:00Z,x\n")
    with pytest.raises(IngestError, match=r"column\(s\) id appear more than once"):
        read_tickets(path)


def test_an_api_answer_holding_the_array_is_refused_with_the_key_to_take() -> None:
    how = reading(["start=created_at"], fields=INCIDENT_COLUMNS)
    with pytest.raises(IngestError) as caught:
        read_incidents(EXPORTS / "pagerduty-incidents.json", reading=how)
    assert "one JSON object" in str(caught.value)
    assert "jq '.incidents' pagerduty-incidents.json" in caught.value.hint


def taken(tmp_path: Path, name: str, key: str) -> Path:
    """The array under ``key``, as ``jq '.key' FILE > out.json`` writes it."""
    whole = json.loads((EXPORTS / name).read_text())
    out = tmp_path / name
    out.write_text(json.dumps(whole[key], indent=2) + "\n")
    return out


def test_pagerduty_incidents_with_the_service_inside_an_object(tmp_path: Path) -> None:
    how = reading(
        [
            "services=service.summary",
            "start=created_at",
            "end=resolved_at",
            "severity=urgency",
        ],
        fields=INCIDENT_COLUMNS,
    )
    parsed = read_incidents(taken(tmp_path, "pagerduty-incidents.json", "incidents"), reading=how)
    assert parsed.problems == ()
    fixed, ongoing = parsed.records
    assert (fixed.id, fixed.services, fixed.severity) == ("Q2ZVBW1KCL5OH8", ("checkout",), "high")
    assert (fixed.start, fixed.end) == (utc(2026, 11, 2, 14, 15), utc(2026, 11, 2, 15, 0))
    # acknowledged, not resolved: resolved_at is null, so the incident is still open
    assert (ongoing.services, ongoing.start, ongoing.end) == (
        ("search",),
        utc(2026, 11, 4, 3, 40),
        None,
    )


def test_statuspage_incidents_with_a_list_of_components(tmp_path: Path) -> None:
    how = reading(
        ["services=components.name", "start=started_at", "end=resolved_at", "severity=impact"],
        fields=INCIDENT_COLUMNS,
    )
    parsed = read_incidents(taken(tmp_path, "statuspage-incidents.json", "incidents"), reading=how)
    assert parsed.problems == ()
    fixed, ongoing = parsed.records
    assert (fixed.id, fixed.services, fixed.severity) == (
        "x0ljvc9m1wxj",
        ("API", "Web app"),
        "major",
    )
    # 11:55:00.000 and 13:40:58.572 at -06:00; the fraction is dropped
    assert (fixed.start, fixed.end) == (utc(2026, 11, 4, 17, 55), utc(2026, 11, 4, 19, 40, 58))
    assert (ongoing.services, ongoing.start, ongoing.end) == (
        ("Webhooks",),
        utc(2026, 11, 5, 13, 50),
        None,
    )


def test_github_issues_as_incidents_with_their_labels_as_services() -> None:
    how = reading(
        ["id=number", "services=labels.name", "start=created_at", "end=closed_at"],
        fields=INCIDENT_COLUMNS,
    )
    parsed = read_incidents(EXPORTS / "github-issues.json", reading=how)
    assert parsed.problems == ()
    closed, still_open = parsed.records
    assert (closed.id, closed.services) == ("1347", ("checkout", "payments"))
    assert (closed.start, closed.end) == (utc(2026, 11, 2, 14, 15), utc(2026, 11, 2, 15, 0))
    assert (still_open.id, still_open.services, still_open.end) == ("1348", ("search",), None)


def test_a_nested_key_in_no_record_is_refused_naming_it() -> None:
    how = reading(
        ["id=number", "services=labels.title", "start=created_at"], fields=INCIDENT_COLUMNS
    )
    with pytest.raises(IngestError, match=r"no column 'labels\.title'"):
        read_incidents(EXPORTS / "github-issues.json", reading=how)
