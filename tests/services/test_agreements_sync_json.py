"""`covenant agreements sync --format json`: what a CI job that syncs needs — when, each change
(agreement, version, event, the status move) and how many versions were already stored — and a
refused sync as ``{"error": …}`` on stdout with exit 1, the store unchanged. The workspace is
the one the agreements' tests use: one agreement, ``acme-sla`` v1, active."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.definitions.test_agreements import CALENDAR, CUSTOMER, SHOP, V1, agreement

WHEN = "2026-11-23T10:00:00Z"  # the CLI's clock


@pytest.fixture
def ws_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)
    monkeypatch.setenv("COVENANT_NOW", WHEN)
    folder = tmp_path / "ws"
    shutil.copytree(SHOP, folder, ignore=shutil.ignore_patterns(".covenant"))
    (folder / "contracts.yaml").write_text("---\n".join([CUSTOMER, CALENDAR, agreement(V1)]))
    return folder


def _sync(ws_dir: Path, *more: str) -> Any:
    return CliRunner().invoke(app, ["agreements", "sync", "-w", str(ws_dir), *more])


def test_sync_prints_its_changes_as_json(ws_dir: Path) -> None:
    first = _sync(ws_dir, "--actor", "alice", "--format", "json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout) == {
        "at": WHEN,
        "changes": [
            {
                "agreement": "acme-sla",
                "version": 1,
                "event": "created",
                "from_status": None,
                "to_status": "active",
            }
        ],
        "unchanged": 0,
        "warnings": [],
    }
    again = _sync(ws_dir, "-f", "json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout) == {
        "at": WHEN,
        "changes": [],
        "unchanged": 1,
        "warnings": [],
    }


def test_a_refused_sync_under_json_is_an_error_document_and_exit_1(ws_dir: Path) -> None:
    assert _sync(ws_dir).exit_code == 0
    contracts = ws_dir / "contracts.yaml"
    contracts.write_text(contracts.read_text().replace("level: 99.9", "level: 99.95"))
    refused = _sync(ws_dir, "--format", "json")
    assert refused.exit_code == 1
    error = json.loads(refused.stdout)["error"]
    assert error["code"] == "invalid-definition"
    assert "signed-version-changed" in json.dumps(error["problems"])
    listed = CliRunner().invoke(app, ["agreements", "list", "-w", str(ws_dir), "-f", "json"])
    [row] = json.loads(listed.stdout)["items"]
    assert (row["agreement"], row["versions"]) == ("acme-sla", 1)  # nothing stored
