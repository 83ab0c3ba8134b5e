"""A window's data starts where the source was read and answered, not at its first event.

A real Prometheus back-filled with eight hours of ``http_requests_total`` (jobs ``night`` and
``dusk``), 2026-09-21T00:00Z … 08:00Z, scraped every minute from 00:00Z on. ``night`` is a
quiet service: its counters are there from the first scrape but count no request before
03:00Z (minutes 1 … 180), then some every minute. ``dusk`` is read with a ``{{.window}}``
query (``query_range`` points, not samples), the same counters. The source answered for every
minute from 00:00Z: the window's data is from 00:00Z — ``8 × 60 + 2`` of the 1-day window's
``24 × 60`` minutes at 08:02Z, as for a service with traffic from the start
(``test_worker_first_read``) — not from 03:00Z, its first minute with events
(``5 × 60 + 2`` minutes), which would overstate what is missing. Minutes before 00:00Z the
server has no sample for are not answered: the window still starts before the data.

A series of events ingested from files has no reads: its data is from its first event.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from covenant.core.results import Status
from covenant.core.timeutil import from_epoch
from covenant.definitions.workspace import load_workspace
from covenant.services.evaluate import evaluate_workspace
from covenant.services.store import open_store
from covenant.services.worker import Worker
from covenant.store.source_state import answered_from
from tests.promserver import Server, openmetrics_text, request_counters
from tests.services.test_prometheus_no_series import SLO
from tests.services.test_worker_first_read import MINUTES, NOW, START

QUIET = 180  # minutes without requests at the start


def _night(m: int, code: str) -> int:
    if m <= QUIET:
        return 0
    return (m % 5) + 1 if code == "200" else (1 if m % 9 == 0 else 0)


WINDOW_QUERY = 'sum(increase(http_requests_total{job="JOB"CODE}[{{.window}}]))'


def _workspace(folder: Path, url: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    docs = [
        "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: prom}\n"
        f'spec:\n  type: Prometheus\n  connectionDetails: {{url: "{url}"}}\n'
    ]
    night = SLO.replace("NAME", "night").replace("JOB", "night")
    docs.append(
        night.replace("GOOD", "http_requests_total").replace("TOTAL", "http_requests_total")
    )
    dusk = SLO.replace("NAME", "dusk")
    good = WINDOW_QUERY.replace("JOB", "dusk").replace("CODE", ',code="200"')
    total = WINDOW_QUERY.replace("JOB", "dusk").replace("CODE", "")
    dusk = dusk.replace('\'GOOD{job="JOB",code="200"}\'', f"'{good}'")
    dusk = dusk.replace("'sum(TOTAL{job=\"JOB\"})'", f"'{total}'")
    assert "JOB" not in dusk, dusk
    docs.append(dusk)
    (folder / "slos.yaml").write_text("".join(docs))
    return folder


def test_a_quiet_start_read_from_the_source_counts_as_covered(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    samples = request_counters("night", START, MINUTES, _night, ("200", "500"))
    samples += request_counters("dusk", START, MINUTES, _night, ("200", "500"))
    server = prometheus(openmetrics=openmetrics_text(samples, counters=["http_requests"]))
    workspace = load_workspace(_workspace(tmp_path / "ws", server.url))
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    result = Worker(engine).tick(workspace, NOW)
    assert result.problems == ()
    total = sum(_night(m, c) for m in range(1, MINUTES + 1) for c in ("200", "500"))
    note = f"data from 2026-09-21T00:00:00Z only ({8 * 60 + 2:,} of the window's {1440:,} minutes)"
    worker = {e.objective.slo: (e.total, e.coverage_note) for e in result.report.evaluations}
    assert worker == {"night": (total, note), "dusk": (total, note)}
    report = evaluate_workspace(engine, workspace=workspace, at=NOW, now=NOW)
    assert {e.objective.slo: e.data_from for e in report.evaluations} == {
        "night": from_epoch(START),
        "dusk": from_epoch(START),
    }
    assert all(e.status is not Status.NO_DATA for e in report.evaluations)
    with engine.connect() as conn:
        assert answered_from(conn, keys=["night", "dusk", "other"]) == {
            "night": START,
            "dusk": START,
        }
