"""`covenant sources list` and `covenant sources worker`: the pipeline the API's
``/data-sources`` and ``/worker`` show staff (and /ui/sources), from the command line. One
DataSource nothing listens on, read once by `covenant ingest prometheus` (which fails and
records why): its one series is failing with ``source-unreachable``, and no worker ticked."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from covenant.api.app import create_app
from covenant.cli.main import app
from covenant.config import Settings, sqlite_url
from covenant.services.store import open_store
from covenant.services.tokens import create_token
from tests.api.support import EXPIRES, Client
from tests.ports import free_port
from tests.sources.test_prometheus_errors import _cli_workspace
from tests.web.pages import Browser

AT = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Client, str]:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    ws = _cli_workspace(tmp_path_factory.mktemp("sources-cli"), url)
    args = ["ingest", "prometheus", "-w", str(ws), "--from", "-1h", "--to", "now"]
    assert CliRunner().invoke(app, args).exit_code == 1  # source-unreachable, recorded
    settings = Settings(workspace=ws, database_url=sqlite_url(ws))
    engine = open_store(settings.database_url)
    token = create_token(
        engine, role="viewer", customer=None, expires_at=EXPIRES, at=AT, customers=()
    ).text
    engine.dispose()
    return ws, url, Client(create_app(settings, clock=lambda: AT)), token


def run(ws: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["sources", *args, "-w", str(ws)], env={"COLUMNS": "80"})


def test_the_sources_as_json_are_the_apis_answer(pipeline: tuple[Path, str, Client, str]) -> None:
    ws, url, client, token = pipeline
    printed = run(ws, "list", "-f", "json")
    assert printed.exit_code == 0, printed.output
    found = json.loads(printed.stdout)
    (source,) = found["items"]
    assert (source["name"], source["url"]) == ("metrics", url)
    assert source["states"] == {"read": 0, "failing": 1, "never-read": 0}
    assert source["series"][0]["error"]["code"] == "source-unreachable"
    assert found == client.get("/api/v1/data-sources", token).json()
    one = run(ws, "list", "--name", "metrics", "-f", "json")
    assert one.exit_code == 0, one.output
    assert json.loads(one.stdout) == {
        "items": [client.get("/api/v1/data-sources/metrics", token).json()]
    }


def test_an_unknown_source_is_not_found(pipeline: tuple[Path, str, Client, str]) -> None:
    printed = run(pipeline[0], "list", "--name", "nope")
    assert printed.exit_code == 1
    assert "no DataSource 'nope'" in printed.output


def test_the_worker_as_json_is_the_apis_answer(pipeline: tuple[Path, str, Client, str]) -> None:
    ws, _, client, token = pipeline
    printed = run(ws, "worker", "-f", "json")
    assert printed.exit_code == 0, printed.output
    found = json.loads(printed.stdout)
    assert found == {  # nothing ticked: no worker ever ran on this store
        "running": False,
        "store": {
            "ticks": {"ok": 0, "problems": 0, "failed": 0},
            "last_tick_at": None,
            "last_tick_seconds": None,
            "last_success_at": None,
        },
        "unmatched": [],
    }
    assert found == client.get("/api/v1/worker", token).json()


def test_the_tables_fit_80_columns(pipeline: tuple[Path, str, Client, str]) -> None:
    ws, url, _, _ = pipeline
    printed = run(ws, "list")
    assert printed.exit_code == 0, printed.output
    lines = printed.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    text = printed.stdout
    assert f"metrics  {url}" in text
    assert any("api" in line and "failing" in line for line in lines)
    assert "source-unreachable" in text
    printed = run(ws, "worker")
    assert printed.exit_code == 0, printed.output
    assert max(len(line) for line in printed.stdout.splitlines()) <= 80
    assert "no tick counted" in printed.stdout


def test_the_table_says_how_a_source_is_reached(tmp_path: Path) -> None:
    """The table names what `-f json` and /ui/sources name of how a source is reached: the
    variables its token and headers are read from (never a value), the literal headers' names,
    the tenant and whether TLS is verified; nothing is read, so no variable need be set."""
    ws = _cli_workspace(tmp_path, "https://prom.example.com")
    text = (ws / "slos.yaml").read_text()
    reached = (
        '{url: "https://prom.example.com", timeout: 5s, bearerTokenEnv: PROM_TOKEN, '
        "headers: {X-Team: sre}, headersEnv: {X-API-Key: PROM_KEY}, tenant: team-a, "
        "tlsVerify: false}"
    )
    (ws / "slos.yaml").write_text(
        text.replace('{url: "https://prom.example.com", timeout: 5s}', reached)
    )
    open_store(sqlite_url(ws)).dispose()  # an empty store: no series read
    printed = run(ws, "list", "-f", "json")
    assert printed.exit_code == 0, printed.output
    (source,) = json.loads(printed.stdout)["items"]
    assert source["auth"] == {"kind": "bearer", "env": "PROM_TOKEN"}
    assert (source["headers"], source["headers_env"]) == (["X-Team"], {"X-API-Key": "PROM_KEY"})
    printed = run(ws, "list")
    assert printed.exit_code == 0, printed.output
    assert (
        "bearer token from $PROM_TOKEN; header X-API-Key from $PROM_KEY; header X-Team as "
        "written; tenant team-a; TLS not verified"
    ) in " ".join(printed.stdout.split())  # folded at 80 columns
    assert max(len(line) for line in printed.stdout.splitlines()) <= 80
    settings = Settings(workspace=ws, database_url=sqlite_url(ws))
    engine = open_store(settings.database_url)
    token = create_token(
        engine, role="viewer", customer=None, expires_at=EXPIRES, at=AT, customers=()
    ).text
    engine.dispose()
    browser = Browser(create_app(settings, clock=lambda: AT))
    assert browser.sign_in_token(token).status_code == 303
    page = browser.get("/ui/sources")
    assert page.status_code == 200, page.text
    shown = (
        "bearer auth from <code>PROM_TOKEN</code> · X-API-Key from <code>PROM_KEY</code> · "
        "X-Team as written · tenant team-a · timeout 5.0 s · TLS not verified"
    )
    assert shown in page.text
