"""An events file in JSON Lines that holds no event (empty, or blank lines only) is said to be
empty, as an empty CSV is, instead of "no 'sli' or 'service' column to tell which series an event
feeds", which sent the reader looking for a column in events that were not there."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app

runner = CliRunner()


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The starter workspace, no store yet."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COVENANT_WORKSPACE", raising=False)
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["init", "ws"]).exit_code == 0
    return tmp_path / "ws"


def ingest(ws: Path, name: str, text: str) -> str:
    (ws.parent / name).write_text(text)
    result = runner.invoke(app, ["ingest", "events", name, "-w", str(ws)], env={"COLUMNS": "300"})
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return " ".join(result.stderr.split())


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_an_empty_events_jsonl_is_empty_not_missing_a_column(ws: Path, text: str) -> None:
    err = ingest(ws, "none.jsonl", text)
    assert "none.jsonl: the file holds no events (it is empty or holds only blank lines)" in err
    assert "write one JSON object per line" in err, err
    assert "column" not in err, err
