"""`… | covenant ingest events -`: a file named `-` (standard input, as many tools read it) was
answered "file '-' does not exist" without a fix. Ingest reads files (each recorded by its
content, so a repeat is skipped); the usage error says so and how: save the input to a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.cli.starter import starter_workspace

runner = CliRunner()


@pytest.mark.parametrize("kind", ["events", "tickets", "incidents"])
def test_standard_input_is_a_usage_error_with_the_fix(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = starter_workspace(tmp_path, monkeypatch)
    result = runner.invoke(
        app, ["ingest", kind, "-", "-w", str(ws)], input="x\n", env={"COLUMNS": "300"}
    )
    assert result.exit_code == 2
    said = " ".join(result.stderr.split())
    assert "standard input" in said
    assert f"> {kind}.csv" in said


def test_a_missing_file_is_still_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = starter_workspace(tmp_path, monkeypatch)
    sample = ws / "events" / "sample.csv"
    result = runner.invoke(
        app, ["ingest", "events", str(sample), "gone.csv", "-w", str(ws)], env={"COLUMNS": "300"}
    )
    assert result.exit_code == 2
    assert "'gone.csv' does not exist" in " ".join(result.stderr.split())
