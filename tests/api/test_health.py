"""/healthz and /readyz answer without a token and say nothing about the workspace."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from covenant.api.app import create_app
from covenant.config import Settings
from tests.api.support import Client, Shop


def test_healthz_answers_without_a_token(shop: Shop) -> None:
    answer = shop.client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


def test_readyz_is_ready_when_the_store_and_definitions_are(shop: Shop) -> None:
    answer = shop.client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "ready",
        "checks": {"store": "ok", "definitions": "ok"},
        "worker": "off",  # an app made without the worker
        "pid": os.getpid(),  # the app runs in this process
    }


def test_health_routes_stay_out_of_the_api_document(shop: Shop) -> None:
    paths = shop.client.get("/api/v1/openapi.json").json()["paths"]
    assert not [path for path in paths if path.endswith(("healthz", "readyz"))]


def test_readyz_is_503_with_invalid_definitions_and_names_no_file(
    shop: Shop, tmp_path: Path
) -> None:
    broken = tmp_path / "shop"
    shutil.copytree(shop.workspace, broken)
    (broken / "zz-broken.yaml").write_text("apiVersion: openslo/v1\nkind: SLO\nmetadata: [\n")
    settings = Settings(workspace=broken, database_url=shop.settings.database_url)
    client = Client(create_app(settings))
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {
        "status": "not ready",
        "checks": {"store": "ok", "definitions": "invalid"},
        "worker": "off",
        "pid": os.getpid(),
    }
    assert "zz-broken" not in answer.text


def test_readyz_is_503_when_the_store_cannot_be_opened(shop: Shop, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file-not-a-folder"
    blocker.write_text("")  # the store's folder cannot be made: a file stands in its place
    settings = Settings(workspace=shop.workspace, database_url=f"sqlite:///{blocker}/covenant.db")
    answer = Client(create_app(settings)).get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["checks"] == {"store": "unavailable", "definitions": "ok"}
    assert "a-file-not-a-folder" not in answer.text
