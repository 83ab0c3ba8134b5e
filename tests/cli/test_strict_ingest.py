"""``--strict`` is all or nothing: a file with any rejected row is refused whole.

Before, `covenant ingest tickets|incidents|events --strict` stored a file's good rows, recorded
the file as ingested and only then exited 1: the file could not be fixed and ingested again (its
bytes were "already ingested" under another hash only once changed) and the store held part of
it. Now such a file exits 1 with ``rows-rejected``, every rejected row listed with its
``file:line``, field, problem and fix, and the store is exactly as it was — no record, no batch
row, no audit row — on SQLite and PostgreSQL alike. Files before it stay ingested; the files
after it are not started. The fixed file ingests afterwards.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.services.store import open_store
from tests.cli.starter import starter_workspace
from tests.stores import snapshot

runner = CliRunner()

TICKETS = "id,customer,priority,created,resolved\n"
GOOD_TICKETS = TICKETS + "S-1,acme,P1,2026-11-02T10:00:00Z,2026-11-02T12:00:00Z\n"
MIXED_TICKETS = (
    TICKETS
    + "S-2,acme,P1,2026-11-03T10:00:00Z,\n"  # line 2: good
    + "S-3,acme,P2,not a time,\n"  # line 3: created is no instant
    + "S-4,acme,P2,2026-11-03T11:00:00Z,\n"  # line 4: good
    + "S-5,acme,P2,2026-11-03 12:00:00,\n"  # line 5: no offset, no --time-zone
)
EVENTS = "timestamp,sli,status\n"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_url: str) -> Path:
    """The starter workspace (one SLI, checkout-availability) on an empty store of each
    backend (migrated: a snapshot reads its tables)."""
    folder = starter_workspace(tmp_path, monkeypatch)
    monkeypatch.setenv("COVENANT_DATABASE_URL", store_url)
    open_store(store_url).dispose()
    return folder


def ingest(ws: Path, kind: str, *args: str) -> tuple[int, str, str]:
    done = runner.invoke(app, ["ingest", kind, *args, "-w", str(ws)], env={"COLUMNS": "200"})
    assert done.exception is None or isinstance(done.exception, SystemExit), done.exception
    return done.exit_code, done.stdout, " ".join(done.stderr.split())


def write(folder: Path, name: str, text: str) -> str:
    (folder / name).write_text(text)
    return str(folder / name)


def test_a_ticket_file_with_a_rejected_row_changes_nothing_and_its_fix_ingests(
    ws: Path, tmp_path: Path, store_url: str
) -> None:
    first = write(tmp_path, "first.csv", GOOD_TICKETS)
    assert ingest(ws, "tickets", first)[0] == 0
    before = snapshot(store_url)
    assert len(before["tickets"]) == 1
    assert len(before["ingest_batches"]) == 1

    mixed = write(tmp_path, "mixed.csv", MIXED_TICKETS)
    after = write(tmp_path, "after.csv", GOOD_TICKETS.replace("S-1", "S-9"))
    code, out, err = ingest(ws, "tickets", "--strict", mixed, after)

    assert code == 1, (out, err)
    # 4 rows, lines 3 and 5 rejected: 2 of 4; the 2 good ones are not stored either
    assert "mixed.csv: refused whole (--strict): 2 of its 4 rows were rejected" in err, err
    assert "mixed.csv:3 created: " in err, err
    assert "mixed.csv:5 created: " in err, err
    assert "--time-zone" in err  # line 5's fix
    assert "ingest it without --strict to store its 2 good tickets" in err
    assert "covenant explain rows-rejected" in err
    assert "after.csv was not started" in err, err
    assert snapshot(store_url) == before  # no record, no batch row, no audit row

    fixed = write(
        tmp_path,
        "mixed.csv",
        MIXED_TICKETS.replace("not a time", "2026-11-03T10:30:00Z").replace(
            "2026-11-03 12:00:00", "2026-11-03T12:00:00Z"
        ),
    )
    code, out, err = ingest(ws, "tickets", "--strict", "--format", "json", fixed)
    assert code == 0, (out, err)
    stored = snapshot(store_url)
    assert len(stored["tickets"]) == 1 + 4  # first.csv's S-1 and the 4 fixed rows
    assert len(stored["ingest_batches"]) == 1 + 1
    assert len(stored["audit_log"]) == len(before["audit_log"]) + 1


def test_an_incident_file_with_a_rejected_row_is_refused_whole(
    ws: Path, tmp_path: Path, store_url: str
) -> None:
    before = snapshot(store_url)
    text = (
        '{"id": "I-1", "services": ["checkout"], "start": "2026-10-30T22:00:00Z"}\n'
        '{"id": "I-2", "services": ["checkout"], "start": "soon"}\n'  # line 2: bad start
    )
    code, out, err = ingest(ws, "incidents", "--strict", write(tmp_path, "inc.jsonl", text))
    assert code == 1, (out, err)
    assert "inc.jsonl: refused whole (--strict): 1 of its 2 rows was rejected" in err, err
    assert "inc.jsonl:2 start: " in err
    assert snapshot(store_url) == before

    code, out, err = ingest(ws, "incidents", write(tmp_path, "inc.jsonl", text))  # not strict
    assert code == 0, (out, err)  # the good row stored, the bad one skipped, as before
    assert len(snapshot(store_url)["incidents"]) == 1


def test_an_event_file_with_a_rejected_row_is_refused_whole_files_before_it_stay(
    ws: Path, tmp_path: Path, store_url: str
) -> None:
    good = write(tmp_path, "good.csv", EVENTS + "2026-10-01T00:00:00Z,checkout-availability,200\n")
    bad_text = (
        EVENTS
        + "2026-10-01T00:01:00Z,checkout-availability,200\n"
        + "2026-10-01T00:02:00Z,checkout-availability,teapot\n"  # line 3: no status
    )
    bad = write(tmp_path, "bad.csv", bad_text)
    code, out, err = ingest(ws, "events", "--strict", good, bad)
    assert code == 1, (out, err)
    assert "bad.csv: refused whole (--strict): 1 of its 2 rows was rejected" in err, err
    assert "bad.csv:3 status: " in err
    stored = snapshot(store_url)
    # good.csv stays (its own transaction, before bad.csv); bad.csv left no trace
    assert [row for row in stored["ingest_batches"] if "good.csv" in row] != []
    assert [row for row in stored["ingest_batches"] if "bad.csv" in row] == []
    assert len(stored["ingest_batches"]) == 1
    events_audit = len(stored["audit_log"])

    fixed = write(tmp_path, "bad.csv", bad_text.replace("teapot", "503"))
    code, out, err = ingest(ws, "events", "--strict", fixed)
    assert code == 0, (out, err)
    again = snapshot(store_url)
    assert len(again["ingest_batches"]) == 2
    assert len(again["audit_log"]) == events_audit + 1
