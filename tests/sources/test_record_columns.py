"""A help desk's raw export read as it is: --column, --time-zone, --time-format.

The exports below are written for these tests in the shape of a Zendesk CSV (local times in
the account's zone, "Created at") and a Jira CSV ("05/Dec/26 2:03 PM"). Every expected UTC
instant is worked out by hand from the zones' rules for 2026:
Europe/Berlin is +01:00 in winter and +02:00 from Sun 29 Mar 02:00 (clocks jump to 03:00)
to Sun 25 Oct 03:00 (clocks go back to 02:00); America/New_York is -05:00 in winter and
-04:00 from Sun 8 Mar 02:00 (jump to 03:00) to Sun 1 Nov 02:00 (back to 01:00).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.errors import IngestError, InputError
from covenant.services.records import ingest_ticket_files, load_tickets
from covenant.sources.record_columns import reading
from covenant.sources.records import (
    INCIDENT_COLUMNS,
    TICKET_COLUMNS,
    read_incidents,
    read_tickets,
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


ZENDESK = (
    "Ticket ID,Organization,Priority,Created at,First reply at,Solved at,Subject\n"
    "4711,acme,High,2026-12-05 14:03:00,2026-12-05 14:20:00,2026-12-05 18:00:00,Login fails\n"
    # spring forward: 01:30 is CET (+01:00), 03:30 is CEST (+02:00): one real hour apart
    "4712,acme,Normal,2026-03-29 01:30:00,,2026-03-29 03:30:00,Export slow\n"
    # fall back: 01:30 is CEST (+02:00), 03:30 is CET (+01:00): three real hours apart
    "4713,acme,Normal,2026-10-25 01:30:00,,2026-10-25 03:30:00,Invoice wrong\n"
    # an instant with its offset keeps it
    "4714,acme,Low,2026-12-05T14:03:00+05:30,,,Typo\n"
    # 02:30 on 29 Mar never happened in Berlin
    "4715,acme,Low,2026-03-29 02:30:00,,,Gap\n"
    # 02:30 on 25 Oct happened twice in Berlin
    "4716,acme,Low,2026-10-24 22:00:00,2026-10-25 02:30:00,,Twice\n"
)
ZENDESK_COLUMNS = [
    "id=Ticket ID",
    "customer=organization",
    "priority=Priority",
    "created=Created at",
    "first_response=First reply at",
    "resolved=Solved at",
]

JIRA = (
    "Issue key,Summary,Customer,Priority,Created,First response,Resolved\n"
    "SUP-1,Cannot log in,beta,Highest,05/Dec/26 2:03 PM,05/Dec/26 2:30 PM,05/Dec/26 4:15 PM\n"
    # spring forward in New York: 1:30 AM is EST (-05:00), 3:30 AM is EDT (-04:00)
    "SUP-2,Slow export,beta,High,08/Mar/26 1:30 AM,,08/Mar/26 3:30 AM\n"
    # fall back: 12:30 AM is EDT (-04:00), 2:30 AM is EST (-05:00)
    "SUP-3,Wrong invoice,beta,Low,01/Nov/26 12:30 AM,,01/Nov/26 2:30 AM\n"
    # 2:30 AM on 8 Mar never happened in New York
    "SUP-4,Gap,beta,Low,08/Mar/26 2:30 AM,,\n"
    # 1:30 AM on 1 Nov happened twice in New York
    "SUP-5,Twice,beta,Low,01/Nov/26 1:30 AM,,\n"
)
JIRA_COLUMNS = [
    "id=Issue key",
    "customer=Customer",
    "priority=Priority",
    "created=Created",
    "first_response=First response",
    "resolved=Resolved",
]
JIRA_FORMAT = "%d/%b/%y %I:%M %p"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_zendesk_export_in_berlin_time_is_read_as_utc(tmp_path: Path) -> None:
    path = write(tmp_path, "zendesk.csv", ZENDESK)
    how = reading(ZENDESK_COLUMNS, fields=TICKET_COLUMNS, zone="Europe/Berlin")
    parsed = read_tickets(path, reading=how)
    got = {t.id: t for t in parsed.records}
    assert sorted(got) == ["4711", "4712", "4713", "4714"]
    assert (got["4711"].created, got["4711"].first_response, got["4711"].resolved) == (
        utc(2026, 12, 5, 13, 3),
        utc(2026, 12, 5, 13, 20),
        utc(2026, 12, 5, 17, 0),
    )
    assert got["4711"].customer == "acme"
    assert got["4711"].priority == "High"
    assert (got["4712"].created, got["4712"].resolved) == (
        utc(2026, 3, 29, 0, 30),
        utc(2026, 3, 29, 1, 30),
    )
    assert (got["4713"].created, got["4713"].resolved) == (
        utc(2026, 10, 24, 23, 30),
        utc(2026, 10, 25, 2, 30),
    )
    assert got["4714"].created == utc(2026, 12, 5, 8, 33)
    gap, twice = parsed.problems
    assert gap.where == "zendesk.csv:6"
    assert gap.field == "created"
    assert "did not exist in Europe/Berlin" in gap.message
    assert "2026-03-29 02:30:00+01:00" in gap.fix
    assert "2026-03-29 02:30:00+02:00" in gap.fix
    assert twice.where == "zendesk.csv:7"
    assert twice.field == "first_response"
    assert "happened twice in Europe/Berlin" in twice.message
    assert "2026-10-25 02:30:00+02:00 (the first)" in twice.fix
    assert "2026-10-25 02:30:00+01:00 (the second)" in twice.fix


def test_a_jira_export_with_its_own_time_format_in_new_york(tmp_path: Path) -> None:
    path = write(tmp_path, "jira.csv", JIRA)
    how = reading(
        JIRA_COLUMNS, fields=TICKET_COLUMNS, zone="America/New_York", time_format=JIRA_FORMAT
    )
    parsed = read_tickets(path, reading=how)
    got = {t.id: t for t in parsed.records}
    assert sorted(got) == ["SUP-1", "SUP-2", "SUP-3"]
    assert (got["SUP-1"].created, got["SUP-1"].first_response, got["SUP-1"].resolved) == (
        utc(2026, 12, 5, 19, 3),
        utc(2026, 12, 5, 19, 30),
        utc(2026, 12, 5, 21, 15),
    )
    assert (got["SUP-2"].created, got["SUP-2"].resolved) == (
        utc(2026, 3, 8, 6, 30),
        utc(2026, 3, 8, 7, 30),
    )
    assert (got["SUP-3"].created, got["SUP-3"].resolved) == (
        utc(2026, 11, 1, 4, 30),
        utc(2026, 11, 1, 7, 30),
    )
    gap, twice = parsed.problems
    assert (gap.where, twice.where) == ("jira.csv:5", "jira.csv:6")
    assert "did not exist in America/New_York" in gap.message
    assert "happened twice in America/New_York" in twice.message
    assert "2026-11-01 01:30:00-04:00 (the first)" in twice.fix
    assert "2026-11-01 01:30:00-05:00 (the second)" in twice.fix


def test_without_a_zone_a_local_time_is_still_a_bad_row(tmp_path: Path) -> None:
    path = write(tmp_path, "zendesk.csv", ZENDESK)
    parsed = read_tickets(path, reading=reading(ZENDESK_COLUMNS, fields=TICKET_COLUMNS))
    assert [t.id for t in parsed.records] == ["4714"]
    first = parsed.problems[0]
    assert first.where == "zendesk.csv:2"
    assert "no UTC offset; add Z, or pass --time-zone" in first.message


def test_a_json_export_with_other_keys_and_a_history(tmp_path: Path) -> None:
    rows = [
        {
            "Key": "K-1",
            "Org": "acme",
            "Prio": "P1",
            "Opened": "2026-07-01 09:00",
            "Log": [
                {"at": "2026-07-01 09:00", "status": "open"},
                {"at": "2026-07-01T10:00:00Z", "status": "resolved"},
            ],
        }
    ]
    path = write(tmp_path, "export.json", json.dumps(rows))
    how = reading(
        ["id=key", "customer=org", "priority=prio", "created=opened", "history=log"],
        fields=TICKET_COLUMNS,
        zone="Europe/Berlin",
    )
    (ticket,) = read_tickets(path, reading=how).records
    assert ticket.created == utc(2026, 7, 1, 7, 0)  # CEST, +02:00
    assert [(c.at, c.status) for c in ticket.history] == [
        (utc(2026, 7, 1, 7, 0), "open"),
        (utc(2026, 7, 1, 10, 0), "resolved"),
    ]


def test_a_csv_history_in_local_time(tmp_path: Path) -> None:
    text = (
        "id,customer,priority,created,history\n"
        "H-1,acme,P1,2026-01-10 09:00,open@2026-01-10 09:00;resolved@2026-01-10 11:15\n"
    )
    path = write(tmp_path, "h.csv", text)
    how = reading(fields=TICKET_COLUMNS, zone="America/New_York")
    (ticket,) = read_tickets(path, reading=how).records
    assert [c.at for c in ticket.history] == [utc(2026, 1, 10, 14, 0), utc(2026, 1, 10, 16, 15)]


def test_incidents_with_their_own_columns(tmp_path: Path) -> None:
    text = "Ref,Component,Began,Ended\nINC-1,api,2026-03-29 01:00,2026-03-29 04:00\n"
    path = write(tmp_path, "inc.csv", text)
    how = reading(
        ["id=ref", "services=component", "start=began", "end=ended"],
        fields=INCIDENT_COLUMNS,
        zone="Europe/Berlin",
    )
    (incident,) = read_incidents(path, reading=how).records
    assert (incident.start, incident.end) == (utc(2026, 3, 29, 0, 0), utc(2026, 3, 29, 2, 0))


def test_wrong_options_are_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="'ident' is not a field") as unknown:
        reading(["ident=Issue key"], fields=TICKET_COLUMNS)
    assert "the fields are id, customer, priority" in unknown.value.hint
    with pytest.raises(InputError, match="not FIELD=HEADER"):
        reading(["id"], fields=TICKET_COLUMNS)
    with pytest.raises(InputError, match="did you mean Europe/Berlin"):
        reading(fields=TICKET_COLUMNS, zone="Europe/Berlim")
    with pytest.raises(InputError, match="bad directive"):
        reading(fields=TICKET_COLUMNS, time_format="%Y-%Q")
    path = write(tmp_path, "jira.csv", JIRA)
    misnamed = reading(["id=Issue id", *JIRA_COLUMNS[1:]], fields=TICKET_COLUMNS)
    with pytest.raises(IngestError) as missing:
        read_tickets(path, reading=misnamed)
    said = missing.value.message
    assert "jira.csv: --column id='issue id': the file has no column 'issue id'" in said
    assert "did you mean 'issue key'?" in said
    assert "'summary'" in said  # the file's columns are listed
    wrong_format = reading(JIRA_COLUMNS, fields=TICKET_COLUMNS, time_format="%Y-%m-%d %H:%M")
    with pytest.raises(IngestError, match=r"jira.csv:2: --time-format .* reads none"):
        read_tickets(path, reading=wrong_format)


def test_a_json_key_in_no_row_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "t.jsonl", '{"id": "a", "customer": "c", "priority": "P1"}\n')
    how = reading(["created=opened_at"], fields=TICKET_COLUMNS, zone="UTC")
    with pytest.raises(IngestError, match="no column 'opened_at'"):
        read_tickets(path, reading=how)


def test_ingest_stores_utc_and_another_reading_is_another_batch(
    engine: Engine, tmp_path: Path
) -> None:
    path = write(tmp_path, "zendesk.csv", ZENDESK)
    berlin = reading(ZENDESK_COLUMNS, fields=TICKET_COLUMNS, zone="Europe/Berlin")
    (report,) = ingest_ticket_files(engine, files=[path], reading=berlin)
    assert (report.inserted, report.rows_rejected) == (4, 2)
    with engine.connect() as conn:
        stored = {t.id: t for t in load_tickets(conn)}
    assert stored["4712"].created == utc(2026, 3, 29, 0, 30)
    # the same bytes read in another zone are other instants: not "already ingested"
    lisbon = reading(ZENDESK_COLUMNS, fields=TICKET_COLUMNS, zone="Europe/Lisbon")
    (again,) = ingest_ticket_files(engine, files=[path], reading=lisbon)
    assert not again.duplicate
    with engine.connect() as conn:
        stored = {t.id: t for t in load_tickets(conn)}
    assert stored["4711"].created == utc(2026, 12, 5, 14, 3)  # Lisbon is UTC in December


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)
    return CliRunner()


def test_cli_reads_a_jira_export(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "jira.csv", JIRA)
    columns = [arg for c in JIRA_COLUMNS for arg in ("--column", c)]
    args = ["ingest", "tickets", str(path), "-w", str(tmp_path), "--format", "json"]
    zone = ["--time-zone", "America/New_York", "--time-format", JIRA_FORMAT]
    result = runner.invoke(app, [*args, *columns, *zone])
    assert result.exit_code == 0, result.output
    (summary,) = json.loads(result.stdout)["files"]
    assert summary["rows_rejected"] == 2
    bad = runner.invoke(app, [*args, "--column", "ident=Issue key"])
    assert bad.exit_code == 2
    assert "is not a field" in bad.output
    zone_bad = runner.invoke(app, [*args, "--time-zone", "Mars/Olympus"])
    assert zone_bad.exit_code == 2
    assert "not an IANA time zone" in zone_bad.output


def test_batch_by_batch_reads_the_same(tmp_path: Path) -> None:
    """Small blocks: the mapping and the zone apply to every batch, not the first only."""
    path = write(tmp_path, "zendesk.csv", ZENDESK)
    how = reading(ZENDESK_COLUMNS, fields=TICKET_COLUMNS, zone="Europe/Berlin")
    whole = read_tickets(path, reading=how)
    pieces = read_tickets(path, reading=how, block_bytes=64)
    assert pieces.records == whole.records
    assert [p.where for p in pieces.problems] == ["zendesk.csv:6", "zendesk.csv:7"]
    rows = [
        {"Key": f"J-{n}", "Org": "acme", "Prio": "P1", "At": "2026-01-02 03:04"} for n in (1, 2)
    ]
    lines = write(tmp_path, "t.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    keys = ["id=key", "customer=org", "priority=prio", "created=at"]
    got = read_tickets(
        lines, reading=reading(keys, fields=TICKET_COLUMNS, zone="UTC"), block_bytes=8
    )
    assert [(t.id, t.created) for t in got.records] == [
        ("J-1", utc(2026, 1, 2, 3, 4)),
        ("J-2", utc(2026, 1, 2, 3, 4)),
    ]


def test_a_format_with_its_offset_needs_no_zone(tmp_path: Path) -> None:
    text = "id,customer,priority,created\nX-1,acme,P1,05.12.2026 14:03 +0530\n"
    path = write(tmp_path, "x.csv", text)
    how = reading(fields=TICKET_COLUMNS, time_format="%d.%m.%Y %H:%M %z")
    (ticket,) = read_tickets(path, reading=how).records
    assert ticket.created == utc(2026, 12, 5, 8, 33)
    naive = reading(fields=TICKET_COLUMNS, time_format="%d.%m.%Y %H:%M")
    path = write(tmp_path, "y.csv", "id,customer,priority,created\nX-1,acme,P1,05.12.2026 14:03\n")
    (problem,) = read_tickets(path, reading=naive).problems
    assert problem.where == "y.csv:2"
    assert "no UTC offset" in problem.message
    assert "--time-zone" in problem.fix
