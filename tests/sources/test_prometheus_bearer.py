"""A Prometheus behind an authenticating proxy that takes bearer tokens (vmauth, from Debian's
``victoria-metrics`` package), as many are run: the DataSource's ``bearerTokenEnv`` against
real parts. The counts read through the proxy are the events' (tests/promdata.py); a missing or
wrong token is a refusal that says to check the credentials and never shows the token."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests import promdata
from tests.promserver import Server, start_vmauth

START = 1_790_000_000 - 1_790_000_000 % 86400
MINUTES = 120
TOKEN = "t0ken-of-team-a"
BEARER = "    bearerTokenEnv: PROM_TOKEN\n"


@pytest.fixture
def proxy(tmp_path: Path, prometheus: Callable[..., Server]) -> Iterator[Server]:
    """vmauth on loopback in front of a Prometheus holding tests/promdata.py's events."""
    events = promdata.openmetrics(promdata.events(START, MINUTES), START, MINUTES)
    backend = prometheus(openmetrics=events)
    server = start_vmauth(tmp_path / "vmauth", backend=backend, bearer_token=TOKEN)
    yield server
    server.stop()


def test_the_bearer_token_reads_the_events_counts_through_the_proxy(
    tmp_path: Path, proxy: Server
) -> None:
    ws = promdata.workspace(tmp_path / "ws", proxy.url, BEARER)
    code, output = promdata.ingest_first_hour(ws, START, {"PROM_TOKEN": TOKEN})
    assert code == 0, output
    (row,) = json.loads(output)["series"]
    assert (row["buckets"], row["complete"], row["error"]) == (60, True, None)
    assert (row["good"], row["total"]) == promdata.api_latency_first_hour(START, MINUTES)


def test_a_wrong_token_is_a_refusal_that_names_the_credentials_and_hides_the_token(
    tmp_path: Path, proxy: Server
) -> None:
    wrong = "s3cret-but-wrong"
    ws = promdata.workspace(tmp_path / "ws", proxy.url, BEARER)
    code, output = promdata.ingest_first_hour(ws, START, {"PROM_TOKEN": wrong})
    assert code == 1, output
    error = json.loads(output)["series"][0]["error"]
    assert error["code"] == "source-refused"
    assert "HTTP 400" in error["message"]
    # vmauth echoes the token it did not know; Covenant's reports and store must not
    assert wrong not in output
    assert "bearerTokenEnv" in error["fix"]
    assert "SLI's query" not in error["fix"]


def test_no_token_is_a_refusal_that_names_the_credentials(tmp_path: Path, proxy: Server) -> None:
    ws = promdata.workspace(tmp_path / "ws", proxy.url, "")
    code, output = promdata.ingest_first_hour(ws, START, {})
    assert code == 1, output
    error = json.loads(output)["series"][0]["error"]
    assert (error["code"], "HTTP 401" in error["message"]) == ("source-refused", True)
    assert "bearerTokenEnv" in error["fix"]
