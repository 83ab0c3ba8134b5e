"""An --at after now says that nothing is measured after now yet (a date months ahead read as a
silent service without a word)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from covenant.cli.main import app


def test_an_at_after_now_is_noted_and_one_before_is_not(tmp_path: Path) -> None:
    runner = CliRunner(env={"COVENANT_NOW": "2026-12-01T00:00:00Z", "COVENANT_DATABASE_URL": ""})
    ws = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(ws)]).exit_code == 0
    ahead = runner.invoke(app, ["evaluate", "-w", str(ws), "--at", "2027-06-01T00:00:00Z"])
    assert ahead.exit_code == 0, ahead.output
    assert (
        "note: --at 2027-06-01T00:00:00Z is after now (2026-12-01T00:00:00Z): nothing has been "
        "measured after now yet"
    ) in " ".join(ahead.stderr.split())
    for at in ("2026-11-30T00:00:00Z", "2026-12-01T00:01:00Z", "-7d"):  # a minute's leeway
        done = runner.invoke(app, ["evaluate", "-w", str(ws), "--at", at])
        assert done.exit_code == 0, done.output
        assert "is after now" not in done.stderr, at
