"""`/metrics` scraped by a real Prometheus from a running `covenant serve`: the scrape config
sends a staff token (a job without one is refused), the SLI Prometheus stores equals the
ratio counted here from the events the test sent, the ticket timers of a ticket the test
opened are counted in the state its age gives them, and of the two incidents it recorded the
open one is counted on its agreement's commitment."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.served import Served, editor_token, make_workspace, store_url
from tests.promserver import Server

SLO = 'sloth_slo="api-availability"'
SUPPORT = """\
apiVersion: covenant/v1
kind: Customer
metadata: {name: acme}
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
      fees: {api: "1000.00"}
      period: {unit: month, timeZone: UTC}
      signatories: [{name: A, signedAt: 2025-12-01}]
      availability:
        - {name: api-uptime, services: [api], level: 99.9, measurement: {source: incidents}}
      support:
        - name: desk
          targets:
            P1: {firstResponse: 1m, resolution: 1d}
"""
TIMERS = 'covenant_ticket_timers{agreement="acme-sla",priority="P1"'


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Served, str]]:
    workspace = make_workspace(tmp_path)
    (workspace / "support.yaml").write_text(SUPPORT)
    url = store_url(workspace, None)
    token = editor_token(url)
    server = Served(workspace=workspace, database_url=url, log=tmp_path / "serve.log")
    server.start()
    try:
        server.wait_ready()
        yield server, token
    finally:
        server.close()


def events(rng: random.Random, now: int) -> tuple[list[dict[str, Any]], int, int, int]:
    """Two hours of events ending ten minutes ago, how many are good (status < 500), and the
    first one's epoch second."""
    rows: list[dict[str, Any]] = []
    good = 0
    first = now
    for _ in range(3000):
        at = now - 600 - rng.randrange(7200)
        first = min(first, at)
        status = rng.choice((200, 200, 200, 201, 204, 404, 429, 500, 503))
        good += status < 500
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))
        rows.append({"timestamp": stamp, "service": "api", "status": status})
    return rows, good, len(rows), first


def sample(prom: Server, expr: str) -> list[dict[str, Any]]:
    return prom.query(expr, int(time.time()))


def wait_for(found: Callable[[], list[dict[str, Any]]], what: str) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 120  # only ends a broken test; nothing asserts how long
    while not (result := found()):
        assert time.monotonic() < deadline, f"not scraped: {what}"
        time.sleep(0.5)
    return result


def test_prometheus_scrapes_the_sli_counted_from_the_events(
    served: tuple[Served, str], prometheus: Callable[..., Server]
) -> None:
    server, token = served
    rows, good, total, first = events(random.Random(9), int(time.time()))
    answer = httpx.put(
        f"{server.base}/api/v1/event-batches/scrape-1",
        json={"events": rows},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    assert answer.status_code == 201, answer.text
    # a P1 ticket opened 2 minutes ago, unanswered: its 1-minute first response is breached,
    # its 1-day resolution runs (in this month's period: past its first 3 minutes)
    now = datetime.now(UTC)
    month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    time.sleep(max((month + timedelta(minutes=3) - now).total_seconds(), 0))  # seldom waits
    created = (datetime.now(UTC) - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    ticket = {"id": "SCRAPE-1", "customer": "acme", "priority": "P1", "created": created}
    answer = httpx.post(
        f"{server.base}/api/v1/tickets",
        json=ticket,
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    assert answer.status_code == 201, answer.text
    # an incident on the api, open since 5 minutes ago, and one that ended: one is open
    for incident, ended in (("INC-OPEN", None), ("INC-DONE", datetime.now(UTC))):
        since = datetime.now(UTC) - timedelta(minutes=5)
        answer = httpx.post(
            f"{server.base}/api/v1/incidents",
            json={
                "id": incident,
                "services": ["api"],
                "start": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "end": None if ended is None else ended.strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        assert answer.status_code == 201, answer.text
    target = server.base.removeprefix("http://")
    job = {"scrape_interval": "5s", "scrape_timeout": "5s", "metrics_path": "/metrics"}
    prom = prometheus(
        scrape_configs=[
            {
                **job,
                "job_name": "covenant",
                "static_configs": [{"targets": [target]}],
                "authorization": {"credentials": token},
            },
            {**job, "job_name": "anonymous", "static_configs": [{"targets": [target]}]},
        ]
    )
    (sli,) = wait_for(lambda: sample(prom, f"covenant_slo_sli_ratio{{{SLO}}}"), "the SLI")
    assert float(sli["value"][1]) == float(Fraction(good, total))
    assert sli["metric"]["job"] == "covenant"
    (events_in_window,) = sample(prom, f"covenant_slo_window_events{{{SLO}}}")
    assert int(events_in_window["value"][1]) == total
    (good_in_window,) = sample(prom, f"covenant_slo_window_good_events{{{SLO}}}")
    assert int(good_in_window["value"][1]) == good
    # the 30-day window starts weeks before the first event: its data is from that minute on
    (data_from,) = sample(prom, f"covenant_slo_window_data_from_timestamp_seconds{{{SLO}}}")
    assert float(data_from["value"][1]) == first // 60 * 60
    (window,) = sample(prom, f"covenant_slo_window_minutes{{{SLO}}}")
    assert float(window["value"][1]) == 30 * 24 * 60
    (share,) = sample(prom, f"covenant_slo_window_coverage_ratio{{{SLO}}}")
    assert 0 < float(share["value"][1]) < 3 * 60 / (30 * 24 * 60)  # about two hours of 30 days
    (breached,) = wait_for(
        lambda: sample(prom, f'{TIMERS},timer="first-response",state="breached"}} == 1'),
        "the breached first-response timer",
    )
    assert breached["metric"]["customer"] == "acme"
    assert breached["metric"]["commitment"] == "desk"
    (running,) = sample(prom, f'{TIMERS},timer="resolution",state="running"}}')
    assert running["value"][1] == "1"
    states = sample(prom, f'{TIMERS},timer="first-response"}}')
    assert sorted(float(s["value"][1]) for s in states) == [0, 0, 0, 0, 0, 1]  # one timer
    (incidents,) = wait_for(
        lambda: sample(prom, 'covenant_open_incidents{agreement="acme-sla"}'), "open incidents"
    )
    assert incidents["metric"]["commitment"] == "api-uptime"
    assert incidents["metric"]["customer"] == "acme"
    assert incidents["value"][1] == "1"
    (up,) = wait_for(lambda: sample(prom, 'up{job="anonymous"}'), "the anonymous job")
    assert up["value"][1] == "0"  # /metrics is for staff tokens only
    (up,) = sample(prom, 'up{job="covenant"}')
    assert up["value"][1] == "1"
