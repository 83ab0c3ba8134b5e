"""``POST /imports/{tool}`` with the command's other options: ``alert_windows`` (sloth's
``--alert-windows``) and ``config`` (slo-generator's ``--config``) as texts in a JSON body, and
``split_groups`` (``--split-groups``) against a real Prometheus: the documents are those
`covenant import` writes with the same options (typer's runner on the real command)."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from covenant.api.app import create_app
from covenant.cli.main import app
from covenant.config import Settings, sqlite_url
from covenant.services.store import open_store
from covenant.services.tokens import create_token
from tests.api.support import Client, Shop
from tests.conftest import ROOT
from tests.definitions.test_import_slogen_config_shapes import SLO as SLO_GENERATOR
from tests.promserver import Server, openmetrics_text
from tests.services.test_import_split import END, PYRRA, samples, stamp

V1 = "/api/v1"
SLOTH = ROOT / "examples" / "import" / "sloth-checkout.yml"
WINDOWS = """\
apiVersion: sloth.slok.dev/v1
kind: AlertWindows
spec:
  sloPeriod: 7d
  page:
    quick: {errorBudgetPercent: 8, shortWindow: 5m, longWindow: 1h}
    slow: {errorBudgetPercent: 12, shortWindow: 30m, longWindow: 6h}
  ticket:
    quick: {errorBudgetPercent: 20, shortWindow: 2h, longWindow: 1d}
    slow: {errorBudgetPercent: 42, shortWindow: 6h, longWindow: 3d}
"""
CONFIG = """\
error_budget_policies:
  default:
    steps:
    - {name: 1 hour, window: 3600, burn_rate_threshold: 9, alert: true, message_alert: page,
       message_ok: ok}
    - {name: 12 hours, window: 43200, burn_rate_threshold: 3, alert: false, message_alert: a,
       message_ok: ok}
"""


def _post(client: Client, token: str, tool: str, body: dict[str, Any], **params: Any) -> Any:
    return client.request("POST", f"{V1}/imports/{tool}", token, params=params, json=body)


def _written(workspace: Path, tmp_path: Path, args: list[str], target: str) -> str:
    """What `covenant import ARGS --into <a copy of workspace>` writes into ``target``, its
    header line left out (it cites the source's path)."""
    copy = tmp_path / "copy"
    shutil.copytree(workspace, copy, ignore=shutil.ignore_patterns(".covenant"))
    done = CliRunner().invoke(app, [*args, "--into", str(copy)])
    assert done.exit_code == 0, done.output
    return (copy / target).read_text(encoding="utf-8").partition("\n")[2]


def _tiers(documents: str) -> dict[str, list[dict[str, Any]]]:
    slos = [d for d in yaml.safe_load_all(documents) if d and d["kind"] == "SLO"]
    return {d["metadata"]["name"]: d["spec"]["alerting"]["tiers"] for d in slos}


def test_alert_windows_are_the_commands(shop: Shop, tmp_path: Path) -> None:
    body = {"source": SLOTH.read_text(encoding="utf-8"), "alert_windows": WINDOWS}
    answer = _post(
        shop.client, shop.tokens["viewer"], "sloth", body, sloth_period="7d", filename=SLOTH.name
    )
    assert answer.status_code == 200, answer.text
    (found,) = answer.json()["files"]
    tiers = _tiers(found["documents"])
    page_quick = tiers["requests-availability"][0]
    assert (page_quick["name"], page_quick["longWindow"], page_quick["shortWindow"]) == (
        "page-quick",
        "1h",
        "5m",
    )
    assert page_quick["budgetPercent"] == 8
    assert [t["budgetPercent"] for t in tiers["requests-availability"]] == [8, 12, 20, 42]
    windows = tmp_path / "windows.yaml"
    windows.write_text(WINDOWS, encoding="utf-8")
    args = ["import", "sloth", str(SLOTH), "--sloth-period", "7d"]
    written = _written(
        shop.workspace, tmp_path, [*args, "--alert-windows", str(windows)], "sloth-checkout.yaml"
    )
    assert found["documents"].partition("\n")[2] == written


def test_a_shared_config_is_the_commands(shop: Shop, tmp_path: Path) -> None:
    answer = _post(
        shop.client,
        shop.tokens["viewer"],
        "slo-generator",
        {"source": SLO_GENERATOR, "config": CONFIG},
        filename="slo.yaml",
    )
    assert answer.status_code == 200, answer.text
    (found,) = answer.json()["files"]
    [slo] = [d for d in yaml.safe_load_all(found["documents"]) if d and d["kind"] == "SLO"]
    # the policy's longest step is the window; its alerting step a page tier at burn rate 9
    assert slo["spec"]["timeWindow"][0]["duration"] == "12h"
    [tier] = slo["spec"]["alerting"]["tiers"]
    assert (tier["severity"], tier["longWindow"], tier["burnRate"]) == ("page", "1h", 9)
    source, config = tmp_path / "slo.yaml", tmp_path / "shared.yaml"
    source.write_text(SLO_GENERATOR, encoding="utf-8")
    config.write_text(CONFIG, encoding="utf-8")
    args = ["import", "slo-generator", str(source), "--config", str(config)]
    written = _written(shop.workspace, tmp_path, args, "slo-generator-slo.yaml")
    assert found["documents"].partition("\n")[2] == written
    # without it: the file alone, as before (slo-generator's default window)
    alone = _post(shop.client, shop.tokens["viewer"], "slo-generator", {"source": SLO_GENERATOR})
    (plain,) = alone.json()["files"]
    assert "read without a shared config.yaml" in plain["notes"][0]["reason"]


@pytest.mark.parametrize(
    ("tool", "body", "params", "said"),
    [
        ("pyrra", {"source": PYRRA, "alert_windows": WINDOWS}, {}, "alert_windows is not"),
        ("sloth", {"source": "{}", "config": CONFIG}, {}, "config is not an option of a sloth"),
        ("slo-generator", {"source": SLO_GENERATOR}, {"split_groups": "true"}, "split_groups"),
        (
            "sloth",
            {"source": "{}", "alert_windows": WINDOWS.replace("longWindow: 1h", "oops: 1")},
            {},
            "alert_windows spec.page.quick.longWindow 'None' is not a duration",
        ),
        ("slo-generator", {"source": SLO_GENERATOR, "config": "[1, 2"}, {}, "config"),
    ],
)
def test_an_option_that_does_not_fit_is_refused(
    shop: Shop, tool: str, body: dict[str, Any], params: dict[str, str], said: str
) -> None:
    answer = _post(shop.client, shop.tokens["viewer"], tool, body, **params)
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] in ("invalid-import-option", "invalid-input")
    assert said in answer.json()["message"]


def test_a_json_body_that_does_not_validate_names_the_field(shop: Shop) -> None:
    answer = _post(shop.client, shop.tokens["viewer"], "sloth", {"alert_windows": WINDOWS})
    assert answer.status_code == 422, answer.text
    assert answer.json()["message"].startswith("body.source: ")


@pytest.fixture
def server(prometheus: Callable[..., Server]) -> Server:
    return prometheus(
        openmetrics=openmetrics_text(samples(), counters=["http_requests", "queue_jobs"])
    )


def _viewer_client(ws: Path, at: datetime) -> tuple[Client, str]:
    settings = Settings(workspace=ws, database_url=sqlite_url(ws))
    engine = open_store(settings.database_url)
    expires = datetime(2099, 1, 1, tzinfo=UTC)
    token = create_token(
        engine, role="viewer", customer=None, expires_at=expires, at=at, customers=()
    ).text
    engine.dispose()
    return Client(create_app(settings, clock=lambda: at)), token


def _data_source(url: str) -> str:
    return (
        "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: prometheus}\n"
        f"spec: {{type: Prometheus, connectionDetails: {{url: '{url}'}}}}\n"
    )


@pytest.mark.prometheus_releases("stable")
def test_split_groups_asks_the_server_as_the_command_does(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "sources.yaml").write_text(_data_source(server.url), encoding="utf-8")
    at = datetime.fromisoformat(stamp(END))
    client, token = _viewer_client(ws, at)
    answer = _post(
        client, token, "pyrra", {"source": PYRRA}, split_groups="true", filename="api.yaml"
    )
    assert answer.status_code == 200, answer.text
    (found,) = answer.json()["files"]
    slos = {d["metadata"]["name"] for d in yaml.safe_load_all(found["documents"]) if d}
    assert {
        "api-errors-api-v1-query",
        "api-errors-api-v1-query-range",
        "api-errors-we-ird-path",
        "api-errors-none",
    } <= slos
    split = [n["reason"] for n in found["notes"] if n["field"] == "spec.indicator.ratio.grouping"]
    assert split[0].startswith("split by (handler) into 4 SLO(s)")
    assert stamp(END) in split[0]
    monkeypatch.setenv("COVENANT_NOW", stamp(END))  # the command's now: the app's clock
    source = tmp_path / "api.yaml"
    source.write_text(PYRRA, encoding="utf-8")
    args = ["import", "pyrra", str(source), "--split-groups"]
    written = _written(ws, tmp_path, args, "pyrra-api.yaml")
    assert found["documents"].partition("\n")[2] == written
    unsplit = _post(client, token, "pyrra", {"source": PYRRA}, filename="api.yaml")
    assert "api-errors-none" not in unsplit.json()["files"][0]["documents"]


def test_split_groups_never_fetches_an_address_the_request_names(tmp_path: Path) -> None:
    """A request that names a server (prometheus_url) for split_groups is refused before the
    server connects anywhere: any caller could otherwise make it fetch an address of their
    choosing (a server-side request forgery). A listening socket counts the connections."""
    ws = tmp_path / "ws"
    ws.mkdir()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.5)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    (ws / "sources.yaml").write_text(_data_source("http://127.0.0.1:1"), encoding="utf-8")
    client, token = _viewer_client(ws, datetime.fromisoformat(stamp(END)))
    try:
        for sources in ("", _data_source("http://127.0.0.1:1")):  # none, another url
            (ws / "sources.yaml").write_text(sources, encoding="utf-8")
            answer = _post(
                client, token, "pyrra", {"source": PYRRA}, split_groups="true", prometheus_url=url
            )
            assert answer.status_code == 400, answer.text
            assert answer.json()["message"].startswith(
                "split_groups asks only a Prometheus DataSource the workspace defines"
            )
            assert "prometheus_url" in answer.json()["hint"]
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()


def test_the_yaml_body_still_takes_the_file_alone(shop: Shop) -> None:
    answer = shop.client.request(
        "POST",
        f"{V1}/imports/sloth",
        shop.tokens["viewer"],
        content=SLOTH.read_bytes(),
        headers={"Content-Type": "application/yaml"},
    )
    assert answer.status_code == 200, answer.text
    assert isinstance(answer, httpx.Response)
    assert answer.json()["files"][0]["status"] in ("imported", "partly-imported")
