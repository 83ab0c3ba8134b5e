"""A read that failed before reading anything says so, not "what was read up to <its start>
stays" (which read as if something had been kept)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from typer.testing import CliRunner

from covenant.cli.main import app
from tests.services.test_first_read_note import SLO


def _closed_url() -> str:
    with socket.socket() as s:  # a port nothing listens on once it is closed
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_a_read_of_a_server_that_is_down_says_nothing_was_read(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "slos.yaml").write_text(SLO.replace("URL", _closed_url()))
    runner = CliRunner()
    start = "2026-11-30T04:00:00Z"
    at = "2026-12-03T04:00:00Z"
    evaluated = runner.invoke(app, ["evaluate", "-w", str(ws), "--read", "--at", at])
    assert evaluated.exit_code == 0, evaluated.output
    said = " ".join(evaluated.stderr.split())
    assert said.startswith("warning: reading api from prometheus failed: ")
    assert said.endswith(f"(nothing after {start} was read)")  # the 3-day window's start
    ingested = runner.invoke(
        app, ["ingest", "prometheus", "-w", str(ws), "--from", start, "--to", at]
    )
    assert ingested.exit_code == 1
    said = " ".join(ingested.output.split())
    assert f"(nothing after {start} was read; its SLOs show no data after it)" in said
    assert "what was read up to" not in said


def test_a_prometheus_sli_no_read_reached_says_so_not_no_events(tmp_path: Path) -> None:
    """Before any read (no store yet), the SLO is no data because nothing was read, and says
    how to read it, with or without --no-read; after a failed read, the failure."""
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "slos.yaml").write_text(SLO.replace("URL", _closed_url()))
    runner = CliRunner()
    for options in ([], ["--no-read"]):
        done = runner.invoke(app, ["evaluate", "-w", str(ws), "-f", "json", *options])
        assert done.exit_code == 0, done.output
        (result,) = json.loads(done.stdout)["results"]
        assert result["status"] == "no_data"
        assert result["no_data"] == (
            "not read from Prometheus yet: `covenant evaluate --read` reads its window (or "
            "`covenant ingest prometheus --from … --to …` a range)"
        )
    # a failed read is a read: its reason is the failure (stale), not "not read yet"
    runner.invoke(app, ["evaluate", "-w", str(ws), "--read"])
    done = runner.invoke(app, ["evaluate", "-w", str(ws), "-f", "json", "--no-read"])
    (result,) = json.loads(done.stdout)["results"]
    assert result["no_data"].startswith("stale: reading prometheus failed at ")


def _status(output: str) -> str:
    (row,) = [line for line in output.splitlines() if line.startswith("api-availability ")]
    return " ".join(row.split()[1:3])


def test_the_table_says_no_data_before_any_read_and_stale_after_a_failed_one(
    tmp_path: Path,
) -> None:
    # "stale" is data that is behind; an SLI no read has reached has none: plain no data
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "slos.yaml").write_text(SLO.replace("URL", _closed_url()))
    runner = CliRunner()
    before = runner.invoke(app, ["evaluate", "-w", str(ws), "--no-read"], env={"COLUMNS": "120"})
    assert before.exit_code == 0, before.output
    assert _status(before.stdout) == "no data"
    runner.invoke(app, ["evaluate", "-w", str(ws), "--read"])
    after = runner.invoke(app, ["evaluate", "-w", str(ws), "--no-read"], env={"COLUMNS": "120"})
    assert _status(after.stdout).startswith("stale")


def test_a_window_after_now_says_it_has_not_happened_not_that_it_was_never_read(
    tmp_path: Path,
) -> None:
    """`--at` 4 months ahead (the 2027-03-28 DST change in Europe): the 3-day window starts
    on 2027-03-26 04:00Z, after now (COVENANT_NOW 2026-12-05 09:00Z), so its reason is that
    none of it has happened yet — `evaluate --read` could read nothing of it, and telling
    the user to run it was wrong."""
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "slos.yaml").write_text(SLO.replace("URL", _closed_url()))
    done = CliRunner().invoke(
        app,
        ["evaluate", "-w", str(ws), "-f", "json", "--no-read", "--at", "2027-03-29T04:00:00Z"],
        env={"COVENANT_NOW": "2026-12-05T09:00:00Z"},
    )
    assert done.exit_code == 0, done.output
    (result,) = json.loads(done.stdout)["results"]
    assert result["status"] == "no_data"
    # 2027-03-29T04:00Z − 3 days = 2027-03-26T04:00Z
    assert result["no_data"] == (
        "the window starts at 2027-03-26 04:00Z, after now (2026-12-05 09:00Z): "
        "none of it has happened yet"
    )
