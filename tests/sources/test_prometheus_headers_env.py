"""A Prometheus DataSource's ``headersEnv``: the value of a secret header comes from an
environment variable at read time and reaches the server. The server is a real Prometheus
holding tests/promdata.py's events, behind a small reverse proxy (below) that forwards a request
only when its ``X-API-Key`` is the key (Prometheus cannot check a custom header itself), or
behind vmauth, which checks ``Authorization``. A variable that is not set is a source error
naming it, and no request goes out without the header; the key is never shown or stored."""

from __future__ import annotations

import json
import sqlite3
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.api.app import create_app
from covenant.cli.main import app
from covenant.config import Settings, sqlite_url
from covenant.core.promql import PrometheusSource
from covenant.core.results import Status
from covenant.core.timeutil import from_epoch
from covenant.definitions.workspace import load_workspace
from covenant.errors import SourceCredentialsError
from covenant.services.store import open_store
from covenant.services.tokens import create_token
from covenant.services.worker import Worker
from covenant.sources.prometheus.client import PrometheusClient
from tests import promdata
from tests.api.support import EXPIRES, Client
from tests.ports import free_port
from tests.promserver import Server, start_vmauth
from tests.web.pages import Browser

AT = datetime(2026, 12, 1, tzinfo=UTC)
START = 1_790_000_000 - 1_790_000_000 % 86400
MINUTES = 120
KEY = "k3y-of-team-a-7781"
KEYED = "    headersEnv: {X-API-Key: PROM_API_KEY}\n"
HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "host", "content-length", "accept-encoding"}
)


@dataclass
class KeyedProxy:
    """What the proxy saw: the ``X-API-Key`` of every request (None: the header was absent)."""

    url: str = ""
    keys: list[str | None] = field(default_factory=list)


@pytest.fixture
def keyed(prometheus: Callable[..., Server]) -> Iterator[KeyedProxy]:
    """A reverse proxy on loopback in front of a real Prometheus holding promdata's events: a
    request with ``X-API-Key: KEY`` is forwarded, any other is refused with 401, the refusal
    repeating the key it was given (as some proxies do)."""
    events = promdata.openmetrics(promdata.events(START, MINUTES), START, MINUTES)
    backend = prometheus(openmetrics=events)
    seen = KeyedProxy()

    class Handler(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            key = self.headers.get("X-API-Key")
            seen.keys.append(key)
            if key != KEY:
                body = f"unauthorized: unknown X-API-Key {key!r}".encode()
                self._answer(401, body, "text/plain")
                return
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            request = urllib.request.Request(
                backend.url + self.path, data=data, headers=headers, method=self.command
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    self._answer(answer.status, answer.read(), answer.headers["Content-Type"])
            except urllib.error.HTTPError as refused:
                self._answer(refused.code, refused.read(), refused.headers["Content-Type"])

        def _answer(self, status: int, body: bytes, kind: str | None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind or "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._forward()

        def do_POST(self) -> None:
            self._forward()

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    seen.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield seen
    server.shutdown()
    server.server_close()
    thread.join()


def test_the_header_from_the_environment_reads_the_counts_through_the_proxy(
    tmp_path: Path, keyed: KeyedProxy
) -> None:
    ws = promdata.workspace(tmp_path / "ws", keyed.url, KEYED)
    code, output = promdata.ingest_first_hour(ws, START, {"PROM_API_KEY": KEY})
    assert code == 0, output
    (row,) = json.loads(output)["series"]
    assert (row["buckets"], row["complete"], row["error"]) == (60, True, None)
    assert (row["good"], row["total"]) == promdata.api_latency_first_hour(START, MINUTES)
    assert keyed.keys
    assert set(keyed.keys) == {KEY}
    # what surfaces say of the DataSource: the variable's name, never the key
    listed = CliRunner().invoke(
        app, ["sources", "list", "-w", str(ws), "--format", "json"], env={"PROM_API_KEY": KEY}
    )
    assert listed.exit_code == 0, listed.output
    (source,) = json.loads(listed.output)["items"]
    assert source["headers_env"] == {"X-API-Key": "PROM_API_KEY"}
    assert KEY not in listed.output
    assert KEY not in _store_text(ws)
    settings = Settings(workspace=ws, database_url=sqlite_url(ws))
    engine = open_store(settings.database_url)
    token = create_token(
        engine, role="viewer", customer=None, expires_at=EXPIRES, at=AT, customers=()
    ).text
    engine.dispose()
    client = Client(create_app(settings, clock=lambda: AT))
    answer = client.get("/api/v1/data-sources/metrics", token)
    assert answer.json()["headers_env"] == {"X-API-Key": "PROM_API_KEY"}
    browser = Browser(client.app)
    assert browser.sign_in_token(token).status_code == 303
    page = browser.get("/ui/sources").text
    assert "X-API-Key from <code>PROM_API_KEY</code>" in page
    assert KEY not in page + answer.text


def test_evaluate_read_sends_the_header_too(tmp_path: Path, keyed: KeyedProxy) -> None:
    ws = promdata.workspace(tmp_path / "ws", keyed.url, KEYED)
    at = from_epoch(START + 3600).isoformat()
    args = ["evaluate", "-w", str(ws), "--at", at, "--read", "--format", "json"]
    env = {"COVENANT_DATABASE_URL": "", "PROM_API_KEY": KEY}
    done = CliRunner().invoke(app, args, env=env)
    assert done.exit_code == 0, done.output
    row = next(r for r in json.loads(done.stdout)["results"] if r["slo"] == "api-latency")
    assert row["stale"] is None
    assert row["status"] != "no_data"
    assert keyed.keys
    assert set(keyed.keys) == {KEY}


@pytest.mark.parametrize(
    ("env", "said"), [({}, "is not set"), ({"PROM_API_KEY": ""}, "is set but empty")]
)
def test_a_missing_variable_is_a_source_error_naming_it_and_nothing_is_sent(
    tmp_path: Path, keyed: KeyedProxy, env: dict[str, str], said: str
) -> None:
    ws = promdata.workspace(tmp_path / "ws", keyed.url, KEYED)
    code, output = promdata.ingest_first_hour(ws, START, env)
    assert code == 1, output
    error = json.loads(output)["series"][0]["error"]
    assert error["code"] == "source-credentials"
    assert f"the environment variable PROM_API_KEY {said}" in error["message"]
    assert "export PROM_API_KEY=" in error["fix"]
    assert keyed.keys == []  # never asked without the header, nor with an empty one
    # the SLO is stale, saying why
    at = from_epoch(START + 3600).isoformat()
    args = ["evaluate", "-w", str(ws), "--at", at, "--read", "--format", "json"]
    done = CliRunner().invoke(app, args, env={"COVENANT_DATABASE_URL": "", **env})
    row = next(r for r in json.loads(done.stdout)["results"] if r["slo"] == "api-latency")
    assert row["status"] == "no_data"
    assert row["stale"]["code"] == "source-credentials"
    assert "PROM_API_KEY" in row["no_data"]
    assert keyed.keys == []


@pytest.mark.parametrize("key", [KEY, None])
def test_the_workers_first_read_sends_the_header_or_is_no_data_without_it(
    tmp_path: Path, keyed: KeyedProxy, monkeypatch: pytest.MonkeyPatch, key: str | None
) -> None:
    if key is None:
        monkeypatch.delenv("PROM_API_KEY", raising=False)
    else:
        monkeypatch.setenv("PROM_API_KEY", key)
    ws = promdata.workspace(tmp_path / "ws", keyed.url, KEYED)
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        result = Worker(engine).tick(load_workspace(ws), from_epoch(START + 3600 + 120))
    finally:
        engine.dispose()
    (found,) = [e for e in result.report.evaluations if e.objective.slo == "api-latency"]
    if key is None:
        assert found.status is Status.NO_DATA
        assert keyed.keys == []
        return
    assert (found.good, found.total) == promdata.api_latency_first_hour(START, MINUTES)
    assert keyed.keys
    assert set(keyed.keys) == {KEY}


def test_a_wrong_key_is_a_refusal_that_never_repeats_it(tmp_path: Path, keyed: KeyedProxy) -> None:
    wrong = "n0t-the-key-5512"
    ws = promdata.workspace(tmp_path / "ws", keyed.url, KEYED)
    code, output = promdata.ingest_first_hour(ws, START, {"PROM_API_KEY": wrong})
    assert code == 1, output
    error = json.loads(output)["series"][0]["error"]
    assert (error["code"], "HTTP 401" in error["message"]) == ("source-refused", True)
    assert keyed.keys[0] == wrong  # it was sent, and the proxy repeated it in its answer
    assert wrong not in output
    assert "headersEnv" in error["fix"]
    assert wrong not in _store_text(ws)


def test_an_authorization_header_from_the_environment_passes_vmauth(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    events = promdata.openmetrics(promdata.events(START, MINUTES), START, MINUTES)
    backend = prometheus(openmetrics=events)
    proxy = start_vmauth(tmp_path / "vmauth", backend=backend, bearer_token="t0ken-x")
    try:
        ws = promdata.workspace(
            tmp_path / "ws", proxy.url, "    headersEnv: {Authorization: PROM_AUTH}\n"
        )
        code, output = promdata.ingest_first_hour(ws, START, {"PROM_AUTH": "Bearer t0ken-x"})
    finally:
        proxy.stop()
    assert code == 0, output
    (row,) = json.loads(output)["series"]
    assert (row["good"], row["total"]) == promdata.api_latency_first_hour(START, MINUTES)


def _store_text(ws: Path) -> str:
    """Every value of every table of the workspace's SQLite store, as text (audit rows,
    source states, errors…)."""
    (db,) = (ws / ".covenant").glob("*.db")
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        rows = [
            repr(row) for t in tables for row in conn.execute(f'SELECT * FROM "{t}"').fetchall()
        ]
    return "\n".join(rows)


@pytest.mark.parametrize("value", ["s3cr3t\nInjected: 1", "s3cr3t\r", "s3cr3t\x00", "s3cr3té"])
def test_a_value_that_cannot_be_a_header_is_a_credentials_error_that_hides_it(
    value: str,
) -> None:
    """A line break would end the header (and h11's refusal repeats the value, escaped, past
    the hiding of secrets); a character outside ASCII cannot be sent at all."""
    source = PrometheusSource(
        name="metrics", url="http://127.0.0.1:1", headers_env=(("X-API-Key", "PROM_API_KEY"),)
    )
    with pytest.raises(SourceCredentialsError) as caught:
        PrometheusClient(source, env={"PROM_API_KEY": value})
    said = f"{caught.value.message} {caught.value.hint}"
    assert "PROM_API_KEY" in said
    assert "X-API-Key" in said
    assert "s3cr3t" not in said


def test_a_bearer_token_with_a_line_break_is_refused_the_same_way() -> None:
    source = PrometheusSource(name="metrics", url="http://127.0.0.1:1", bearer_token_env="TOK")
    with pytest.raises(SourceCredentialsError) as caught:
        PrometheusClient(source, env={"TOK": "s3cr3t-token\n"})
    said = f"{caught.value.message} {caught.value.hint}"
    assert "TOK (bearerTokenEnv)" in said
    assert "s3cr3t" not in said
