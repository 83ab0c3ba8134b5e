"""``covenant ingest tickets|incidents`` records each file it stores in the audit log (one row
per file, its counts and span), as ``covenant ingest events`` does; a duplicate or a refused
file adds none. Before, a file of records was written without any trace in the log."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.conftest import ROOT

TICKETS = (
    "id,customer,priority,created,resolved\n"
    "A-1,globex,P1,2026-11-02T10:00:00+01:00,2026-11-02T12:00:00+01:00\n"
    "A-2,globex,P2,2026-11-01T08:30:00Z,\n"
    "A-3,globex,P2,not a time,\n"
)
INCIDENTS = '{"id": "I-1", "services": ["checkout"], "start": "2026-10-30T22:00:00-02:00"}\n'


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", folder, ignore=shutil.ignore_patterns(".covenant"))
    monkeypatch.setenv("COVENANT_DATABASE_URL", f"sqlite:///{tmp_path / 'covenant.db'}")
    return folder


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def audited(shop: Path, kind: str) -> list[dict[str, Any]]:
    listed = run("audit", "list", "--kind", kind, "--format", "json", "-w", str(shop))
    assert listed.exit_code == 0, listed.output
    rows: list[dict[str, Any]] = json.loads(listed.stdout)["items"]
    return rows


def test_a_ticket_file_is_audited_once(shop: Path, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(TICKETS)

    done = run("ingest", "tickets", str(path), "-w", str(shop))
    assert done.exit_code == 0, done.output
    again = run("ingest", "tickets", str(path), "-w", str(shop))  # already ingested
    assert again.exit_code == 0, again.output

    (row,) = audited(shop, "ticket-file")
    assert row["actor"].startswith("cli")
    assert (row["action"], row["entity_id"]) == ("ingested", "export.csv")
    after = json.loads(row["after"]) if isinstance(row["after"], str) else row["after"]
    assert {k: after[k] for k in ("rows_read", "rows_rejected", "inserted", "updated")} == {
        "rows_read": 3,
        "rows_rejected": 1,
        "inserted": 2,
        "updated": 0,
    }
    # the span: A-2 created 08:30Z, A-1 09:00Z (10:00 at +01:00)
    assert after["first"].startswith("2026-11-01T08:30:00")
    assert after["last"].startswith("2026-11-02T09:00:00")


def test_an_incident_file_is_audited_and_a_refused_one_is_not(shop: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "I-9", "services": ["checkout"], "start": "soon"}\n')
    refused = run("ingest", "incidents", str(bad), "-w", str(shop))
    assert refused.exit_code == 1, refused.output  # nothing-ingested

    good = tmp_path / "incidents.jsonl"
    good.write_text(INCIDENTS)
    done = run("ingest", "incidents", str(good), "-w", str(shop))
    assert done.exit_code == 0, done.output

    (row,) = audited(shop, "incident-file")
    assert row["entity_id"] == "incidents.jsonl"
    after = json.loads(row["after"]) if isinstance(row["after"], str) else row["after"]
    assert after["inserted"] == 1
    assert after["first"].startswith("2026-10-31T00:00:00")  # 22:00 at -02:00
