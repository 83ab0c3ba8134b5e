"""The starter workspace (`covenant init`: one SLI, checkout-availability; no store yet) that
the ingest tests run commands on, and what a refused ingest says."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app

runner = CliRunner()


def starter_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tmp_path/ws``, made by `covenant init ws` run in ``tmp_path`` (the current folder for
    the test), with no workspace or database variable from the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COVENANT_WORKSPACE", raising=False)
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["init", "ws"]).exit_code == 0
    return tmp_path / "ws"


def refused_ingest(ws: Path, kind: str, name: str, data: str | bytes) -> str:
    """`covenant ingest KIND NAME -w WS` on ``data`` written beside the workspace: it must exit
    1 without a traceback; its standard error with the lines joined."""
    path = ws.parent / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data)
    result = runner.invoke(app, ["ingest", kind, name, "-w", str(ws)], env={"COLUMNS": "300"})
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return " ".join(result.stderr.split())
