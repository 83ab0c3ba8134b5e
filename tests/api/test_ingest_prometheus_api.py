"""``POST /ingest/prometheus`` reads a range from a real Prometheus into the store and answers
what ``covenant ingest prometheus --format json`` prints for it (typer's runner on the real
command, the same workspace and store); refuses what the command refuses; and a source that is
down is a 502 naming it (tests/promdata.py writes the counters; expected numbers come from
its events, never from Covenant's code)."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from covenant.api.app import create_app
from covenant.cli.main import app as cli
from covenant.config import Settings, sqlite_url
from covenant.core.timeutil import from_epoch
from covenant.services.store import open_store
from covenant.services.tokens import create_token
from tests import promdata
from tests.api.support import Client
from tests.promserver import Server

V1 = "/api/v1"
START = 1_790_000_000 - 1_790_000_000 % 86400  # a UTC midnight in 2026
MINUTES = 180
EXPIRES = datetime(2099, 1, 1, tzinfo=UTC)


def _api(ws: Path, *, clock: Callable[[], datetime] | None = None) -> tuple[Client, str, str]:
    """An app on ``ws`` and its SQLite store, and an editor's and a viewer's token."""
    settings = Settings(workspace=ws, database_url=sqlite_url(ws))
    engine = open_store(settings.database_url)
    now = datetime.now(UTC).replace(microsecond=0)
    tokens = [
        create_token(
            engine, role=role, customer=None, expires_at=EXPIRES, at=now, customers=()
        ).text
        for role in ("editor", "viewer")
    ]
    engine.dispose()
    app = create_app(settings, clock=clock) if clock else create_app(settings)
    return Client(app), tokens[0], tokens[1]


def _cli(ws: Path, *args: str) -> Any:
    return CliRunner().invoke(
        cli,
        ["ingest", "prometheus", "-w", str(ws), "--format", "json", *args],
        env={"COVENANT_DATABASE_URL": sqlite_url(ws)},
    )


def _closed_url() -> str:
    with socket.socket() as s:  # a port nothing listens on once it is closed
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.mark.prometheus_releases("stable")
def test_a_range_is_read_and_answered_as_the_command_prints_it(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    events = promdata.events(START, MINUTES)
    server = prometheus(openmetrics=promdata.openmetrics(events, START, MINUTES))
    ws = promdata.workspace(tmp_path / "ws", server.url)
    client, editor, viewer = _api(ws)
    first, last = from_epoch(START).isoformat(), from_epoch(START + 7200).isoformat()
    read = {"from": first, "to": last, "slo": ["api-latency"]}
    refused = client.request("POST", f"{V1}/ingest/prometheus", viewer, json=read)
    assert refused.status_code == 403, refused.text
    answer = client.request("POST", f"{V1}/ingest/prometheus", editor, json=read)
    assert answer.status_code == 200, answer.text
    (row,) = answer.json()["series"]
    expected = [e for e in events if e.service == "api" and e.at < START + 7200]
    assert (row["series"], row["slos"], row["source"]) == (
        "api-latency:lte300",
        ["api-latency"],
        "metrics",
    )
    assert (row["buckets"], row["complete"], row["error"]) == (120, True, None)
    assert (row["from"], row["to"]) == ("2026-09-21T00:00:00Z", "2026-09-21T02:00:00Z")
    assert row["total"] == len(expected)
    assert row["good"] == sum(1 for e in expected if e.latency_ms <= 300)
    # the command reading the same range again into the same store prints the same
    printed = _cli(ws, "--slo", "api-latency", "--from", first, "--to", last)
    assert printed.exit_code == 0, printed.output
    assert answer.json() == json.loads(printed.stdout)
    # every SLI without ``slo``: the three series of the workspace
    every = client.request(
        "POST", f"{V1}/ingest/prometheus", editor, json={"from": first, "to": last}
    )
    assert every.status_code == 200, every.text
    assert sorted(r["series"] for r in every.json()["series"]) == [
        "api-availability",
        "api-latency:lte300",
        "web-availability",
    ]


AT = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("read", "code", "said"),
    [
        (
            {"from": "2026-12-03T04:00:00Z"},
            "invalid-input",
            "the from field (2026-12-03T04:00:00Z) is not before now",
        ),
        (
            {"from": "2026-12-01T00:00:00Z", "to": "2026-11-30T00:00:00Z"},
            "invalid-input",
            "the to field (2026-11-30T00:00:00Z) must be after the from field",
        ),
        ({"from": "yesterday"}, "invalid-instant-option", "from"),
        ({"from": "-1d", "slo": ["no-such"]}, "invalid-input", "SLO 'no-such' cannot be read"),
        (  # 2026-09-01T04:00Z to now (the hour after it not read): 30 + 31 + 30 + 2 days
            {"from": "2026-09-01T04:00:00Z", "to": "2026-12-03T05:00:00Z"},
            "range-too-large",
            "the from field (2026-09-01T04:00:00Z) to the to field (2026-12-03T04:00:00Z) "
            "covers 93 d; one request reads at most 92 days",
        ),
        (  # a quarter (92 days to now) and one minute
            {"from": "2026-09-02T03:59:00Z", "to": "+1y"},
            "range-too-large",
            "covers 92 d 1 min",
        ),
    ],
)
def test_a_bad_range_is_refused_as_the_command_refuses_it(
    tmp_path: Path, read: dict[str, Any], code: str, said: str
) -> None:
    ws = promdata.workspace(tmp_path / "ws", _closed_url())
    client, editor, _ = _api(ws, clock=lambda: AT)
    answer = client.request("POST", f"{V1}/ingest/prometheus", editor, json=read)
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == code
    assert said in answer.json()["message"], answer.json()
    assert "--" not in answer.json()["message"] + answer.json()["hint"]  # no CLI option named
    if "to" in read and code != "range-too-large":  # the command says the same (its options)
        printed = _cli(ws, "--from", read["from"], "--to", read["to"])
        assert printed.exit_code == 1
        cli_said = said.replace("the to field", "--to").replace("the from field", "--from")
        assert cli_said in " ".join(printed.stderr.split())


def test_a_quarter_is_read_over_the_api(tmp_path: Path) -> None:
    """2026-09-02T04:00Z to 2026-12-03T04:00Z is 92 days (30 + 31 + 30 + 1): the longest range
    one request reads, so it reaches the source (down here: a 502, not a 400)."""
    ws = promdata.workspace(tmp_path / "ws", _closed_url())
    client, editor, _ = _api(ws, clock=lambda: AT)
    read = {"from": "2026-09-02T04:00:00Z", "to": "2026-12-03T04:00:00Z", "slo": ["api-latency"]}
    answer = client.request("POST", f"{V1}/ingest/prometheus", editor, json=read)
    assert answer.status_code == 502, answer.text
    assert answer.json()["code"] == "source-unreachable"


def test_a_source_that_is_down_is_a_502_naming_it(tmp_path: Path) -> None:
    ws = promdata.workspace(tmp_path / "ws", _closed_url())
    client, editor, _ = _api(ws)
    read = {"from": "-3h", "to": "-1h", "slo": ["api-latency"]}
    answer = client.request("POST", f"{V1}/ingest/prometheus", editor, json=read)
    assert answer.status_code == 502, answer.text
    found = answer.json()
    assert found["message"].startswith("reading from metrics failed: api-latency:lte300: ")
    assert "nothing after" in found["message"]
    (row,) = found["series"]
    assert row["error"]["code"] == found["code"]
    assert (row["buckets"], row["complete"]) == (0, False)
    printed = _cli(ws, "--slo", "api-latency", "--from", "-3h", "--to", "-1h")
    assert printed.exit_code == 1
    (cli_row,) = json.loads(printed.stdout)["series"]
    assert cli_row["error"]["code"] == row["error"]["code"]
    assert cli_row["source"] == row["source"] == "metrics"
