"""Tickets and incidents dated more than 5 minutes after now: stored with a warning naming the
first one's file:line, how many and the latest instant; ``--refuse-future`` refuses the file.

now = 2026-12-01 12:00Z. Tickets, lines 2 to 5 (line 1 is the header): T-1 is all in the past;
T-2 was created in the past but resolved a day after now (its latest instant counts); T-3 is
created 4 minutes after now (clock skew, allowed); T-4 is created a week after now. So 2 tickets
are ahead, the first on line 3, the latest 2026-12-08T12:00:00Z.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.cli.starter import starter_workspace

runner = CliRunner(env={"COVENANT_NOW": "2026-12-01T12:00:00Z", "COLUMNS": "300"})
TICKETS = (
    "id,customer,priority,created,first_response,resolved\n"
    "T-1,acme,P1,2026-11-30T09:00:00Z,2026-11-30T09:10:00Z,2026-11-30T15:00:00Z\n"
    "T-2,acme,P1,2026-11-30T09:00:00Z,,2026-12-02T12:00:00Z\n"
    "T-3,acme,P2,2026-12-01T12:04:00Z,,\n"
    "T-4,acme,P2,2026-12-08T12:00:00Z,,\n"
)
INCIDENTS = (
    '{"id": "I-1", "services": ["checkout"], "start": "2026-11-30T09:00:00Z"}\n'
    '{"id": "I-2", "services": ["checkout"], "start": "2026-12-03T09:00:00Z"}\n'
)


def ingest(ws: Path, kind: str, name: str, text: str, *extra: str) -> tuple[int, str, str]:
    path = ws.parent / name
    path.write_text(text)
    done = runner.invoke(app, ["ingest", kind, str(path), "-w", str(ws), *extra])
    return done.exit_code, done.stdout, " ".join(done.stderr.split())


def test_tickets_ahead_of_the_clock_are_stored_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = starter_workspace(tmp_path, monkeypatch)
    code, out, err = ingest(ws, "tickets", "t.csv", TICKETS, "--format", "json")
    assert code == 0, err
    (report,) = json.loads(out)["files"]
    assert report["inserted"] == 4
    (warning,) = [w for w in report["warnings"] if w["code"] == "future-records"]
    assert warning["where"] == "t.csv:3"
    assert warning["message"].startswith(
        "2 tickets are dated more than 5 minutes after now (the first here, the latest "
        "2026-12-08T12:00:00Z); stored as written"
    )


def test_refuse_future_refuses_a_ticket_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = starter_workspace(tmp_path, monkeypatch)
    code, _, err = ingest(ws, "tickets", "t.csv", TICKETS, "--refuse-future")
    assert code == 1
    assert "Traceback" not in err
    assert "t.csv:3: 2 tickets are dated more than 5 minutes after now" in err
    assert "nothing of it was stored" in err
    code, out, err = ingest(ws, "tickets", "t.csv", TICKETS, "--format", "json")
    assert code == 0, err  # not recorded: read afresh without the option
    assert json.loads(out)["files"][0]["inserted"] == 4


def test_an_incident_starting_after_now_is_warned_of(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = starter_workspace(tmp_path, monkeypatch)
    code, _, err = ingest(ws, "incidents", "i.jsonl", INCIDENTS)
    assert code == 0, err
    assert (
        "warning: i.jsonl:2: 1 incident is dated more than 5 minutes after now (the first here, "
        "the latest 2026-12-03T09:00:00Z); stored as written"
    ) in err
    changed = INCIDENTS.replace("I-2", "I-3")  # other bytes: not "already ingested"
    code, _, err = ingest(ws, "incidents", "i2.jsonl", changed, "--refuse-future")
    assert code == 1
    assert "i2.jsonl:2: 1 incident is dated" in err
