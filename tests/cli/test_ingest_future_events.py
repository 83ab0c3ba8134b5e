"""Events dated more than 5 minutes after now: stored with a warning that names the first row's
file:line, how many rows and the latest timestamp; ``--refuse-future`` refuses the file.

now = 2026-12-01 12:00Z (``COVENANT_NOW``). The file's data rows are lines 2 to 7 (line 1 is
the header): line 2 is an hour before now, line 3 four minutes after (clock skew, allowed),
line 4 exactly 5 minutes after (allowed: more than 5 minutes is not), lines 5 and 7 a day and
19 days after, line 6 an hour before. So 2 rows are ahead, the first on line 5, the latest
2026-12-20T12:00:00Z.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.cli.starter import starter_workspace

NOW = "2026-12-01T12:00:00Z"
ROWS = [
    "2026-12-01T11:00:00Z",
    "2026-12-01T12:04:00Z",
    "2026-12-01T12:05:00Z",
    "2026-12-02T12:00:00Z",
    "2026-12-01T11:00:00Z",
    "2026-12-20T12:00:00Z",
]
runner = CliRunner(env={"COVENANT_NOW": NOW, "COLUMNS": "300"})


def events_file(folder: Path, name: str = "ahead.csv") -> Path:
    path = folder / name
    lines = [f"{t},checkout-availability,200,100" for t in ROWS]
    path.write_text("timestamp,sli,status,latency_ms\n" + "\n".join(lines) + "\n")
    return path


def stored_total(ws: Path) -> int:
    """The events stored for checkout-availability, as an evaluation once they have all
    happened sees them (its 28-day window holds every row)."""
    done = runner.invoke(
        app,
        ["evaluate", "-w", str(ws), "--at", "2026-12-25T00:00:00Z", "--format", "json"],
        env={"COVENANT_NOW": "2026-12-25T00:00:00Z"},
    )
    assert done.exit_code == 0, done.output
    (found,) = [
        r for r in json.loads(done.stdout)["results"] if r["slo"] == "checkout-availability"
    ]
    return int(found["total"])


def test_rows_ahead_of_the_clock_are_stored_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = starter_workspace(tmp_path, monkeypatch)
    path = events_file(tmp_path)
    done = runner.invoke(app, ["ingest", "events", str(path), "-w", str(ws)])
    assert done.exit_code == 0, done.output
    said = " ".join(done.stderr.split())
    assert (
        "warning: ahead.csv:5: 2 rows are dated more than 5 minutes after now (the first here, "
        "the latest 2026-12-20T12:00:00Z); stored"
    ) in said
    assert "--refuse-future" in said
    assert stored_total(ws) == 6


def test_the_json_report_carries_the_account(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = starter_workspace(tmp_path, monkeypatch)
    path = events_file(tmp_path)
    done = runner.invoke(app, ["ingest", "events", str(path), "-w", str(ws), "--format", "json"])
    assert done.exit_code == 0, done.output
    (report,) = json.loads(done.stdout)["files"]
    future = report["future"]
    assert (future["rows"], future["first"], future["latest"]) == (
        2,
        "ahead.csv:5",
        "2026-12-20T12:00:00Z",
    )


def test_refuse_future_refuses_the_file_and_stores_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = starter_workspace(tmp_path, monkeypatch)
    path = events_file(tmp_path)
    done = runner.invoke(app, ["ingest", "events", str(path), "-w", str(ws), "--refuse-future"])
    assert done.exit_code == 1, done.output
    said = " ".join(done.stderr.split())
    assert "Traceback" not in said
    assert "ahead.csv:5: 2 rows are dated more than 5 minutes after now" in said
    assert "nothing of it was stored" in said
    assert stored_total(ws) == 0
    # the file is not recorded: without the option it is read again and stored
    again = runner.invoke(app, ["ingest", "events", str(path), "-w", str(ws)])
    assert again.exit_code == 0, again.output
    assert stored_total(ws) == 6


def test_rows_within_the_skew_say_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = starter_workspace(tmp_path, monkeypatch)
    path = tmp_path / "skew.csv"
    path.write_text(
        "timestamp,sli,status,latency_ms\n"
        + "\n".join(f"{t},checkout-availability,200,100" for t in ROWS[:3])
        + "\n"
    )
    done = runner.invoke(app, ["ingest", "events", str(path), "-w", str(ws), "--refuse-future"])
    assert done.exit_code == 0, done.output
    assert "after now" not in done.stderr
