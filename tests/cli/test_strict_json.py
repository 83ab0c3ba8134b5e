"""`covenant ingest … --strict --format json`: a file refused whole is described on stdout.

Before, a file refused with ``rows-rejected`` printed ``{"files": […]}`` of the files before it
on stdout and the refusal on stderr only: a program that asked for JSON had to scrape the
person's text for the rejected rows. Now stdout is one JSON document: ``files`` as before and
``error``, the API's error body (``code``, ``message``, ``hint``) with the file and, for a file
refused for its rows, ``rows_read``, ``rows_rejected`` and every rejected row in ``problems``
(``where``, ``field``, ``code``, ``message``, ``fix``), as ``POST /ingest/tickets?strict=true``
answers them; the exit code is 1. Run as a real process, stdout parsed by ``json``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli.starter import starter_workspace

TICKETS = "id,customer,priority,created\n"
GOOD = TICKETS + "S-1,acme,P1,2026-11-02T10:00:00Z\n"
MIXED = (
    TICKETS
    + "S-2,acme,P1,2026-11-03T10:00:00Z\n"  # line 2: good
    + "S-3,acme,P2,not a time\n"  # line 3: created is no instant
    + "S-4,acme,P2,2026-11-03T11:00:00Z\n"  # line 4: good
    + "S-5,acme,P2,2026-11-03 12:00:00\n"  # line 5: no offset, no --time-zone
)


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return starter_workspace(tmp_path, monkeypatch)


def covenant(ws: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    """The command run as its own process: exit code, stdout parsed as JSON, stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVENANT_")}
    env.update(COLUMNS="200", COVENANT_HELP_CACHE="0")
    done = subprocess.run(
        [sys.executable, "-m", "covenant", *args, "-w", str(ws)],
        cwd=ws.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout), done.stderr


def write(folder: Path, name: str, text: str) -> str:
    (folder / name).write_text(text)
    return str(folder / name)


def test_a_ticket_file_refused_whole_is_a_json_error_with_every_rejected_row(
    ws: Path, tmp_path: Path
) -> None:
    good = write(tmp_path, "good.csv", GOOD)
    mixed = write(tmp_path, "mixed.csv", MIXED)
    after = write(tmp_path, "after.csv", GOOD.replace("S-1", "S-9"))

    code, out, err = covenant(
        ws, "ingest", "tickets", "--strict", "--format", "json", good, mixed, after
    )

    assert code == 1
    assert [(f["file"], f["inserted"]) for f in out["files"]] == [(good, 1)]  # kept before it
    error = out["error"]
    assert error["code"] == "rows-rejected"
    assert error["file"] == mixed
    assert error["message"].startswith(
        "mixed.csv: refused whole (--strict): 2 of its 4 rows were rejected; nothing of it "
        "was stored"
    )
    assert "ingest it without --strict to store its 2 good tickets" in error["hint"]
    assert (error["rows_read"], error["rows_rejected"]) == (4, 2)
    assert [(p["where"], p["field"], p["code"]) for p in error["problems"]] == [
        ("mixed.csv:3", "created", "bad-value"),
        ("mixed.csv:5", "created", "naive-timestamp"),
    ]
    assert all(p["message"] and p["fix"] for p in error["problems"])
    assert "--time-zone" in error["problems"][1]["fix"]
    assert "rows-rejected" in err  # the person's text stays on stderr


def test_an_event_file_with_the_short_option_and_every_row_listed(ws: Path, tmp_path: Path) -> None:
    rows = ["timestamp,sli,status"]
    rows += [f"2026-10-01T00:{m:02d}:00Z,checkout-availability,200" for m in range(5)]
    rows += [f"2026-10-01T01:{m:02d}:00Z,checkout-availability,teapot" for m in range(25)]
    bad = write(tmp_path, "bad.csv", "\n".join(rows) + "\n")

    code, out, _ = covenant(ws, "ingest", "events", "--strict", "-f", "json", bad)

    assert code == 1
    assert out["files"] == []
    error = out["error"]
    assert (error["code"], error["file"]) == ("rows-rejected", bad)
    assert (error["rows_read"], error["rows_rejected"]) == (30, 25)
    # lines 7 to 31 (the header is line 1, the 5 good rows lines 2 to 6): all 25, not the
    # first 20 the message shows
    assert [p["where"] for p in error["problems"]] == [f"bad.csv:{n}" for n in range(7, 32)]
    assert {p["field"] for p in error["problems"]} == {"status"}
    assert "… and 5 more rejected rows" in error["message"]


def test_an_incident_file_and_any_other_refusal_take_the_same_form(
    ws: Path, tmp_path: Path
) -> None:
    text = (
        '{"id": "I-1", "services": ["checkout"], "start": "2026-10-30T22:00:00Z"}\n'
        '{"id": "I-2", "services": ["checkout"], "start": "soon"}\n'  # line 2: bad start
    )
    inc = write(tmp_path, "inc.jsonl", text)
    code, out, _ = covenant(ws, "ingest", "incidents", "--strict", "-f", "json", inc)
    assert code == 1
    assert out["error"]["code"] == "rows-rejected"
    assert [(p["where"], p["field"]) for p in out["error"]["problems"]] == [
        ("inc.jsonl:2", "start")
    ]

    broken = write(tmp_path, "broken.csv", "id,customer,priority\nS-1,acme,P1\n")  # no created
    code, out, _ = covenant(ws, "ingest", "tickets", "-f", "json", broken)
    assert code == 1
    assert out["files"] == []
    assert out["error"]["code"] == "ingest-error"
    assert out["error"]["file"] == broken
    assert "created" in out["error"]["message"]
    assert out["error"]["hint"]
    assert "problems" not in out["error"]  # a file not read is no row's refusal


def test_a_file_stored_prints_no_error(ws: Path, tmp_path: Path) -> None:
    good = write(tmp_path, "good.csv", GOOD)
    code, out, _ = covenant(ws, "ingest", "tickets", "--strict", "-f", "json", good)
    assert code == 0
    assert "error" not in out
    assert [f["inserted"] for f in out["files"]] == [1]


def test_an_invalid_workspace_is_a_json_error_too(ws: Path, tmp_path: Path) -> None:
    (ws / "broken.yaml").write_text("apiVersion: openslo/v1\nkind: SLO\nmetadata: [\n")
    good = write(tmp_path, "good.csv", GOOD)
    code, out, _ = covenant(ws, "ingest", "tickets", "-f", "json", good)
    assert code == 1
    assert out["files"] == []
    assert out["error"]["file"] is None
    assert out["error"]["code"] == "invalid-definition"
    assert [p["code"] for p in out["error"]["problems"]] == ["yaml-syntax"]
    assert out["error"]["problems"][0]["where"].startswith(str(ws / "broken.yaml"))
