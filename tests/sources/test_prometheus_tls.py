"""A Prometheus behind TLS with a private CA and basic auth, as many are run: the DataSource's
``caFile``, ``tlsVerify`` and ``basicAuth`` (from environment variables) against a real server
(Prometheus's own ``--web.config.file``; the CA from ``trustme``, the password hash from
``bcrypt``). The counts read through it are the events' (tests/promdata.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import promdata
from tests.promserver import Server
from tests.promtls import PASSWORD, USER, start_secured

START = 1_790_000_000 - 1_790_000_000 % 86400
MINUTES = 120


@pytest.fixture
def secured(tmp_path: Path, prometheus: Callable[..., Server]) -> tuple[Server, Path]:
    """Prometheus on https with a certificate of a private CA, basic auth required, holding
    tests/promdata.py's events; and the CA's PEM file."""
    events = promdata.openmetrics(promdata.events(START, MINUTES), START, MINUTES)
    return start_secured(tmp_path / "tls", prometheus, openmetrics=events)


AUTH = "    basicAuth: {usernameEnv: PROM_USER, passwordEnv: PROM_PASS}\n"
GOOD_ENV = {"PROM_USER": USER, "PROM_PASS": PASSWORD}


def test_the_ca_file_and_basic_auth_read_the_events_counts(
    tmp_path: Path, secured: tuple[Server, Path]
) -> None:
    server, ca = secured
    ws = promdata.workspace(tmp_path / "ws", server.url, AUTH + f"    caFile: {ca}\n")
    code, output = promdata.ingest_first_hour(ws, START, GOOD_ENV)
    assert code == 0, output
    (row,) = json.loads(output)["series"]
    assert (row["buckets"], row["complete"], row["error"]) == (60, True, None)
    assert (row["good"], row["total"]) == promdata.api_latency_first_hour(START, MINUTES)


def test_a_server_certificate_no_ca_vouches_for_is_refused_with_the_fix(
    tmp_path: Path, secured: tuple[Server, Path]
) -> None:
    server, _ = secured
    ws = promdata.workspace(tmp_path / "ws", server.url, AUTH)
    code, output = promdata.ingest_first_hour(ws, START, GOOD_ENV)
    assert code == 1, output
    error = json.loads(output)["series"][0]["error"]
    assert error["code"] == "source-tls"  # not "did not answer after 3 attempts: is it up?"
    assert "certificate is not trusted here" in error["message"]
    assert "unable to get local issuer certificate" in error["message"]
    assert "caFile" in error["fix"]
    assert "server.pem" not in output  # nothing of the server's files, only what this side sees


def test_https_to_a_server_without_tls_is_a_failed_handshake(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    server = prometheus(openmetrics=promdata.openmetrics([], START, 2))
    url = server.url.replace("http://", "https://")
    ws = promdata.workspace(tmp_path / "ws", url, "")
    code, output = promdata.ingest_first_hour(ws, START, {})
    assert code == 1, output
    error = json.loads(output)["series"][0]["error"]
    assert error["code"] == "source-tls"
    assert "TLS handshake failed" in error["message"]
    assert "http://" in error["fix"]


def test_tls_verify_false_reads_without_the_ca(
    tmp_path: Path, secured: tuple[Server, Path]
) -> None:
    server, _ = secured
    ws = promdata.workspace(tmp_path / "ws", server.url, AUTH + "    tlsVerify: false\n")
    code, output = promdata.ingest_first_hour(ws, START, GOOD_ENV)
    assert code == 0, output
    assert json.loads(output)["series"][0]["buckets"] == 60


def test_a_wrong_password_is_refused_with_the_fix(
    tmp_path: Path, secured: tuple[Server, Path]
) -> None:
    server, ca = secured
    ws = promdata.workspace(tmp_path / "ws", server.url, AUTH + f"    caFile: {ca}\n")
    code, output = promdata.ingest_first_hour(ws, START, {**GOOD_ENV, "PROM_PASS": "wrong"})
    assert code == 1, output
    error = json.loads(output)["series"][0]["error"]
    assert error["code"] == "source-refused"
    assert "answered HTTP 401" in error["message"]
    assert "basicAuth" in error["fix"]


def test_a_relative_ca_file_is_read_beside_the_file_that_names_it(
    tmp_path: Path, secured: tuple[Server, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As Prometheus reads its configuration's paths: the worker or `serve` started in another
    folder (a service unit's) finds the CA kept in the workspace."""
    server, ca = secured
    ws = promdata.workspace(tmp_path / "ws", server.url, AUTH + "    caFile: certs/ca.pem\n")
    (ws / "certs").mkdir()
    (ws / "certs" / "ca.pem").write_bytes(ca.read_bytes())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, output = promdata.ingest_first_hour(ws, START, GOOD_ENV)
    assert code == 0, output
    assert json.loads(output)["series"][0]["buckets"] == 60
