"""A threshold objective whose threshold changed after its events were ingested: its series
(``checkout-latency:lte400``) never received an event while the old one (``…:lte300``) holds
them, and "no data" says so with the fix (docs/ingest.md, "Events are classified once") — in
``covenant evaluate``, the API and the UI alike. Without such a sibling, or when the series
had events before the window, the reason stays "no events in the window"."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from covenant.api.app import create_app
from covenant.cli.main import app
from covenant.config import Settings, sqlite_url
from covenant.services.store import open_store
from covenant.services.tokens import create_token
from covenant.store.buckets import ensure_series
from covenant.store.db import write_transaction
from covenant.store.source_reads import record_read
from covenant.store.threshold_series import HeldSeries, threshold_series_with_events
from tests.api.support import Client, Shop
from tests.checkout import put
from tests.web.pages import Browser
from tests.web.served import add_users

runner = CliRunner()
AT = "2026-10-02T00:00:00Z"  # the day after `covenant init`'s sample events (2026-10-01)
WHEN = datetime(2026, 10, 2, tzinfo=UTC)
PLAIN = "no events in the window"
DOCS = "(docs/ingest.md, 'Events are classified once')"


@pytest.fixture(autouse=True)
def _no_shared_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)


def cli(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    return result.stdout


def reasons(ws: Path, at: str = AT) -> dict[str, Any]:
    """``covenant evaluate --format json``'s no-data reason per SLO."""
    doc = json.loads(cli("evaluate", "-w", str(ws), "--at", at, "--format", "json"))
    return {r["slo"]: r["no_data"] for r in doc["results"]}


def started(tmp_path: Path, events: str | None = None) -> Path:
    """`covenant init`'s workspace with its sample events (or ``events``; "": none, and an
    empty store, since a file without rows is refused) ingested."""
    ws = tmp_path / "ws"
    cli("init", str(ws))
    csv = ws / "events" / "sample.csv"
    if events == "":
        open_store(sqlite_url(ws)).dispose()
        return ws
    if events is not None:
        csv.write_text(events, encoding="utf-8")
    cli("ingest", "events", str(csv), "-w", str(ws))
    return ws


def changed(ws: Path) -> None:
    """The latency objective's threshold moved from 300 to 400 ms."""
    slos = ws / "slos.yaml"
    text = slos.read_text(encoding="utf-8")
    assert text.count("value: 300") == 1
    slos.write_text(text.replace("value: 300", "value: 400"), encoding="utf-8")


def assert_explained(reason: str) -> None:
    assert reason.startswith("no events ingested under this threshold (lte400)")
    assert "the store holds events of checkout-latency under lte300" in reason
    assert "ingest checkout-latency's events again" in reason
    assert reason.endswith(DOCS)


def test_a_changed_threshold_says_where_the_events_are_and_the_fix(tmp_path: Path) -> None:
    ws = started(tmp_path)
    # the sample holds 2 checkout-latency rows: under 300 they are data (below the minimum)
    assert reasons(ws)["checkout-latency"] == "only 2 events in the window (minimum 10)"
    changed(ws)
    found = reasons(ws)
    assert_explained(found["checkout-latency"])
    assert found["checkout-availability"] is None  # a ratio SLI is not touched
    table = cli("evaluate", "-w", str(ws), "--at", AT)
    assert "checkout-latency: no data: no events ingested under this threshold (lte400)" in table
    assert DOCS in table
    # re-ingesting the same file is still refused: nothing about ingest changed
    again = cli("ingest", "events", str(ws / "events" / "sample.csv"), "-w", str(ws))
    assert "already ingested" in again


def test_the_api_and_the_ui_show_the_same_reason(tmp_path: Path) -> None:
    ws = started(tmp_path)
    changed(ws)
    expected = reasons(ws)["checkout-latency"]
    assert_explained(expected)
    settings = Settings(workspace=ws, database_url=sqlite_url(ws))
    engine = open_store(settings.database_url)
    expires = WHEN.replace(year=2027)
    token = create_token(
        engine, role="viewer", customer=None, expires_at=expires, at=WHEN, customers=()
    ).text
    engine.dispose()
    client = Client(create_app(settings, clock=lambda: WHEN))
    answer = client.get("/api/v1/evaluations/checkout-latency", token)
    assert answer.status_code == 200, answer.text
    (result,) = answer.json()["results"]
    assert result["no_data"] == expected

    add_users(Shop(workspace=ws, settings=settings, tokens={}, client=client))
    browser = Browser(client.app)
    browser.sign_in("vic")
    page = browser.get("/ui/slos/checkout-latency")
    assert page.status_code == 200, page.text
    assert "No data: no events ingested under this threshold (lte400)" in page.text
    assert "the store holds events of checkout-latency under lte300" in page.text


def test_without_another_threshold_holding_events_the_reason_stays(tmp_path: Path) -> None:
    only_availability = (
        "timestamp,sli,status,latency_ms\n"
        "2026-10-01T00:00:00Z,checkout-availability,200,120\n"
        "2026-10-01T00:00:20Z,checkout-availability,200,95\n"
    )
    ws = started(tmp_path, only_availability)
    assert reasons(ws)["checkout-latency"] == PLAIN
    changed(ws)
    assert reasons(ws)["checkout-latency"] == PLAIN


def test_a_series_that_had_events_before_the_window_keeps_the_reason(tmp_path: Path) -> None:
    ws = started(tmp_path)
    changed(ws)
    later = tmp_path / "latency.csv"  # the SLI's rows only: docs/ingest.md's way to carry over
    later.write_text(
        "timestamp,sli,status,latency_ms\n2026-10-01T00:01:00Z,checkout-latency,200,310\n",
        encoding="utf-8",
    )
    cli("ingest", "events", str(later), "-w", str(ws))
    assert reasons(ws)["checkout-latency"] == "only 1 events in the window (minimum 10)"
    # December's window (the objective's calendar month) has no events, lte300 still does
    assert reasons(ws, "2026-12-15T00:00:00Z")["checkout-latency"] == PLAIN


def test_thresholds_read_from_prometheus_point_at_a_read(tmp_path: Path) -> None:
    ws = started(tmp_path, "")  # no events: an empty store
    engine = open_store(sqlite_url(ws))
    put(engine, datetime(2026, 10, 1, tzinfo=UTC), 20, bad=0, series="checkout-latency:lte300")
    with write_transaction(engine) as conn:
        held = threshold_series_with_events(conn, slis=["checkout-latency"])
        (series,) = held["checkout-latency"]
        assert (series.key, series.read_from_source) == ("checkout-latency:lte300", False)
    engine.dispose()
    changed(ws)
    assert_explained(reasons(ws)["checkout-latency"])
    engine = open_store(sqlite_url(ws))
    with write_transaction(engine) as conn:
        sid = ensure_series(conn, keys=["checkout-latency:lte300"])["checkout-latency:lte300"]
        record_read(conn, series_id=sid, source="prometheus", until=0, at=WHEN)
    engine.dispose()
    reason = reasons(ws)["checkout-latency"]
    assert reason.startswith("nothing read under this threshold (lte400)")
    assert "the store holds checkout-latency under lte300, read from its metrics source" in reason
    assert "`covenant evaluate --read`" in reason


def test_sli_names_are_compared_exactly(engine: Engine) -> None:
    """``_`` and ``%`` are not patterns and case counts (a ``LIKE`` would match all three); a
    series read from a metrics source says so; one set aside when its query changed
    (``a_b:lte1#…``, store.source_queries) is no threshold. On SQLite and PostgreSQL."""
    start = datetime(2026, 10, 1, tzinfo=UTC)
    aside = "a_b:lte3#0123456789abcdef"
    for key in ("a_b:lte1", "axb:lte1", "A_B:lte1", "a_b:lte2", "a_b-c:lte1", "a%:gt5", aside):
        put(engine, start, 1, bad=0, series=key)
    with write_transaction(engine) as conn:
        sid = ensure_series(conn, keys=["a%:gt5"])["a%:gt5"]  # the id of the stored series
        record_read(conn, series_id=sid, source="prometheus", until=0, at=WHEN)
    with engine.connect() as conn:
        held = threshold_series_with_events(conn, slis=["a_b", "a%", "nothing"])
    assert held == {
        "a_b": [
            HeldSeries(key="a_b:lte1", read_from_source=False),
            HeldSeries(key="a_b:lte2", read_from_source=False),
        ],
        "a%": [HeldSeries(key="a%:gt5", read_from_source=True)],
    }
