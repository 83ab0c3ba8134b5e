"""An output path a command cannot write (a folder, a folder that does not exist) is an error
with a code and a fix, exit 1, like `report sla -o`: `export openslo -o DIR` used to print
Python's "[Errno 21] Is a directory: 'DIR'" with no code and no fix. A path with spaces and
non-ASCII characters is written as given."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.cli.starter import starter_workspace

runner = CliRunner()


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return starter_workspace(tmp_path, monkeypatch)


@pytest.mark.parametrize("target", ["a folder ü", "missing ü/openslo.yaml"])
def test_export_to_a_path_it_cannot_write_is_an_error_with_a_fix(ws: Path, target: str) -> None:
    (ws.parent / "a folder ü").mkdir()
    result = runner.invoke(
        app, ["export", "openslo", "-w", str(ws), "-o", target], env={"COLUMNS": "300"}
    )
    assert result.exit_code == 1, (result.stdout, result.stderr)
    err = " ".join(result.stderr.split())
    assert f"error: cannot write {target}:" in err, err
    assert "Errno" not in err, err
    assert "check that the folder exists and is writable" in err, err
    assert "run: covenant explain invalid-input" in err, err
    assert not (ws.parent / "missing ü").exists()


def test_export_to_a_path_with_spaces_and_accents(ws: Path) -> None:
    result = runner.invoke(app, ["export", "openslo", "-w", str(ws), "-o", "Ausgabe ö ü.yaml"])
    assert result.exit_code == 0, (result.stdout, result.stderr)
    written = (ws.parent / "Ausgabe ö ü.yaml").read_text(encoding="utf-8")
    assert written.startswith("apiVersion: openslo/v1")
