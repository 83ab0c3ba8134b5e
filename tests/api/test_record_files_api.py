"""``POST /ingest/tickets`` and ``/ingest/incidents``: a help desk's export ingested over the
API as ``covenant ingest tickets|incidents FILE`` ingests it, on SQLite and PostgreSQL.

The stored records are read back with ``GET /tickets/{id}`` and ``GET /incidents/{id}``; the
instants expected are worked out here by hand from the file's local times, the zone's offset
on that day and the column mapping."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from covenant.api.app import create_app
from covenant.cli.main import app as cli
from covenant.config import Settings, sqlite_url
from covenant.services.agreements import sync_agreements
from covenant.services.store import open_store
from covenant.services.workspace import load_workspace
from tests.api.support import AT, CUSTOMERS, Client, Shop, role_tokens
from tests.availability import unavailable
from tests.conftest import POSTGRES_URL, ROOT
from tests.stores import postgres_schemas

V1 = "/api/v1"

# Zendesk-style: its own headers, local times of the account's zone (Berlin), a column the
# mapping leaves out (Subject)
ZENDESK = (
    "Ticket ID,Organization,Priority,Created at,First reply at,Solved at,Subject\n"
    "4711,globex,P1,2026-11-05 14:03:00,2026-11-05 14:20:00,2026-11-05 18:00:00,Login fails\n"
    "4712,globex,P2,2026-10-20 09:15:00,,,Slow search\n"
)
ZENDESK_COLUMNS = [
    "id=Ticket ID",
    "customer=Organization",
    "priority=Priority",
    "created=Created at",
    "first_response=First reply at",
    "resolved=Solved at",
]


def _store(folder: Path, url: str | None) -> Shop:
    """A fresh store (no demo data) behind the shop's workspace, with a token per role."""
    workspace = folder / "shop"
    shutil.copytree(
        ROOT / "examples" / "shop", workspace, ignore=shutil.ignore_patterns(".covenant")
    )
    settings = Settings(workspace=workspace, database_url=url or sqlite_url(workspace))
    engine = open_store(settings.database_url)
    try:
        sync_agreements(engine, workspace=load_workspace(workspace), at=AT, actor="test")
        tokens = role_tokens(engine, customers=CUSTOMERS)
    finally:
        engine.dispose()
    return Shop(
        workspace=workspace,
        settings=settings,
        tokens=tokens,
        client=Client(create_app(settings, clock=lambda: AT)),
    )


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Shop]:
    if request.param == "sqlite":
        made = _store(tmp_path, None)
        yield made
        made.client.app.state.covenant.close()
        return
    engine = sa.create_engine(POSTGRES_URL)
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        unavailable(f"PostgreSQL unreachable at {POSTGRES_URL}: {exc}")
    finally:
        engine.dispose()
    with postgres_schemas(POSTGRES_URL, prefix="recfiles") as (url,):
        made = _store(tmp_path, url)
        try:
            yield made
        finally:
            made.client.app.state.covenant.close()  # before the schema goes


def post(
    shop: Shop,
    kind: str,
    content: bytes | str,
    params: dict[str, Any] | None = None,
    *,
    role: str = "editor",
    content_type: str = "application/octet-stream",
) -> tuple[int, dict[str, Any]]:
    answer = shop.client.request(
        "POST",
        f"{V1}/ingest/{kind}",
        shop.tokens[role],
        content=content.encode() if isinstance(content, str) else content,
        params=params or {},
        headers={"Content-Type": content_type},
    )
    return answer.status_code, answer.json()


def ticket(shop: Shop, ticket_id: str) -> tuple[int, dict[str, Any]]:
    answer = shop.client.get(f"{V1}/tickets/{ticket_id}", shop.tokens["admin"])
    return answer.status_code, answer.json()


def stored_ticket(shop: Shop, ticket_id: str) -> dict[str, Any]:
    status, found = ticket(shop, ticket_id)
    assert status == 200, found
    keys = ("id", "customer", "priority", "created", "first_response", "resolved", "history")
    return {k: found[k] for k in keys}


def audit_rows(shop: Shop, kind: str) -> list[dict[str, Any]]:
    answer = shop.client.get(f"{V1}/audit", shop.tokens["admin"], params={"kind": kind})
    assert answer.status_code == 200, answer.text
    rows: list[dict[str, Any]] = answer.json()["items"]
    return rows


def test_a_zendesk_export_is_read_with_its_columns_and_zone(store: Shop) -> None:
    params = {"filename": "zendesk.csv", "column": ZENDESK_COLUMNS, "time_zone": "Europe/Berlin"}

    status, answer = post(store, "tickets", ZENDESK, params)

    assert status == 201, answer
    assert answer == {
        "files": [
            {
                "file": "zendesk.csv",
                "kind": "tickets",
                "sha256": hashlib.sha256(ZENDESK.encode()).hexdigest(),
                "duplicate": False,
                "previously_ingested_at": None,
                "rows_read": 2,
                "rows_ingested": 2,
                "rows_rejected": 0,
                "inserted": 2,
                "updated": 0,
                "unchanged": 0,
                "problems": [],
                "warnings": [],
            }
        ]
    }
    # 5 November: CET, +01:00 (Berlin's clocks went back on 25 October)
    assert stored_ticket(store, "4711") == {
        "id": "4711",
        "customer": "globex",
        "priority": "P1",
        "created": "2026-11-05T13:03:00Z",
        "first_response": "2026-11-05T13:20:00Z",
        "resolved": "2026-11-05T17:00:00Z",
        "history": [
            {"at": "2026-11-05T13:03:00Z", "status": "open"},
            {"at": "2026-11-05T17:00:00Z", "status": "resolved"},
        ],
    }
    # 20 October: CEST, +02:00
    assert stored_ticket(store, "4712") == {
        "id": "4712",
        "customer": "globex",
        "priority": "P2",
        "created": "2026-10-20T07:15:00Z",
        "first_response": None,
        "resolved": None,
        "history": [{"at": "2026-10-20T07:15:00Z", "status": "open"}],
    }
    (row,) = audit_rows(store, "ticket-file")
    editor = store.tokens["editor"].removeprefix("cvt_").partition(".")[0]
    assert (row["actor"], row["action"], row["entity_id"]) == (
        f"token:{editor}",
        "ingested",
        "zendesk.csv",
    )
    assert row["after"]["inserted"] == 2
    assert row["after"]["first"].startswith("2026-10-20T07:15:00")  # the earliest created
    assert row["after"]["last"].startswith("2026-11-05T13:03:00")


def test_the_same_file_again_changes_nothing_and_a_changed_one_updates(store: Shop) -> None:
    params = {"filename": "zendesk.csv", "column": ZENDESK_COLUMNS, "time_zone": "Europe/Berlin"}
    assert post(store, "tickets", ZENDESK, params)[0] == 201

    status, again = post(store, "tickets", ZENDESK, {**params, "filename": "other.csv"})

    assert status == 200, again
    (report,) = again["files"]
    assert report["duplicate"] is True
    assert report["previously_ingested_at"] is not None
    assert (report["inserted"], report["updated"]) == (0, 0)
    assert len(audit_rows(store, "ticket-file")) == 1  # nothing changed: no row

    # 4712 answered at 10:00 Berlin (08:00Z) in a later export
    later = ZENDESK.replace("2026-10-20 09:15:00,,", "2026-10-20 09:15:00,2026-10-20 10:00:00,")
    status, answer = post(store, "tickets", later, params)

    assert status == 201, answer
    (report,) = answer["files"]
    assert (report["inserted"], report["updated"], report["unchanged"]) == (0, 1, 1)
    assert stored_ticket(store, "4712")["first_response"] == "2026-10-20T08:00:00Z"


def test_a_bad_row_is_reported_with_its_line_and_field_the_others_stored(store: Shop) -> None:
    text = (
        "id,customer,priority,created\n"
        "T-1,globex,P1,2026-11-02T08:00:00Z\n"
        "T-2,globex,P2,2026-11-02 09:00:00\n"  # no offset and no time_zone
    )
    status, answer = post(store, "tickets", text, content_type="text/csv")

    assert status == 201, answer
    (report,) = answer["files"]
    assert report["file"] == "tickets.csv"  # named by its Content-Type
    assert (report["rows_read"], report["inserted"], report["rows_rejected"]) == (2, 1, 1)
    (problem,) = report["problems"]
    assert (problem["where"], problem["field"], problem["code"]) == (
        "tickets.csv:3",
        "created",
        "naive-timestamp",
    )
    assert "--time-zone" in problem["message"]
    assert stored_ticket(store, "T-1")["created"] == "2026-11-02T08:00:00Z"
    assert ticket(store, "T-2")[0] == 404


def test_text_no_store_keeps_is_a_bad_row_as_the_command_has_it(store: Shop) -> None:
    # regression: the API's guard against NUL and lone surrogates in JSON bodies refused the
    # whole upload ("the request body holds a NUL character"); the command makes each such
    # row a bad row naming its field, and the upload is read by the same code
    text = (
        '{"id": "U-1", "customer": "globex", "priority": "P1", "created": "2026-11-02T08:00:00Z"}\n'
        '{"id": "U-2", "customer": "glo\\u0000bex", "priority": "P1", '
        '"created": "2026-11-02T08:00:00Z"}\n'
        '{"id": "U-3", "customer": "globex", "priority": "P\\ud8001", '
        '"created": "2026-11-02T08:00:00Z"}\n'
    )
    status, answer = post(store, "tickets", text, content_type="application/x-ndjson")

    assert status == 201, answer
    (report,) = answer["files"]
    assert (report["rows_read"], report["inserted"], report["rows_rejected"]) == (3, 1, 2)
    found = [(p["where"], p["field"], p["message"]) for p in report["problems"]]
    assert found == [
        ("tickets.jsonl:2", "customer", "customer holds a NUL character (\\u0000)"),
        (
            "tickets.jsonl:3",
            "priority",
            "priority holds a lone surrogate (\\ud800), which is not a character",
        ),
    ]
    assert ticket(store, "U-1")[0] == 200
    assert ticket(store, "U-2")[0] == 404


def test_a_malformed_file_is_refused_whole_and_stores_nothing(store: Shop) -> None:
    # a JSON array broken after its first, good element: found at the end, nothing written
    text = (
        '[{"id": "J-1", "customer": "globex", "priority": "P1", '
        '"created": "2026-11-02T08:00:00Z"},\n{"id": "J-2", '
    )
    status, answer = post(store, "tickets", text, {"filename": "export.json"})

    assert status == 400, answer
    assert answer["code"] == "ingest-error"
    assert answer["message"].startswith("export.json:2: invalid JSON")
    assert ticket(store, "J-1")[0] == 404
    assert audit_rows(store, "ticket-file") == []


def test_a_required_column_missing_is_refused_naming_it(store: Shop) -> None:
    text = "id,customer,created\nT-9,globex,2026-11-02T08:00:00Z\n"
    status, answer = post(store, "tickets", text, {"filename": "t.csv"})
    assert status == 400, answer
    assert answer["code"] == "ingest-error"
    assert "priority" in answer["message"]
    assert ticket(store, "T-9")[0] == 404


def test_a_file_of_bad_rows_only_is_refused_and_its_fixed_copy_applied(store: Shop) -> None:
    bad = "id,customer,priority,created\nT-5,globex,P1,yesterday\nT-6,globex,P1,\n"
    status, answer = post(store, "tickets", bad, {"filename": "t.csv"})
    assert status == 422, answer
    assert answer["code"] == "nothing-ingested"
    assert answer["message"].startswith("t.csv: none of its 2 rows was ingested")
    assert (answer["rows_read"], answer["rows_rejected"]) == (2, 2)
    assert [(p["where"], p["field"], p["code"]) for p in answer["problems"]] == [
        ("t.csv:2", "created", "bad-value"),
        ("t.csv:3", "created", "missing-value"),
    ]
    assert "refused" not in answer  # an event batch's rows: not a file's
    assert ticket(store, "T-5")[0] == 404

    fixed = "id,customer,priority,created\nT-5,globex,P1,2026-11-03T10:00:00+01:00\n"
    status, answer = post(store, "tickets", fixed, {"filename": "t.csv"})
    assert status == 201, answer
    assert stored_ticket(store, "T-5")["created"] == "2026-11-03T09:00:00Z"


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"column": ["nope=Ticket ID"]}, "--column 'nope=Ticket ID': 'nope' is not a field"),
        ({"time_zone": "Europe/Berln"}, "--time-zone 'Europe/Berln' is not an IANA time zone"),
        ({"time_format": "dd/mm/yy"}, "--time-format 'dd/mm/yy' has no % directive"),
        ({"filename": "../t.csv"}, "filename '../t.csv' is not a file's name"),
        ({"filename": "é" * 126 + ".csv"}, "filename is 256 bytes long (UTF-8), over 255"),
    ],
)
def test_a_wrong_option_is_refused_as_the_command_refuses_it(
    store: Shop, params: dict[str, Any], said: str
) -> None:
    status, answer = post(store, "tickets", ZENDESK, {"filename": "z.csv", **params})
    assert status == 400, answer
    assert answer["code"] == "invalid-input"
    assert answer["message"].startswith(said)
    assert ticket(store, "4711")[0] == 404


def test_a_body_without_a_format_is_refused_with_the_fix(store: Shop) -> None:
    status, answer = post(store, "tickets", ZENDESK)  # application/octet-stream, no filename
    assert status == 400, answer
    assert answer["code"] == "invalid-input"
    assert "filename=NAME.csv" in answer["hint"]


def test_incidents_as_json_lines_gzipped_with_a_time_format(store: Shop) -> None:
    lines = [
        {
            "Key": "INC-50",
            "Services": ["checkout", "search"],
            "Began": "05/Nov/26 2:03 PM",
            "Ended": "05/Nov/26 4:15 PM",
            "severity": "sev1",
            "customers": ["globex"],
        },
        {"Key": "INC-51", "Services": "checkout", "Began": "20/Oct/26 9:00 AM", "Ended": None},
    ]
    body = gzip.compress("".join(json.dumps(line) + "\n" for line in lines).encode())
    params = {
        "filename": "jira.jsonl.gz",
        "column": ["id=Key", "services=Services", "start=Began", "end=Ended"],
        "time_zone": "America/New_York",
        "time_format": "%d/%b/%y %I:%M %p",
    }

    status, answer = post(store, "incidents", body, params, role="admin")

    assert status == 201, answer
    (report,) = answer["files"]
    assert (report["file"], report["kind"], report["inserted"]) == ("jira.jsonl.gz", "incidents", 2)
    found = store.client.get(f"{V1}/incidents/INC-50", store.tokens["admin"]).json()
    assert found == {  # 5 November: EST, -05:00 (New York's clocks went back on 1 November)
        "id": "INC-50",
        "services": ["checkout", "search"],
        "start": "2026-11-05T19:03:00Z",
        "end": "2026-11-05T21:15:00Z",
        "severity": "sev1",
        "customer_caused": False,
        "force_majeure": False,
        "planned_maintenance": False,
        "customers": ["globex"],
    }
    found = store.client.get(f"{V1}/incidents/INC-51", store.tokens["admin"]).json()
    assert (found["start"], found["end"]) == ("2026-10-20T13:00:00Z", None)  # EDT, -04:00
    assert [r["entity_id"] for r in audit_rows(store, "incident-file")] == ["jira.jsonl.gz"]


def test_a_viewer_may_not_ingest(store: Shop) -> None:
    status, answer = post(store, "tickets", ZENDESK, {"filename": "z.csv"}, role="viewer")
    assert (status, answer["code"]) == (403, "forbidden")


def test_a_body_over_the_servers_limit_is_refused_and_stores_nothing(tmp_path: Path) -> None:
    made = _store(tmp_path, None)
    small = Shop(
        workspace=made.workspace,
        settings=made.settings,
        tokens=made.tokens,
        client=Client(create_app(made.settings, clock=lambda: AT, max_body_bytes=100)),
    )
    assert len(ZENDESK.encode()) > 100
    status, answer = post(
        small, "tickets", ZENDESK, {"filename": "z.csv", "column": ZENDESK_COLUMNS}
    )
    assert (status, answer["code"]) == (413, "body-too-large")
    assert "split an event batch or a record file into several" in answer["hint"]
    assert ticket(made, "4711")[0] == 404


def test_the_answer_is_what_the_command_prints(tmp_path: Path) -> None:
    """The API's answer and ``covenant ingest tickets --format json`` for the same file on two
    fresh stores: the same but for ``file`` (the command prints the path it was given)."""
    text = ZENDESK + "4713,globx,P7,2026-11-06 10:00:00,,,Typo\n4714,globex,P1,soon,,,\n"
    params = {"filename": "zendesk.csv", "column": ZENDESK_COLUMNS, "time_zone": "Europe/Berlin"}
    over_api = _store(tmp_path / "api", None)
    status, answer = post(over_api, "tickets", text, params)
    assert status == 201, answer

    by_cli = _store(tmp_path / "cli", None)
    path = tmp_path / "zendesk.csv"
    path.write_text(text)
    options = [*(f"--column={c}" for c in ZENDESK_COLUMNS), "--time-zone", "Europe/Berlin"]
    printed = CliRunner().invoke(
        cli,
        ["ingest", "tickets", str(path), "-w", str(by_cli.workspace), "--format", "json", *options],
        env={"COVENANT_DATABASE_URL": by_cli.settings.database_url, "COLUMNS": "200"},
    )
    assert printed.exit_code == 0, printed.output
    expected = json.loads(printed.stdout)
    expected["files"][0]["file"] = "zendesk.csv"
    assert answer == expected
    (report,) = answer["files"]
    assert (report["inserted"], report["rows_rejected"]) == (3, 1)
    assert {w["code"] for w in report["warnings"]} >= {"unknown-ticket-customer"}


@pytest.mark.parametrize(
    ("content_type", "text", "where"),
    [
        (
            "application/x-ndjson",
            '{"id": "R-1", "customer": "globex", "priority": "P1", '
            '"created": "2026-11-02T08:00:00Z"}\n'
            '{"id": "R-2", "customer": "globex", "priority": "P1", '
            '"created": "2026-11-02T08:00:00Z", "priority": "P4"}\n',
            "tickets.jsonl:2",
        ),
        (
            "application/json",
            '[{"id": "R-1", "customer": "globex", "priority": "P1", '
            '"created": "2026-11-02T08:00:00Z"},\n'
            '{"id": "R-2", "customer": "globex", "priority": "P1", '
            '"created": "2026-11-02T08:00:00Z", "priority": "P4"}]\n',
            "tickets.json:2",
        ),
    ],
)
def test_a_row_with_a_key_twice_is_a_bad_row_not_a_refused_upload(
    store: Shop, content_type: str, text: str, where: str
) -> None:
    """The API's refusal of a JSON body that writes a key twice (``api.body_keys``) leaves a
    record export alone: such a row is that row's refusal, as the command has it."""
    status, answer = post(store, "tickets", text, content_type=content_type)

    assert status == 201, answer
    (report,) = answer["files"]
    assert (report["rows_read"], report["inserted"], report["rows_rejected"]) == (2, 1, 1)
    (problem,) = report["problems"]
    assert problem["where"] == where
    assert "'priority' twice" in problem["message"], problem
    assert ticket(store, "R-2")[0] == 404
