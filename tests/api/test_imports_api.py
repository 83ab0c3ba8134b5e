"""``POST /imports/{tool}``: another tool's file converted into the served workspace as
`covenant import TOOL` would, reported with the documents it would write — and nothing
written."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import yaml
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.api.support import Shop
from tests.conftest import ROOT

V1 = "/api/v1"
SLOTH = ROOT / "examples" / "import" / "sloth-checkout.yml"


def _files(folder: Path) -> dict[str, bytes]:
    """The workspace's files, but its store (``.covenant``)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and ".covenant" not in p.relative_to(folder).parts
    }


def _post(shop: Shop, tool: str, body: bytes, **params: str) -> httpx.Response:
    """``POST /imports/{tool}`` as a viewer (staff), the file as the body."""
    return shop.client.request(
        "POST",
        f"{V1}/imports/{tool}",
        shop.tokens["viewer"],
        params=params,
        content=body,
        headers={"Content-Type": "application/yaml"},
    )


def test_a_sloth_file_becomes_the_documents_the_command_writes(shop: Shop, tmp_path: Path) -> None:
    before = _files(shop.workspace)
    answer = _post(shop, "sloth", SLOTH.read_bytes(), filename=SLOTH.name)
    assert answer.status_code == 200, answer.text
    assert _files(shop.workspace) == before  # nothing written
    report = answer.json()
    assert report["dryRun"] is True
    assert report["into"] == "."  # not the server's own path
    assert str(shop.workspace) not in answer.text
    (found,) = report["files"]
    assert found["source"] == "sloth-checkout.yml"
    assert found["target"] == "sloth-checkout.yaml"
    assert found["status"] in ("imported", "partly-imported")
    assert "DataSource prometheus" in found["reused"]  # the shop has one of that name
    # what the command writes into a copy of the same workspace, but for the header's source
    copy = tmp_path / "shop"
    shutil.copytree(shop.workspace, copy, ignore=shutil.ignore_patterns(".covenant"))
    result = CliRunner().invoke(app, ["import", "sloth", str(SLOTH), "--into", str(copy)])
    assert result.exit_code == 0, result.output
    written = (copy / "sloth-checkout.yaml").read_text(encoding="utf-8")
    head, _, body = found["documents"].partition("\n")
    assert head == "# Imported by `covenant import sloth` from sloth-checkout.yml"
    assert body == written.partition("\n")[2]
    # Sloth's objective is a percentage: 99.9 and 99 are targets 0.999 and 0.99
    slos = [d for d in yaml.safe_load_all(body) if d["kind"] == "SLO"]
    targets = {d["metadata"]["name"]: d["spec"]["objectives"][0]["target"] for d in slos}
    assert targets == {"requests-availability": 0.999, "requests-latency": 0.99}


def test_a_broken_file_is_refused_with_its_line_and_nothing_written(shop: Shop) -> None:
    before = _files(shop.workspace)
    broken = 'version: "prometheus/v1"\nservice: checkout\nslos:\n  - name: [unclosed\n'
    answer = _post(shop, "sloth", broken.encode(), filename="broken.yml")
    assert answer.status_code == 200, answer.text
    (found,) = answer.json()["files"]
    assert found["status"] == "refused"
    assert found["documents"] is None
    (problem,) = found["problems"]
    assert problem["code"] == "yaml-syntax"
    assert problem["where"].startswith("broken.yml:")
    assert _files(shop.workspace) == before


def test_a_file_name_that_is_a_path_is_refused(shop: Shop) -> None:
    for name in ("../slos.yaml", "slos.txt", "a/b.yaml", ".hidden.yaml"):
        answer = _post(shop, "pyrra", b"apiVersion: pyrra.dev/v1alpha1\n", filename=name)
        assert answer.status_code == 400, (name, answer.text)
        assert repr(name) in answer.json()["message"]


def test_a_datasource_name_is_checked_in_the_apis_words(shop: Shop) -> None:
    answer = _post(shop, "sloth", SLOTH.read_bytes(), datasource="../etc")
    assert answer.status_code == 400, answer.text
    assert answer.json()["message"] == "datasource '../etc' is not a DNS label"


def test_a_slo_generator_file_is_said_to_be_read_without_a_shared_config(shop: Shop) -> None:
    # nothing is looked for beside a file sent on its own, and the API has no --config
    source = ROOT / "examples" / "import" / "slo-generator" / "payments-availability.yaml"
    answer = _post(shop, "slo-generator", source.read_bytes(), filename=source.name)
    assert answer.status_code == 200, answer.text
    (found,) = answer.json()["files"]
    notes = [n["reason"] for n in found["notes"]]
    assert any(n.startswith("read without a shared config.yaml") for n in notes), notes
    assert not any("--config" in n for n in notes), notes
