"""An events file in JSON Lines that holds no event (empty, or blank lines only) is said to be
empty, as an empty CSV is, instead of "no 'sli' or 'service' column to tell which series an event
feeds", which sent the reader looking for a column in events that were not there."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli.starter import refused_ingest, starter_workspace

runner = CliRunner()


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The starter workspace, no store yet."""
    return starter_workspace(tmp_path, monkeypatch)


def ingest(ws: Path, name: str, text: str) -> str:
    return refused_ingest(ws, "events", name, text)


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_an_empty_events_jsonl_is_empty_not_missing_a_column(ws: Path, text: str) -> None:
    err = ingest(ws, "none.jsonl", text)
    assert "none.jsonl: the file holds no events (it is empty or holds only blank lines)" in err
    assert "write one JSON object per line" in err, err
    assert "column" not in err, err
