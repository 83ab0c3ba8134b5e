"""``/metrics`` counts the incident records open now per agreement commitment
(``covenant_open_incidents``) and the series set aside because their SLI's query changed, per
DataSource and SLO (``covenant_source_series_set_aside`` and ``…_days``) — on the page a scrape
evaluates and on the one a worker's tick publishes.

Incidents (counted by hand from the records below): an incident is open at the scrape when it
started at or before it and has not ended by it; it counts toward a commitment when it is on
one of the commitment's services and for the agreement's customer (or for every customer).

Set aside: a real Prometheus back-filled with eight hours of ``http_requests_total`` for job
``api`` on 2026-09-21 (``tests/services/test_worker_first_read``), read by SLOs ``api`` and
``brief``; then ``api``'s good query changes, and its series read with the old one — one series,
holding one UTC day — is set aside.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from covenant.api.app import create_app
from covenant.config import Settings, sqlite_url
from covenant.core.agreements import Incident
from covenant.definitions.workspace import load_workspace
from covenant.services.metrics import publish_tick
from covenant.services.record_changes import create_incident
from covenant.services.store import open_store
from covenant.services.tokens import create_token
from covenant.services.worker import Worker
from tests.api.support import EXPIRES, Client
from tests.promserver import Server, openmetrics_text, request_counters
from tests.services.test_prometheus_no_series import SLO
from tests.services.test_worker_first_read import NOW, START, _api

OPEN = "covenant_open_incidents"
ASIDE = "covenant_source_series_set_aside"
ASIDE_DAYS = "covenant_source_series_set_aside_days"

AGREEMENTS = """\
apiVersion: covenant/v1
kind: Customer
metadata: {name: acme}
spec: {currency: EUR}
---
apiVersion: covenant/v1
kind: Customer
metadata: {name: globex}
spec: {currency: EUR}
---
apiVersion: covenant/v1
kind: Agreement
metadata: {name: acme-sla}
spec:
  customer: acme
  versions:
    - version: 1
      status: active
      effectiveFrom: 2026-01-01
      fees: {api: "1000.00", web: "500.00"}
      period: {unit: month, timeZone: UTC}
      signatories: [{name: A, signedAt: 2025-12-01}]
      availability:
        - {name: api-uptime, services: [api], level: 99.9, measurement: {source: incidents}}
        - {name: web-uptime, services: [web], level: 99.5, measurement: {source: incidents}}
---
apiVersion: covenant/v1
kind: Agreement
metadata: {name: globex-sla}
spec:
  customer: globex
  versions:
    - version: 1
      status: active
      effectiveFrom: 2026-01-01
      fees: {api: "2000.00"}
      period: {unit: month, timeZone: UTC}
      signatories: [{name: G, signedAt: 2025-12-01}]
      availability:
        - {name: api-uptime, services: [api], level: 99.9, measurement: {source: incidents}}
"""


def _incidents() -> list[Incident]:
    hour = timedelta(hours=1)
    return [
        Incident(id="I1", services=("api",), start=NOW - hour, end=None),  # every customer
        Incident(
            id="I2", services=("api", "web"), start=NOW - 2 * hour, end=None, customers=("acme",)
        ),
        Incident(id="I3", services=("api",), start=NOW - 3 * hour, end=NOW - hour),  # ended
        Incident(
            id="I4", services=("web",), start=NOW - hour, end=None, customers=("globex",)
        ),  # globex has no web commitment
        Incident(id="I5", services=("api",), start=NOW + hour, end=None),  # not begun
        Incident(id="I6", services=("web",), start=NOW - hour, end=NOW + hour),  # ends later
        Incident(id="I7", services=("api",), start=NOW - hour, end=NOW),  # ended at the scrape
    ]


EXPECTED_OPEN = {  # (agreement, customer, commitment) → open incidents, by hand
    ("acme-sla", "acme", "api-uptime"): 2.0,  # I1, I2
    ("acme-sla", "acme", "web-uptime"): 2.0,  # I2, I6
    ("globex-sla", "globex", "api-uptime"): 1.0,  # I1
}


def _samples(client: Client, token: str, name: str) -> dict[tuple[str, ...], float]:
    answer = client.get("/metrics", token)
    assert answer.status_code == 200, answer.text
    found: dict[tuple[str, ...], float] = {}
    for family in text_string_to_metric_families(answer.text):
        for s in family.samples:
            if s.name == name:
                found[tuple(v for _, v in sorted(s.labels.items()))] = s.value
    return found


def test_open_incidents_per_agreement_commitment(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "agreements.yaml").write_text(AGREEMENTS)
    settings = Settings(workspace=ws, database_url=sqlite_url(ws))
    engine = open_store(settings.database_url)
    for incident in _incidents():
        create_incident(engine, incident=incident, customers=["acme", "globex"], at=NOW)
    token = create_token(
        engine, role="viewer", customer=None, expires_at=EXPIRES, at=NOW, customers=()
    ).text
    client = Client(create_app(settings, clock=lambda: NOW))
    # labels sorted by name: agreement, commitment, customer
    expected = {(a, c, cu): n for (a, cu, c), n in EXPECTED_OPEN.items()}
    assert _samples(client, token, OPEN) == expected  # evaluated at the scrape
    workspace = load_workspace(ws)
    result = Worker(engine).tick(workspace, NOW)
    publish_tick(engine, result, workspace=workspace, published_at=NOW)
    assert _samples(client, token, OPEN) == expected  # the tick's page


def _slos(folder: Path, url: str, *, code: str) -> None:
    """SLOs ``api`` (its good query matching ``code``) and ``brief``."""
    docs = [
        "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: prom}\n"
        f'spec:\n  type: Prometheus\n  connectionDetails: {{url: "{url}"}}\n'
    ]
    for name, match in (("api", code), ("brief", 'code="200"')):
        slo = SLO.replace("NAME", name).replace("JOB", "api").replace('code="200"', match)
        docs.append(
            slo.replace("GOOD", "http_requests_total").replace("TOTAL", "http_requests_total")
        )
    (folder / "slos.yaml").write_text("".join(docs))


def test_series_set_aside_per_source_and_slo(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    server = prometheus(
        openmetrics=openmetrics_text(
            request_counters("api", START, 8 * 60, _api, ("200", "500")),
            counters=["http_requests"],
        )
    )
    ws = tmp_path / "ws"
    ws.mkdir()
    _slos(ws, server.url, code='code="200"')
    settings = Settings(workspace=ws, database_url=sqlite_url(ws))
    engine = open_store(settings.database_url)
    token = create_token(
        engine, role="viewer", customer=None, expires_at=EXPIRES, at=NOW, customers=()
    ).text
    client = Client(create_app(settings, clock=lambda: NOW))
    worker = Worker(engine, first_reads=2)
    worker.tick(load_workspace(ws), NOW)
    # nothing set aside yet: a sample per SLO the source fills, 0
    assert _samples(client, token, ASIDE) == {("api", "prom"): 0.0, ("brief", "prom"): 0.0}
    # api's good query changes (the same requests, matched by a regular expression): its
    # series read with the old query is set aside
    _slos(ws, server.url, code='code=~"200"')
    workspace = load_workspace(ws)
    result = worker.tick(workspace, NOW)
    expected = {("api", "prom"): 1.0, ("brief", "prom"): 0.0}
    assert _samples(client, token, ASIDE) == expected
    assert _samples(client, token, ASIDE_DAYS) == {("api", "prom"): 1.0, ("brief", "prom"): 0.0}
    publish_tick(engine, result, workspace=workspace, published_at=NOW)
    assert _samples(client, token, ASIDE) == expected  # the tick's page
