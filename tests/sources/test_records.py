"""Ticket and incident files: formats, bad rows with their lines, ingestion (idempotent, upsert,
atomic) on both backends, and the CLI."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.core.agreements import Incident
from covenant.core.tickets import StatusChange, Ticket
from covenant.errors import IngestError
from covenant.services.records import (
    ingest_incident_files,
    ingest_ticket_files,
    load_incidents,
    load_tickets,
)
from covenant.sources.records import parse_instants, read_incidents, read_tickets
from covenant.store import buckets

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
HISTORY = (
    "open@2026-10-01T09:00:00Z;waiting-on-customer@2026-10-01T10:00:00Z;"
    "open@2026-10-01T12:00:00Z;resolved@2026-10-01T15:00:00Z"
)
TICKET_HEADER = "id,customer,priority,created,first_response,resolved,history"
T1 = Ticket(
    id="T-1",
    customer="acme",
    priority="P1",
    created=T0,
    history=(
        StatusChange(at=T0, status="open"),
        StatusChange(at=T0 + H, status="waiting-on-customer"),
        StatusChange(at=T0 + 3 * H, status="open"),
        StatusChange(at=T0 + 6 * H, status="resolved"),
    ),
    first_response=T0 + timedelta(minutes=10),
    resolved=T0 + 6 * H,
)
T2 = Ticket(
    id="007",
    customer="beta, inc",
    priority="P2",
    created=T0 - 2 * H,  # 09:00+02:00
    history=(StatusChange(at=T0 - 2 * H, status="open"),),
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def ticket_csv(tmp_path: Path, name: str = "tickets.csv", rows: list[str] | None = None) -> Path:
    body = rows or [
        f"T-1,acme,P1,2026-10-01T09:00:00Z,2026-10-01T09:10:00Z,2026-10-01T15:00:00Z,{HISTORY}",
        '007,"beta, inc",P2,2026-10-01T09:00:00+02:00,,,',
    ]
    return write(tmp_path, name, TICKET_HEADER + "\n" + "".join(f"{r}\n" for r in body))


def ticket_objects() -> list[dict[str, Any]]:
    return [
        {
            "id": "T-1",
            "customer": "acme",
            "priority": "P1",
            "created": "2026-10-01T09:00:00Z",
            "first_response": "2026-10-01T09:10:00Z",
            "resolved": "2026-10-01T15:00:00Z",
            "history": [
                {"at": "2026-10-01T09:00:00Z", "status": "open"},
                {"at": "2026-10-01T10:00:00Z", "status": "waiting-on-customer"},
                {"at": "2026-10-01T12:00:00+00:00", "status": "Open"},
                {"at": "2026-10-01T15:00:00Z", "status": "resolved"},
            ],
        },
        {
            "id": "007",
            "customer": "beta, inc",
            "priority": "P2",
            "created": "2026-10-01T09:00:00+02:00",
        },
    ]


INCIDENTS: list[dict[str, Any]] = [
    {
        "id": "INC-1",
        "services": ["checkout", "search"],
        "start": "2026-10-03T10:00:00Z",
        "end": "2026-10-03T10:45:00Z",
        "severity": "sev1",
    },
    {
        "id": "INC-2",
        "services": ["checkout"],
        "start": "2026-10-05T00:00:00Z",
        "end": None,
        "customer_caused": "yes",
        "force_majeure": False,
        "planned_maintenance": 1,
        "customers": ["acme"],
    },
]
INC1 = Incident(
    id="INC-1",
    services=("checkout", "search"),
    start=datetime(2026, 10, 3, 10, tzinfo=UTC),
    end=datetime(2026, 10, 3, 10, 45, tzinfo=UTC),
    severity="sev1",
)
INC2 = Incident(
    id="INC-2",
    services=("checkout",),
    start=datetime(2026, 10, 5, tzinfo=UTC),
    end=None,
    customer_caused=True,
    planned_maintenance=True,
    customers=("acme",),
)
OCT1 = datetime(2026, 10, 1, tzinfo=UTC)
NOV1 = datetime(2026, 11, 1, tzinfo=UTC)


# --- reading ---------------------------------------------------------------------------------


def test_instants_are_parsed_vectorised_with_a_status_each() -> None:
    seconds, status = parse_instants(
        [
            "2026-10-01T09:00:00Z",
            "2026-10-01T11:00:00+02:00",
            "2026-10-01 09:00:00.9z",
            "2026-10-01T09:00:00",
            "yesterday",
            "",
            None,
            1_790_845_200,  # epoch seconds (tests/sources/test_epoch_units.py)
        ]
    )
    epoch = int(T0.timestamp())
    assert seconds[[0, 1, 2, 7]].tolist() == [epoch, epoch, epoch, epoch]
    assert status.tolist() == [0, 0, 0, 2, 3, 1, 1, 0]


def test_lower_case_t_and_z_are_instants_as_rfc_3339_allows() -> None:
    seconds, status = parse_instants(["2026-10-01t09:00:00z", "2026-10-01t11:00:00+02:00"])
    epoch = int(T0.timestamp())
    assert (seconds.tolist(), status.tolist()) == ([epoch, epoch], [0, 0])


def test_the_three_formats_give_the_same_tickets(tmp_path: Path) -> None:
    csv_path = ticket_csv(tmp_path)
    jsonl = write(tmp_path, "t.jsonl", "\n".join(json.dumps(o) for o in ticket_objects()) + "\n")
    array = write(tmp_path, "t.json", json.dumps(ticket_objects(), indent=2))
    packed = tmp_path / "t.csv.gz"
    packed.write_bytes(gzip.compress(csv_path.read_bytes()))
    for path in (csv_path, jsonl, array, packed):
        parsed = read_tickets(path)
        assert parsed.problems == (), path
        assert parsed.records == (T1, T2), path
        assert (parsed.rows_read, parsed.rows_rejected) == (2, 0)


def test_a_history_is_derived_when_none_is_given(tmp_path: Path) -> None:
    path = ticket_csv(tmp_path, rows=["T-9,acme,P1,2026-10-01T09:00:00Z,,2026-10-01T10:00:00Z,"])
    (ticket,) = read_tickets(path).records
    assert ticket.history == (
        StatusChange(at=T0, status="open"),
        StatusChange(at=T0 + H, status="resolved"),
    )


def test_incidents_in_every_format(tmp_path: Path) -> None:
    header = (
        "id,services,start,end,severity,customer_caused,force_majeure,planned_maintenance,customers"
    )
    csv_path = write(
        tmp_path,
        "i.csv",
        f"{header}\n"
        "INC-1,checkout;search,2026-10-03T10:00:00Z,2026-10-03T10:45:00Z,sev1,,,,\n"
        "INC-2,checkout,2026-10-05T00:00:00Z,,,Yes,no,1,acme\n",
    )
    jsonl = write(tmp_path, "i.ndjson", "\n\n".join(json.dumps(o) for o in INCIDENTS))
    array = write(tmp_path, "i.json", json.dumps(INCIDENTS))
    for path in (csv_path, jsonl, array):
        parsed = read_incidents(path)
        assert parsed.problems == (), path
        assert parsed.records == (INC1, INC2), path


def test_bad_ticket_rows_name_their_line_field_and_fix(tmp_path: Path) -> None:
    path = ticket_csv(
        tmp_path,
        rows=[
            "T-1,acme,P1,2026-10-01T09:00:00,,,",  # line 2: naive
            f'T-2,acme,P1,2026-10-01T09:00:00Z,,,"{HISTORY}"',  # line 3: fine (quoted)
            "T-3,acme,P1,2026-10-01T09:00:00Z,,,resolved@2026-10-01T15:00:00Z;"
            "open@2026-10-01T12:00:00Z",  # line 4: unsorted history
            ",acme,P1,2026-10-01T09:00:00Z,,,",  # line 5: missing id
            "T-5,acme,P1,2026-10-01T09:00:00Z,2026-10-01T08:00:00Z,,",  # line 6: answer first
            "T-6,acme,P1,2026-10-01T09:00:00Z,,,open 2026-10-01T09:00:00Z",  # line 7
            "T-7,acme,P1,2026-10-01T09:00:00Z,,,open@2026-10-01T09:00:00",  # line 8: naive entry
            "T-8,acme,P1",  # line 9: too few columns
            "T-9,acme,P1,2026-10-01T08:00:00Z,,,open@2026-10-01T09:00:00Z",  # line 10: fine
        ],
    )
    parsed = read_tickets(path)
    assert [t.id for t in parsed.records] == ["T-2", "T-9"]
    assert (parsed.rows_read, parsed.rows_rejected) == (9, 7)
    found = [(p.where, p.field, p.code) for p in parsed.problems]
    assert found == [
        ("tickets.csv:2", "created", "naive-timestamp"),
        ("tickets.csv:4", "history", "unsorted-history"),
        ("tickets.csv:5", "id", "missing-value"),
        ("tickets.csv:6", "first_response", "bad-value"),
        ("tickets.csv:7", "history", "bad-value"),
        ("tickets.csv:8", "history", "naive-timestamp"),
        ("tickets.csv:9", "", "bad-row"),
    ]
    naive = parsed.problems[0]
    assert "no UTC offset; add Z" in naive.message
    assert "Z" in naive.fix
    assert all(p.fix for p in parsed.problems if p.code != "bad-row")


def test_a_history_before_creation_is_a_bad_row(tmp_path: Path) -> None:
    path = ticket_csv(
        tmp_path, rows=["T-1,acme,P1,2026-10-01T09:00:00Z,,,open@2026-10-01T08:00:00Z"]
    )
    (problem,) = read_tickets(path).problems
    assert (problem.code, problem.where) == ("unsorted-history", "tickets.csv:2")
    assert "precedes its creation" in problem.message


def test_bad_json_rows_keep_their_lines(tmp_path: Path) -> None:
    objects = ticket_objects()
    objects[1]["history"] = [
        {"at": "2026-10-01T09:00:00Z", "status": "open"},
        {"at": "2026-10-01T08:00:00Z", "status": "resolved"},
    ]
    array = write(tmp_path, "t.json", json.dumps(objects, indent=2))
    (problem,) = read_tickets(array).problems
    starts = [n for n, line in enumerate(array.read_text().splitlines(), 1) if line == "  {"]
    second_object_line = starts[1]
    assert problem.where == f"t.json:{second_object_line}"
    assert problem.code == "unsorted-history"

    lines = [json.dumps(objects[0]), "{not json", "[1, 2]", json.dumps({**objects[0], "id": ""})]
    jsonl = write(tmp_path, "t.jsonl", "\n".join(lines) + "\n")
    parsed = read_tickets(jsonl)
    assert [(p.where, p.code) for p in parsed.problems] == [
        ("t.jsonl:2", "bad-row"),
        ("t.jsonl:3", "bad-row"),
        ("t.jsonl:4", "missing-value"),
    ]
    assert (parsed.rows_read, parsed.rows_rejected, len(parsed.records)) == (4, 3, 1)


def test_rows_of_a_json_array_on_one_line_name_their_element(tmp_path: Path) -> None:
    """A tool's JSON export is often one line: every bad row was `i.json:1`, which says
    nothing of which record. Elements that share a line are named by their number in the
    array too (1-based, as `jq '.[3]'` is the 4th); an element alone on its lines keeps the
    plain `file:line` (the pretty-printed case above)."""
    rows = [
        {**INCIDENTS[0], "id": "a"},
        {**INCIDENTS[0], "id": "b", "services": None},  # element 2: no services
        42,  # element 3: not an object
        {**INCIDENTS[0], "id": "c", "end": "2026-10-03T09:00:00Z"},  # element 4: end < start
    ]
    path = write(tmp_path, "i.json", json.dumps(rows))
    parsed = read_incidents(path)
    assert [(p.where, p.code) for p in parsed.problems] == [
        ("i.json:1 (element 2)", "missing-value"),
        ("i.json:1 (element 3)", "bad-row"),
        ("i.json:1 (element 4)", "bad-value"),
    ]
    # elements 1-2 on line 2, 3 alone on line 3, 4 on line 4 with the closing bracket
    text = "[\n" + json.dumps(rows[0]) + ", " + json.dumps(rows[1]) + ",\n42,\n"
    path = write(tmp_path, "j.json", text + json.dumps(rows[3]) + "]\n")
    assert [p.where for p in read_incidents(path).problems] == [
        "j.json:2 (element 2)",
        "j.json:3",
        "j.json:4",
    ]


def test_bad_incident_rows(tmp_path: Path) -> None:
    rows = [
        {**INCIDENTS[0], "customer_caused": "maybe"},
        {**INCIDENTS[0], "id": "x", "start": "2026-10-03T10:00:00"},
        {**INCIDENTS[0], "id": "y", "services": []},
        {**INCIDENTS[0], "id": "z", "end": "2026-10-03T09:00:00Z"},
        {**INCIDENTS[1], "id": "ok", "end": ""},
    ]
    path = write(tmp_path, "i.jsonl", "\n".join(json.dumps(r) for r in rows))
    parsed = read_incidents(path)
    assert [(p.where, p.field, p.code) for p in parsed.problems] == [
        ("i.jsonl:1", "customer_caused", "bad-value"),
        ("i.jsonl:2", "start", "naive-timestamp"),
        ("i.jsonl:3", "services", "missing-value"),
        ("i.jsonl:4", "end", "bad-value"),
    ]
    assert "true/false" in parsed.problems[0].fix
    (ok,) = parsed.records
    assert ok.end is None


def test_a_repeated_id_keeps_the_later_row(tmp_path: Path) -> None:
    path = ticket_csv(
        tmp_path,
        rows=[
            "T-1,acme,P1,2026-10-01T09:00:00Z,,,",
            "T-1,acme,P1,2026-10-01T09:00:00Z,,2026-10-01T10:00:00Z,",
        ],
    )
    parsed = read_tickets(path)
    (ticket,) = parsed.records
    assert ticket.resolved == T0 + H
    (problem,) = parsed.problems
    assert (problem.code, problem.where) == ("duplicate-id", "tickets.csv:2")
    assert "line 3" in problem.message


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("t.txt", "id\n", "file format"),
        ("t.csv", "id,customer\nT-1,acme\n", "'priority', 'created'"),
        ("t.json", "[1,\n 2", "t.json:2: expected ','"),
        ("t.json", '[{"id": "T-1"},\n  {"id": ]', "t.json:2: invalid JSON"),
        ("t.json", '"text"', "JSON array"),
        ("t.csv.gz", "not gzip", "gzip"),
        ("t.csv", "", r"^t.csv: the file is empty \(0 bytes\) — start"),
        ("t.csv", "\n\n  \n", r"^t.csv: the file is empty \(nothing but white space\) — start"),
        (
            "t.csv",
            "\nid,customer\n",
            "^t.csv: the file is empty or its first line is blank — start",
        ),
    ],
)
def test_unreadable_files_raise_with_a_fix(
    tmp_path: Path, name: str, content: str, match: str
) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(IngestError, match=match) as info:
        read_tickets(path)
    assert info.value.hint


def test_an_empty_export_is_fine(tmp_path: Path) -> None:
    parsed = read_tickets(write(tmp_path, "t.json", "[]"))
    assert (parsed.records, parsed.rows_read, parsed.problems) == ((), 0, ())


# --- ingestion (both backends) ---------------------------------------------------------------


def test_tickets_round_trip_through_the_store(engine: Engine, tmp_path: Path) -> None:
    stages: list[str] = []
    (report,) = ingest_ticket_files(
        engine, files=[ticket_csv(tmp_path)], progress=lambda _p, stage, _f: stages.append(stage)
    )
    assert (report.inserted, report.updated, report.unchanged, report.rows_rejected) == (2, 0, 0, 0)
    assert report.rows_ingested == 2
    assert stages[0] == "read"
    assert stages[-1] == "done"
    with engine.connect() as conn:
        assert load_tickets(conn) == [T2, T1]
        assert load_tickets(conn, customer="acme") == [T1]


def test_incidents_round_trip_through_the_store(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "i.json", json.dumps(INCIDENTS))
    (report,) = ingest_incident_files(engine, files=[path])
    assert report.kind == "incidents"
    assert report.inserted == 2
    with engine.connect() as conn:
        assert load_incidents(conn, start=OCT1, end=NOV1) == [INC1, INC2]
        assert load_incidents(conn, services=["search"], start=OCT1, end=NOV1) == [INC1]
        assert load_incidents(conn, customer="beta", start=OCT1, end=NOV1) == [INC1]


def test_the_same_file_twice_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    path = ticket_csv(tmp_path)
    (first,) = ingest_ticket_files(engine, files=[path])
    copy = tmp_path / "renamed.csv"
    copy.write_bytes(path.read_bytes())
    (second,) = ingest_ticket_files(engine, files=[copy])
    assert not first.duplicate
    assert second.duplicate
    assert second.duplicate_of is not None
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 2)
    with engine.connect() as conn:
        assert len(load_tickets(conn)) == 2


def test_a_later_export_updates_changed_tickets_only(engine: Engine, tmp_path: Path) -> None:
    ingest_ticket_files(
        engine,
        files=[ticket_csv(tmp_path, "monday.csv", rows=["T-1,acme,P1,2026-10-01T09:00:00Z,,,"])],
    )
    tuesday = ticket_csv(
        tmp_path,
        "tuesday.csv",
        rows=[
            f"T-1,acme,P1,2026-10-01T09:00:00Z,2026-10-01T09:10:00Z,2026-10-01T15:00:00Z,{HISTORY}",
            "T-2,acme,P3,2026-10-02T09:00:00Z,,,",
        ],
    )
    (report,) = ingest_ticket_files(engine, files=[tuesday])
    assert (report.inserted, report.updated, report.unchanged) == (1, 1, 0)
    wednesday = ticket_csv(
        tmp_path,
        "wednesday.csv",
        rows=[
            f"T-1,acme,P1,2026-10-01T09:00:00Z,2026-10-01T09:10:00Z,2026-10-01T15:00:00Z,{HISTORY}",
            "T-2,acme,P3,2026-10-02T09:00:00Z,2026-10-02T09:30:00Z,,",
        ],
    )
    (report,) = ingest_ticket_files(engine, files=[wednesday])
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 1)
    with engine.connect() as conn:
        stored = {t.id: t for t in load_tickets(conn)}
    assert stored["T-1"] == T1
    assert stored["T-2"].first_response == datetime(2026, 10, 2, 9, 30, tzinfo=UTC)


def test_a_failure_mid_file_leaves_nothing(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = ticket_csv(tmp_path)

    def crash(*_: object, **__: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(buckets, "record_batch", crash)
    with pytest.raises(RuntimeError):
        ingest_ticket_files(engine, files=[path])
    monkeypatch.undo()
    with engine.connect() as conn:
        assert load_tickets(conn) == []  # the tickets were rolled back with the batch
    (report,) = ingest_ticket_files(engine, files=[path])
    assert not report.duplicate
    assert report.inserted == 2


def test_an_unreadable_file_stops_after_the_files_before_it(engine: Engine, tmp_path: Path) -> None:
    good = ticket_csv(tmp_path)
    bad = write(tmp_path, "bad.csv", "id,customer\nT-1,acme\n")
    with pytest.raises(IngestError):
        ingest_ticket_files(engine, files=[good, bad])
    with engine.connect() as conn:
        assert len(load_tickets(conn)) == 2


# --- CLI -------------------------------------------------------------------------------------


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)
    return CliRunner()


def test_cli_ingests_tickets_as_json_then_skips_the_duplicate(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = ticket_csv(
        tmp_path,
        rows=[
            f"T-1,acme,P1,2026-10-01T09:00:00Z,2026-10-01T09:10:00Z,2026-10-01T15:00:00Z,{HISTORY}",
            "T-2,acme,P1,2026-10-01T09:00:00,,,",
        ],
    )
    args = ["ingest", "tickets", str(path), "-w", str(tmp_path)]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    (summary,) = json.loads(result.stdout)["files"]
    assert summary["kind"] == "tickets"
    assert (summary["rows_read"], summary["inserted"], summary["rows_rejected"]) == (2, 1, 1)
    assert summary["problems"][0]["where"] == "tickets.csv:3"
    assert summary["problems"][0]["code"] == "naive-timestamp"
    assert not summary["duplicate"]

    again = runner.invoke(app, [*args, "--strict"])
    assert again.exit_code == 0, again.output  # a duplicate rejects nothing new
    assert "already ingested on" in again.stdout
    assert (tmp_path / ".covenant" / "covenant.db").exists()


def test_cli_strict_fails_on_rejected_rows_and_tables_list_them(
    runner: CliRunner, tmp_path: Path
) -> None:
    rows = [{**INCIDENTS[0], "id": f"i{n}", "force_majeure": "perhaps"} for n in range(25)]
    rows.append(INCIDENTS[1])  # one row stored: a file of only rejected rows is an error
    path = write(tmp_path, "incidents.jsonl", "\n".join(json.dumps(r) for r in rows))
    args = ["ingest", "incidents", str(path), "-w", str(tmp_path)]
    strict = runner.invoke(app, [*args, "--strict"])
    assert strict.exit_code == 1  # all or nothing: refused whole, the first 20 rows listed
    assert "incidents.jsonl: refused whole (--strict): 25 of its 26 rows" in strict.stderr
    assert "is not a boolean" in strict.stderr
    assert "… and 5 more rejected rows" in strict.stderr
    result = runner.invoke(app, args)
    assert result.exit_code == 0  # the good row stored, the bad ones listed
    assert "Ingested incidents" in result.stdout
    assert "is not a boolean" in result.stdout
    assert "and 5 more rejected" in result.stdout


def test_cli_exit_codes_for_unreadable_and_missing_files(runner: CliRunner, tmp_path: Path) -> None:
    broken = write(tmp_path, "broken.json", "[{")
    failed = runner.invoke(app, ["ingest", "incidents", str(broken), "-w", str(tmp_path)])
    assert failed.exit_code == 1
    assert "broken.json:1" in failed.stderr
    assert "run: covenant explain ingest-error" in failed.stderr
    missing = runner.invoke(app, ["ingest", "tickets", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2


def test_a_json_file_of_one_object_per_line_is_read_as_jsonl(tmp_path: Path) -> None:
    path = write(tmp_path, "t.json", "\n".join(json.dumps(o) for o in ticket_objects()))
    assert read_tickets(path).records == (T1, T2)


def test_the_same_file_as_events_and_as_incidents_are_different_batches(
    engine: Engine, tmp_path: Path
) -> None:
    """Idempotency is per file *and* kind: ingesting events does not make incidents a no-op."""
    from covenant.core.model import EventRule  # noqa: PLC0415 - only this test needs it
    from covenant.services.ingest import ingest_event_files  # noqa: PLC0415
    from covenant.services.records import ingest_incident_files  # noqa: PLC0415

    path = tmp_path / "both.csv"
    path.write_text(
        "id,timestamp,sli,status,services,start,end\n"
        "INC-1,2026-10-01T00:00:00Z,api,200,api,2026-10-01T00:00:00Z,2026-10-01T01:00:00Z\n"
    )
    (events,) = ingest_event_files(engine, files=[path], rules=[EventRule(series="api", sli="api")])
    (incidents,) = ingest_incident_files(engine, files=[path])
    (again,) = ingest_incident_files(engine, files=[path])
    assert events.rows_ingested == 1
    assert not incidents.duplicate
    assert incidents.inserted == 1
    assert again.duplicate


def test_instants_outside_1970_to_2200_are_bad_rows_not_a_traceback(tmp_path: Path) -> None:
    """`9999-12-31T23:59:59-14:00` is past year 9999 in UTC: it raised OverflowError out of the
    whole ingest. Records, like events, lie between 1970 and 2200 (a later year is a typo)."""
    path = ticket_csv(
        tmp_path,
        rows=[
            "T-1,acme,P1,9999-12-31T23:59:59-14:00,,,",  # line 2: past 9999 in UTC
            "T-2,acme,P1,0001-01-01T00:00:00+14:00,,,",  # line 3: before year 1 in UTC
            "T-3,acme,P1,2226-11-20T09:00:00Z,,,",  # line 4: a typo for 2026
            "T-4,acme,P1,1969-12-31T23:59:59Z,,,",  # line 5: before 1970
            "T-5,acme,P1,2199-12-31T23:59:59Z,,,",  # line 6: the last second accepted
            "T-6,acme,P1,2026-10-01T09:00:00Z,2300-01-01T00:00:00Z,,",  # line 7: response
        ],
    )
    parsed = read_tickets(path)
    assert [t.id for t in parsed.records] == ["T-5"]
    assert parsed.records[0].created == datetime(2199, 12, 31, 23, 59, 59, tzinfo=UTC)
    found = [(p.where, p.field, p.code) for p in parsed.problems]
    assert found == [
        ("tickets.csv:2", "created", "bad-value"),
        ("tickets.csv:3", "created", "bad-value"),
        ("tickets.csv:4", "created", "bad-value"),
        ("tickets.csv:5", "created", "bad-value"),
        ("tickets.csv:7", "first_response", "bad-value"),
    ]
    assert all("lies outside 1970-01-01 to 2200-01-01" in p.message for p in parsed.problems)
    assert all(p.fix == "check the year" for p in parsed.problems)


def test_a_file_without_the_required_columns_points_at_the_help_not_the_repository(
    tmp_path: Path,
) -> None:
    """The hint named docs/records.md, which an installed user does not have."""
    path = write(tmp_path, "tickets.csv", "id,customer\nT-1,acme\n")
    with pytest.raises(IngestError) as caught:
        read_tickets(path)
    assert "docs/records.md" not in str(caught.value)
    assert "(`covenant ingest tickets --help`)" in str(caught.value)
    assert '--column priority="Its header"' in str(caught.value)  # a raw export's own names
