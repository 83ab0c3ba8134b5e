"""`covenant ingest events|tickets|incidents a b c` where ``b`` is malformed: ``a`` is kept (each
file is ingested in its own transaction), nothing of ``b`` is written, ``c`` is not started,
and the error says all three — before, it named ``b``'s problem alone, so nobody knew whether
``c`` was in the store. The exit code stays 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.cli.starter import starter_workspace

runner = CliRunner()
EVENTS = "timestamp,sli,status\n"
TICKETS = "id,customer,priority,created,first_response,resolved\n"
INCIDENTS = "id,services,start,end,severity\n"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The starter workspace (one SLI, checkout-availability), no store yet."""
    return starter_workspace(tmp_path, monkeypatch)


def rows(ws: Path, query: str) -> list[tuple[object, ...]]:
    engine = create_engine(f"sqlite:///{ws / '.covenant' / 'covenant.db'}")
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(query))]
    finally:
        engine.dispose()


SAID = (
    "a.{ext} is ingested and kept; b.{bad} failed: nothing of it was written; c.{ext} was not "
    "started — fix b.{bad} and run the same command again: a file already ingested is skipped"
)


def run(ws: Path, kind: str, ext: str, bad: str, *extra: str) -> str:
    result = runner.invoke(
        app, ["ingest", kind, f"a.{ext}", f"b.{bad}", f"c.{ext}", "-w", str(ws), *extra]
    )
    assert result.exit_code == 1, (result.stdout, result.stderr)
    err = " ".join(result.stderr.split())  # as one line, whatever the terminal's width
    assert SAID.format(ext=ext, bad=bad) in err, err
    assert "Traceback" not in err
    return err


def test_events_the_middle_file_fails(ws: Path) -> None:
    folder = ws.parent
    (folder / "a.csv").write_text(EVENTS + "2026-10-01T00:00:00Z,checkout-availability,200\n")
    (folder / "b.csv").write_text("when,what\n1,2\n")  # no timestamp column
    (folder / "c.csv").write_text(EVENTS + "2026-10-01T00:01:00Z,checkout-availability,503\n")
    err = run(ws, "events", "csv", "csv")
    assert "b.csv: no 'timestamp' column" in err  # b's own problem, as before
    assert rows(ws, "SELECT filename, rows_ingested FROM ingest_batches") == [("a.csv", 1)]


def test_events_json_output_says_the_same_on_standard_error(ws: Path) -> None:
    folder = ws.parent
    (folder / "a.csv").write_text(EVENTS + "2026-10-01T00:00:00Z,checkout-availability,200\n")
    (folder / "b.csv").write_text("when,what\n1,2\n")
    (folder / "c.csv").write_text(EVENTS + "2026-10-01T00:01:00Z,checkout-availability,503\n")
    run(ws, "events", "csv", "csv", "--format", "json")


def test_tickets_the_middle_file_fails(ws: Path) -> None:
    folder = ws.parent
    (folder / "a.csv").write_text(TICKETS + "T-1,acme,P1,2026-10-01T09:00:00Z,,\n")
    (folder / "b.json").write_text('[{"id": "T-2", ')  # cut short
    (folder / "c.csv").write_text(TICKETS + "T-3,acme,P1,2026-10-01T09:00:00Z,,\n")
    err = run(ws, "tickets", "csv", "json")
    assert "b.json:1: invalid JSON" in err
    assert rows(ws, "SELECT id FROM tickets") == [("T-1",)]


def test_incidents_the_middle_file_fails(ws: Path) -> None:
    folder = ws.parent
    (folder / "a.csv").write_text(INCIDENTS + "I-1,checkout,2026-10-01T09:00:00Z,,sev1\n")
    (folder / "b.jsonl").write_text('{"id": "I-2"\n')  # not an object
    (folder / "c.csv").write_text(INCIDENTS + "I-3,checkout,2026-10-02T09:00:00Z,,sev1\n")
    run(ws, "incidents", "csv", "jsonl")
    assert rows(ws, "SELECT id FROM incidents") == [("I-1",)]


def test_the_first_file_fails(ws: Path) -> None:
    folder = ws.parent
    (folder / "a.csv").write_text("when,what\n1,2\n")
    (folder / "b.csv").write_text(EVENTS + "2026-10-01T00:01:00Z,checkout-availability,503\n")
    result = runner.invoke(app, ["ingest", "events", "a.csv", "b.csv", "-w", str(ws)])
    assert result.exit_code == 1
    err = " ".join(result.stderr.split())
    assert (
        "no file was ingested: a.csv failed: nothing of it was written; b.csv was not started "
        "— fix a.csv and run the same command again" in err
    ), err


def test_one_file_alone_is_not_summed_up(ws: Path) -> None:
    (ws.parent / "b.csv").write_text("when,what\n1,2\n")
    result = runner.invoke(app, ["ingest", "events", "b.csv", "-w", str(ws)])
    assert result.exit_code == 1
    assert "b.csv: no 'timestamp' column" in result.stderr
    assert "not started" not in result.stderr
    assert "failed: nothing of it was written" not in result.stderr
