"""`covenant slo record --format json`: the SLO changes it recorded in the audit log — each
SLO's name, the action, the audit row's ``seq`` and the reason — as ``covenant audit list
--format json`` then lists them; a refusal is ``{"error": …}`` on stdout with exit 1. The
workspace is `covenant init`'s; its SLOs are read here from its YAML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from covenant.cli.main import app

WHEN = "2026-11-24T07:00:00Z"  # the CLI's clock


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)
    monkeypatch.setenv("COVENANT_NOW", WHEN)
    monkeypatch.chdir(tmp_path)
    made = CliRunner().invoke(app, ["init", "ws"])
    assert made.exit_code == 0, made.output
    return tmp_path / "ws"


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def test_slo_record_prints_the_changes_it_recorded(ws: Path) -> None:
    documents = yaml.safe_load_all((ws / "slos.yaml").read_text(encoding="utf-8"))
    slos = [d["metadata"]["name"] for d in documents if d and d.get("kind") == "SLO"]
    assert slos  # init wrote some
    first = _run("slo", "record", "-w", str(ws), "--reason", "first import", "-f", "json")
    assert first.exit_code == 0, first.output
    document = json.loads(first.stdout)
    assert set(document) == {"items"}
    items = document["items"]
    assert sorted(i["slo"] for i in items) == sorted(slos)
    assert {(i["action"], i["reason"]) for i in items} == {("created", "first import")}
    audit = _run("audit", "list", "-w", str(ws), "--kind", "slo", "-f", "json")
    rows = {r["seq"]: r for r in json.loads(audit.stdout)["items"]}
    for item in items:
        row = rows[item["seq"]]
        assert (row["entity_id"], row["action"], row["at"]) == (item["slo"], "created", WHEN)
    again = _run("slo", "record", "-w", str(ws), "--format", "json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout) == {"items": []}


def test_a_refused_record_under_json_is_an_error_document_and_exit_1(ws: Path) -> None:
    slos = ws / "slos.yaml"
    slos.write_text(slos.read_text(encoding="utf-8") + "\n---\nkind: [broken\n", encoding="utf-8")
    refused = _run("slo", "record", "-w", str(ws), "--format", "json")
    assert refused.exit_code == 1
    error = json.loads(refused.stdout)["error"]
    assert error["code"] == "invalid-definition"
    assert any(p["code"] == "yaml-syntax" for p in error["problems"])
