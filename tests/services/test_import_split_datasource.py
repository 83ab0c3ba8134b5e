"""``covenant import … --split-groups`` through the workspace's DataSource: its basic auth (from
environment variables), CA file, headers, tenant and bearer token are used for the question
which group values exist, against a real Prometheus behind TLS and basic auth
(tests/promtls.py) holding the grouped series of tests/services/test_import_split.py; a bare
``--prometheus-url`` of another server is asked bare, and the report says which was asked."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.promserver import Server, openmetrics_text
from tests.promtls import PASSWORD, USER, start_secured
from tests.services.test_import_split import (
    END,
    HANDLERS,
    PYRRA,
    increments,
    queries,
    samples,
    slos,
    stamp,
)
from tests.sources.promfake import Answer, fake_prometheus

ENV: dict[str, str | None] = {"PROM_USER": USER, "PROM_PASS": PASSWORD, "COVENANT_NOW": stamp(END)}
UNSET: dict[str, str | None] = {"PROM_USER": None, "PROM_PASS": None, "COVENANT_NOW": stamp(END)}
EMPTY: dict[str, str | None] = {"PROM_USER": "", "PROM_PASS": "", "COVENANT_NOW": stamp(END)}

DATASOURCE = """\
apiVersion: openslo/v1
kind: DataSource
metadata: {name: prometheus}
spec:
  type: Prometheus
  connectionDetails:
"""


@pytest.fixture
def secured(tmp_path: Path, prometheus: Callable[..., Server]) -> tuple[Server, Path]:
    """The grouped series behind TLS and basic auth; and the CA's PEM file."""
    series = openmetrics_text(samples(), counters=["http_requests", "queue_jobs"])
    return start_secured(tmp_path / "tls", prometheus, openmetrics=series)


def workspace(folder: Path, details: str) -> Path:
    """A workspace holding only the DataSource ``prometheus`` with ``details`` (YAML lines)."""
    folder.mkdir(parents=True)
    (folder / "datasource.yaml").write_text(DATASOURCE + details, encoding="utf-8")
    return folder


def run_import(tmp_path: Path, ws: Path, env: dict[str, str | None], *more: str) -> Any:
    source = tmp_path / "api.yaml"
    source.write_text(PYRRA, encoding="utf-8")
    args = ["import", "pyrra", str(source), "--into", str(ws), "--split-groups", *more]
    return CliRunner().invoke(app, args, env=env)


def secured_details(url: str, ca: Path) -> str:
    return (
        f"    url: {url}\n    caFile: {ca}\n"
        "    basicAuth: {usernameEnv: PROM_USER, passwordEnv: PROM_PASS}\n"
    )


@pytest.mark.parametrize("given", [None, "same", "same/"])
def test_the_split_asks_the_workspaces_datasource_with_its_tls_and_basic_auth(
    tmp_path: Path, secured: tuple[Server, Path], given: str | None
) -> None:
    server, ca = secured
    ws = workspace(tmp_path / "ws", secured_details(server.url, ca))
    url = [] if given is None else ["--prometheus-url", given.replace("same", server.url)]
    done = run_import(tmp_path, ws, ENV, *url, "--format", "json")
    assert done.exit_code == 0, done.output
    written = slos(ws / "pyrra-api.yaml")
    assert set(written) == {
        "api-errors-api-v1-query",
        "api-errors-api-v1-query-range",
        "api-errors-we-ird-path",
        "api-errors-none",
    }
    assert queries(written["api-errors-api-v1-query-range"]) == {
        "bad": 'sum(http_requests_total{code=~"5..",handler="/api/v1/query_range"})',
        "total": 'sum(http_requests_total{handler="/api/v1/query_range"})',
    }
    report = json.loads(done.stdout)["files"][0]
    assert report["reused"] == ["DataSource prometheus"]  # the workspace's, not written again
    (split,) = [n["reason"] for n in report["notes"] if n["reason"].startswith("split by")]
    assert f"{server.url} (DataSource prometheus as the workspace defines it" in split

    # the SLOs written read through the same DataSource: a handler's counts are its own
    args = ["evaluate", "-w", str(ws), "--at", stamp(END), "--format", "json", "--read"]
    evaluated = CliRunner().invoke(app, args, env=ENV)
    assert evaluated.exit_code == 0, evaluated.output
    results = {r["slo"]: (r["good"], r["total"]) for r in json.loads(evaluated.stdout)["results"]}
    index = HANDLERS.index("/api/v1/query_range")
    bad, ok = sum(increments(index, "500")), sum(increments(index, "200"))
    assert results["api-errors-api-v1-query-range"] == (ok, ok + bad)


@pytest.mark.parametrize(
    ("env", "said"), [(UNSET, "is not set"), (EMPTY, "is set but empty")], ids=["unset", "empty"]
)
def test_an_unset_or_empty_credential_variable_is_source_credentials_and_writes_nothing(
    tmp_path: Path, secured: tuple[Server, Path], env: dict[str, str | None], said: str
) -> None:
    server, ca = secured
    ws = workspace(tmp_path / "ws", secured_details(server.url, ca))
    done = run_import(tmp_path, ws, env)
    assert done.exit_code == 1, done.output
    assert "source-credentials" in done.output
    assert f"the environment variable PROM_USER {said}" in " ".join(done.output.split())
    assert "nothing was written" in done.output
    assert sorted(p.name for p in ws.iterdir()) == ["datasource.yaml"]


def test_a_bare_url_of_another_server_is_asked_bare_and_the_tls_server_refuses_it(
    tmp_path: Path, secured: tuple[Server, Path]
) -> None:
    server, ca = secured
    ws = workspace(tmp_path / "ws", secured_details("https://prometheus.invalid:9090", ca))
    done = run_import(tmp_path, ws, ENV, "--prometheus-url", server.url)
    assert done.exit_code == 1, done.output
    assert "source-tls" in done.output
    assert "certificate is not trusted here" in done.output
    said = " ".join(done.output.split())
    assert "not the workspace's DataSource prometheus at https://prometheus.invalid:9090" in said
    assert "leave --prometheus-url out (or give its url)" in said  # the fix: its own settings
    assert "nothing was written" in done.output
    assert sorted(p.name for p in ws.iterdir()) == ["datasource.yaml"]


VECTOR = (
    b'{"status":"success","data":{"resultType":"vector","result":'
    b'[{"metric":{"handler":"a"},"value":[1,"1"]},{"metric":{"handler":"b"},"value":[1,"1"]}]}}'
)


def test_the_datasources_token_headers_and_tenant_are_sent(tmp_path: Path) -> None:
    with fake_prometheus(lambda form, _: Answer(body=VECTOR)) as fake:
        details = (
            f"    url: {fake.url}/\n    bearerTokenEnv: PROM_TOKEN\n    tenant: team-a\n"
            "    headers: {X-Extra: yes please}\n    timeout: 5s\n"
        )
        ws = workspace(tmp_path / "ws", details)
        done = run_import(tmp_path, ws, {**ENV, "PROM_TOKEN": "t0ken"})
        ((form, headers),) = fake.requests
    assert done.exit_code == 0, done.output
    assert form["query"].startswith("group by (handler) (last_over_time(")
    assert headers["Authorization"] == "Bearer t0ken"
    assert headers["X-Scope-OrgID"] == "team-a"
    assert headers["X-Extra"] == "yes please"
    assert set(slos(ws / "pyrra-api.yaml")) == {"api-errors-a", "api-errors-b"}


def test_another_url_given_is_asked_without_the_datasources_settings_and_says_so(
    tmp_path: Path,
) -> None:
    details = "    url: https://prometheus.invalid:9090\n    bearerTokenEnv: PROM_TOKEN\n"
    ws = workspace(tmp_path / "ws", details)
    with fake_prometheus(lambda form, _: Answer(body=VECTOR)) as fake:
        done = run_import(
            tmp_path, ws, {**ENV, "PROM_TOKEN": "t0ken"}, "--prometheus-url", fake.url
        )
        ((_, headers),) = fake.requests
    assert done.exit_code == 0, done.output
    assert "Authorization" not in headers
    said = " ".join(done.output.split())
    assert f"{fake.url} (--prometheus-url as given, bare: not the workspace's DataSource" in said


def test_an_invalid_datasource_in_the_workspace_is_refused_with_its_problem(
    tmp_path: Path,
) -> None:
    ws = workspace(tmp_path / "ws", "    url: http://prom:9090\n    bearerToken: abc\n")
    done = run_import(tmp_path, ws, ENV)
    assert done.exit_code == 1, done.output
    assert "inline-secret" in done.output
    assert sorted(p.name for p in ws.iterdir()) == ["datasource.yaml"]


def test_without_url_or_datasource_the_usage_error_names_both_ways(tmp_path: Path) -> None:
    done = run_import(tmp_path, tmp_path / "ws", ENV)
    assert done.exit_code == 2, done.output
    said = " ".join(done.output.split())
    assert "--split-groups needs --prometheus-url, or a Prometheus DataSource 'prometheus'" in said
    assert not (tmp_path / "ws").exists()
