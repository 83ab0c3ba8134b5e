"""The worker against a real Prometheus: a query that matches no series (a misspelt metric) is
in the worker's own report (its tick's ``unmatched``, logged once), in ``/api/v1/data-sources``
and on the sources page, as ``evaluate`` and the SLO page say it; and per DataSource the
instant of its latest successful read and its failed reads by error code reach ``/metrics``.

The workspace and data are ``test_prometheus_no_series``'s (``typo``: its total query's
metric misspelt; ``typos``: both queries'); the expected texts are written out by hand."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from covenant.api.app import create_app
from covenant.config import Settings, sqlite_url
from covenant.core.timeutil import from_epoch
from covenant.definitions.workspace import load_workspace
from covenant.services.metrics import SharedMetrics
from covenant.services.store import open_store
from covenant.services.tokens import create_token
from covenant.services.worker import Worker
from covenant.services.worker_loop import WorkerLoop
from tests.api.support import EXPIRES, Client
from tests.promserver import Server
from tests.services.test_metrics_pipeline import Samples, parsed
from tests.services.test_prometheus_no_series import END, LATER, TYPO_3H, _openmetrics, _workspace
from tests.services.test_worker_health import every_read_error_code
from tests.web.pages import Browser

TYPO = 'http_requets_total{job="api"}'
SINCE = "2026-09-21T00:00:00Z"


def read_errors(got: Samples) -> dict[str, float]:
    return {
        dict(k[1])["code"]: v for k, v in got.items() if k[0] == "covenant_source_read_errors_total"
    }


def test_the_worker_reports_a_query_that_matched_no_series(
    tmp_path: Path, prometheus: Callable[..., Server], caplog: pytest.LogCaptureFixture
) -> None:
    server = prometheus(openmetrics=_openmetrics())
    ws = _workspace(tmp_path / "ws", server.url)
    workspace = load_workspace(ws)
    settings = Settings(workspace=ws, database_url=sqlite_url(ws))
    engine = open_store(settings.database_url)
    now = [from_epoch(END + 120)]  # catch-up reads up to two minutes before now: to 03:00
    # the first tick reads everything from midnight (3 h before where the catch-up stops)
    worker = Worker(engine, catch_up_initial_s=3 * 3600)
    loop = WorkerLoop(worker, workspace=lambda: workspace, clock=lambda: now[0])
    with caplog.at_level(logging.INFO, logger="covenant.worker"):
        result = loop.run_once()
    assert result is not None
    assert result.problems == ()  # matching nothing is no failed read
    # typo's and typos' total queries match nothing: the reason evaluate gives, per series
    assert [u.line for u in result.unmatched] == [f"typo: {TYPO_3H}", f"typos: {TYPO_3H}"]
    logged = [r.getMessage() for r in caplog.records if r.name == "covenant.worker"]
    assert logged == [f"worker: typo: {TYPO_3H}", f"worker: typos: {TYPO_3H}"]
    caplog.clear()
    now[0] += timedelta(minutes=1)
    with caplog.at_level(logging.INFO, logger="covenant.worker"):
        nxt = loop.run_once()
    assert nxt is not None
    assert len(nxt.unmatched) == 2  # still matching nothing (the range grew a minute) ...
    assert not [r for r in caplog.records if r.name == "covenant.worker"]  # ... said once

    # /metrics: the source's latest successful read is the tick's instant; no failed read
    got = parsed(SharedMetrics().page(engine, workspace=lambda: workspace, now=now[0]))
    success = ("covenant_source_last_success_timestamp_seconds", (("source", "prom"),))
    assert got[success] == now[0].timestamp()
    zeros = dict.fromkeys(every_read_error_code(), 0)  # every code from the start
    assert read_errors(got) == zeros
    assert {dict(k[1])["outcome"]: v for k, v in got.items() if "ticks_total" in k[0]} == {
        "ok": 2,
        "problems": 0,
        "failed": 0,
    }

    # the API and the sources page name the queries that match nothing
    token = create_token(
        engine, role="viewer", customer=None, expires_at=EXPIRES, at=LATER, customers=()
    ).text
    client = Client(create_app(settings, clock=lambda: now[0]))
    answer = client.get("/api/v1/data-sources/prom", token)
    assert answer.status_code == 200, answer.text
    source = answer.json()
    assert source["unmatched"] == {"good": 1, "bad": 0, "total": 2}  # as /metrics counts them
    rows = {row["series"]: row for row in source["series"]}
    assert rows["typo"]["unmatched"] == [{"query": "total", "selector": TYPO, "since": SINCE}]
    assert rows["typos"]["unmatched"] == [
        {"query": "good", "selector": 'http_requets_total{job="api",code="200"}', "since": SINCE},
        {"query": "total", "selector": TYPO, "since": SINCE},
    ]
    assert rows["api"]["unmatched"] == []
    assert rows["typo"]["state"] == "read"  # read: Prometheus answered, with nothing
    # the worker's status names them too (read from the store: any process answers so)
    worker = client.get("/api/v1/worker", token).json()
    slos = {name: rows[name]["slos"] for name in ("typo", "typos")}
    assert worker["unmatched"] == [
        {"source": "prom", "series": "typo", "slos": slos["typo"], **rows["typo"]["unmatched"][0]},
        *(
            {"source": "prom", "series": "typos", "slos": slos["typos"], **u}
            for u in rows["typos"]["unmatched"]
        ),
    ]
    assert [u["query"] for u in worker["unmatched"]] == ["total", "good", "total"]
    # per query, as many as /metrics counts
    unmatched = {
        dict(k[1])["query"]: v for k, v in got.items() if k[0] == "covenant_source_series_unmatched"
    }
    assert unmatched == {"good": 1, "total": 2}
    browser = Browser(client.app)
    assert browser.sign_in_token(token).status_code == 303
    html = browser.get("/ui/sources").text
    assert "5 series: 5 read, <strong>0 failing</strong>, 0 never read; " in html
    assert "<strong>2 match no series</strong>" in html
    typo = TYPO.replace('"', "&#34;")
    assert f"total query <code>{typo}</code> matched no series since {SINCE}" in html
    (said,) = re.findall(r'<p id="worker-unmatched">(.*?)</p>', html, re.S)  # the worker's part
    assert re.sub(r"<[^>]+>", "", said) == (
        "3 queries matched no series in their newest read (a misspelt metric or label? the "
        "worker logs each once; their SLOs show no data naming it): typo (total, prom), "
        "typos (good, prom), typos (total, prom)."
    )
    assert '<a href="#source-prom">typo</a>' in said
    assert '<h2 id="source-prom">prom</h2>' in html

    # Prometheus goes away: the next tick's reads fail, one per series, and the instant of
    # the source's latest successful read stays
    server.stop()
    before = now[0]
    now[0] += timedelta(minutes=1)
    failed = loop.run_once()
    assert failed is not None
    assert len(failed.problems) == 5
    got = parsed(SharedMetrics().page(engine, workspace=lambda: workspace, now=now[0]))
    assert got[success] == before.timestamp()
    assert read_errors(got) == zeros | {"source-unreachable": 5}
    # /api/v1/worker and the sources page of a process without a worker: the store's ticks
    worker = client.get("/api/v1/worker", token).json()
    assert worker["running"] is False
    store = worker["store"]
    assert store["ticks"] == {"ok": 2, "problems": 1, "failed": 0}
    assert (store["last_tick_at"], store["last_success_at"]) == (
        "2026-09-21T03:04:00Z",
        "2026-09-21T03:04:00Z",  # completed, with problems
    )
    took = store["last_tick_seconds"]
    html = browser.get("/ui/sources").text
    assert (
        "2 ticks ok, <strong>1 with problems</strong>, 0 failed; the latest at "
        f"2026-09-21T03:04:00Z took {took:.1f} s, the latest completed at 2026-09-21T03:04:00Z."
    ) in html
    engine.dispose()
