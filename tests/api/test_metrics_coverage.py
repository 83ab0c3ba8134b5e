"""``/metrics`` says how much of each SLO window the stored data covers, as the other surfaces do.

A real Prometheus back-filled with eight hours of ``http_requests_total`` for job ``api``, from
2026-09-21T00:00Z to 08:00Z (``tests/services/test_worker_first_read``). Three SLOs read it at
08:02Z: ``api`` (a rolling 1-day window), ``brief`` (a rolling 4-hour window over the same job)
and ``quiet`` (a 1-day window, never read: the worker's tick reads two never-read SLIs).

Counted by hand: ``api``'s window is 00:02Z (the day before) … 08:02Z, 1,440 minutes, of which
the data covers 00:00Z … 08:02Z, 482 minutes; ``brief``'s is 04:02Z … 08:02Z, 240 minutes, all
covered (data from the window's start); ``quiet``'s holds no events: no sample (neither 0 nor
1) of the coverage families, while its window length is still there.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from covenant.api.app import create_app
from covenant.config import Settings, sqlite_url
from covenant.core.results import Status
from covenant.definitions.workspace import load_workspace
from covenant.services.metrics import publish_tick
from covenant.services.store import open_store
from covenant.services.tokens import create_token
from covenant.services.worker import Worker
from tests.api.support import EXPIRES, Client
from tests.promserver import Server, openmetrics_text, request_counters
from tests.services.test_prometheus_no_series import SLO
from tests.services.test_worker_first_read import NOW, START, _api

HOUR = 3600
FROM = "covenant_slo_window_data_from_timestamp_seconds"
COVERED = "covenant_slo_window_covered_minutes"
WHOLE = "covenant_slo_window_minutes"
RATIO = "covenant_slo_window_coverage_ratio"
COVERAGE = (FROM, COVERED, RATIO)


def _workspace(folder: Path, url: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    docs = [
        "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: prom}\n"
        f'spec:\n  type: Prometheus\n  connectionDetails: {{url: "{url}"}}\n'
    ]
    for name, job, window in (("api", "api", "1d"), ("brief", "api", "4h"), ("quiet", "q", "1d")):
        slo = SLO.replace("NAME", name).replace("JOB", job).replace("1d", window)
        docs.append(
            slo.replace("GOOD", "http_requests_total").replace("TOTAL", "http_requests_total")
        )
    (folder / "slos.yaml").write_text("".join(docs))
    return folder


def _scrape(client: Client, token: str) -> tuple[dict[tuple[str, str], float], dict[str, str]]:
    answer = client.get("/metrics", token)
    assert answer.status_code == 200, answer.text
    found: dict[tuple[str, str], float] = {}
    helps: dict[str, str] = {}
    for family in text_string_to_metric_families(answer.text):
        helps[family.name] = family.documentation
        for s in family.samples:
            if s.name in (*COVERAGE, WHOLE):
                assert set(s.labels) == {"objective", "sloth_id", "sloth_service", "sloth_slo"}
                found[(s.name, s.labels["objective"])] = s.value
    return found, helps


def _expected() -> dict[tuple[str, str], float]:
    api, brief = "api", "brief"
    return {
        (FROM, api): float(START),
        (COVERED, api): 8 * 60 + 2.0,
        (WHOLE, api): 24 * 60.0,
        (RATIO, api): 482 / 1440,
        (FROM, brief): NOW.timestamp() - 4 * HOUR,  # the window's start: all of it covered
        (COVERED, brief): 240.0,
        (WHOLE, brief): 240.0,
        (RATIO, brief): 1.0,
        (WHOLE, "quiet"): 24 * 60.0,  # and no coverage sample: no events in its window
    }


def test_the_coverage_families_say_how_much_of_the_window_the_data_covers(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    server = prometheus(
        openmetrics=openmetrics_text(
            request_counters("api", START, 8 * 60, _api, ("200", "500")),
            counters=["http_requests"],
        )
    )
    ws = _workspace(tmp_path / "ws", server.url)
    settings = Settings(workspace=ws, database_url=sqlite_url(ws))
    engine = open_store(settings.database_url)
    workspace = load_workspace(ws)
    token = create_token(
        engine, role="viewer", customer=None, expires_at=EXPIRES, at=NOW, customers=()
    ).text
    client = Client(create_app(settings, clock=lambda: NOW))
    result = Worker(engine, first_reads=2).tick(workspace, NOW)
    assert {e.objective.slo: e.status is Status.NO_DATA for e in result.report.evaluations} == {
        "api": False,
        "brief": False,
        "quiet": True,
    }
    # no page published: the scrape evaluates the store at now
    evaluated, helps = _scrape(client, token)
    assert evaluated == _expected()
    assert "no sample when the window holds no events" in helps[FROM]
    # the worker's tick, published: the page every process serves
    publish_tick(engine, result, workspace=workspace, published_at=NOW)
    published, _ = _scrape(client, token)
    assert published == _expected()
