"""``GET /export/openslo`` answers what ``covenant export openslo`` writes for the served
workspace, byte for byte (typer's runner on the real command)."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from covenant.cli.main import app as cli
from tests.api.support import Shop, make_shop

V1 = "/api/v1"


def _exported(shop: Shop) -> str:
    printed = CliRunner().invoke(
        cli,
        ["export", "openslo", "-w", str(shop.workspace)],
        env={"COVENANT_DATABASE_URL": shop.settings.database_url},
    )
    assert printed.exit_code == 0, printed.output
    return printed.stdout


def test_the_export_is_the_commands_byte_for_byte(shop: Shop) -> None:
    answer = shop.client.get(f"{V1}/export/openslo", shop.tokens["viewer"])
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/yaml; charset=utf-8"
    assert answer.text == _exported(shop)
    documents = [d for d in yaml.safe_load_all(answer.text) if d]
    slos = {d["metadata"]["name"]: d for d in documents if d["kind"] == "SLO"}
    assert slos["checkout-monthly"]["apiVersion"] == "openslo/v1"
    # every SLO the shop's files define (read here by hand) is exported
    written = {
        d["metadata"]["name"]
        for f in sorted(shop.workspace.rglob("*.yaml"))
        for d in yaml.safe_load_all(f.read_text(encoding="utf-8"))
        if isinstance(d, dict) and d.get("kind") == "SLO"
    }
    assert written
    assert written <= set(slos)


def test_an_invalid_workspace_is_refused_as_the_command_refuses_it(tmp_path: Path) -> None:
    shop = make_shop(tmp_path)
    (shop.workspace / "broken.yaml").write_text("apiVersion: openslo/v1\nkind: SLO\nspec: [\n")
    answer = shop.client.get(f"{V1}/export/openslo", shop.tokens["admin"])
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["code"] == "invalid-definition"
    assert any("broken.yaml" in p["where"] for p in body["problems"])
    printed = CliRunner().invoke(cli, ["export", "openslo", "-w", str(shop.workspace)])
    assert printed.exit_code == 1
    assert "broken.yaml" in printed.stderr
