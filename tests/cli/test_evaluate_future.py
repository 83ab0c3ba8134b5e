"""An --at after now is counted up to now: the minutes after now have not happened, so no
noDataPolicy counts them good or bad, and the output says the windows are only partly elapsed.

The starter's checkout-latency SLO (a calendar month in Europe/Berlin, 5-minute slices) with
now = 2026-12-01 00:00Z: December in Berlin starts at 2026-11-30 23:00Z, so an evaluation at
2026-12-01 12:00Z has 60 minutes = 12 slices before now and 144 after. Events fill the last two
slices before now (23:50 to 00:00, one good event a minute); the other 10 slices are silent.
December has 31 × 288 = 8 928 slices, so 1 % of them is 89.28 allowed bad slices.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app

NOW = "2026-12-01T00:00:00Z"
AT = "2026-12-01T12:00:00Z"


def workspace(tmp_path: Path, policy: str) -> tuple[CliRunner, Path]:
    runner = CliRunner(
        env={
            "COVENANT_NOW": NOW,
            "COVENANT_DATABASE_URL": "",
            "COVENANT_WORKSPACE": "",
            "COLUMNS": "300",
        }
    )
    ws = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(ws)]).exit_code == 0
    slos = ws / "slos.yaml"
    slos.write_text(
        slos.read_text().replace(
            "  noDataPolicy: skip\n  minimumEvents: 10", f"  noDataPolicy: {policy}"
        )
    )
    assert f"noDataPolicy: {policy}" in slos.read_text()
    rows = [f"2026-11-30T23:{m}:00Z,checkout-latency,200,100" for m in range(50, 60)]
    events = tmp_path / "events.csv"
    events.write_text("timestamp,sli,status,latency_ms\n" + "\n".join(rows) + "\n")
    done = runner.invoke(app, ["ingest", "events", str(events), "-w", str(ws)])
    assert done.exit_code == 0, done.output
    return runner, ws


def latency(runner: CliRunner, ws: Path, at: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    done = runner.invoke(app, ["evaluate", "-w", str(ws), "--at", at, "--format", "json"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    (found,) = [r for r in report["results"] if r["slo"] == "checkout-latency"]
    return report, found, " ".join(done.stderr.split())


@pytest.mark.parametrize(("policy", "bad"), [("good", 0), ("bad", 10)])
def test_an_at_after_now_counts_the_slices_up_to_now_only(
    tmp_path: Path, policy: str, bad: int
) -> None:
    runner, ws = workspace(tmp_path, policy)
    report, e, stderr = latency(runner, ws, AT)
    assert report["at"] == AT
    assert report["measured_until"] == NOW
    assert report["not_yet_note"].startswith("2026-12-01 12:00Z is after now: the windows are")
    assert "note: 2026-12-01 12:00Z is after now" in stderr
    assert e["window_start"] == "2026-11-30T23:00:00Z"
    assert e["window_end"] == NOW
    assert (e["total"], e["good"]) == (12, 12 - bad)
    assert e["no_data_policy_slices"] == 10
    assert e["budget"]["allowed"]["exact"] == "2232/25"  # 89.28
    assert e["budget"]["consumed"]["exact"] == f"{bad}/1"
    assert e["status"] == "ok"


def test_an_at_before_now_has_no_note(tmp_path: Path) -> None:
    runner, ws = workspace(tmp_path, "good")
    for at in ("2026-11-30T00:00:00Z", "2026-12-01T00:00:30Z", "-7d"):  # within the minute
        report, _, stderr = latency(runner, ws, at)
        assert report["not_yet_note"] is None, at
        assert "is after now" not in stderr, at
    report, e, _ = latency(runner, ws, NOW)
    assert report["measured_until"] == NOW
    assert (e["total"], e["good"], e["no_data_policy_slices"]) == (12, 12, 10)
