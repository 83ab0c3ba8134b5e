"""`covenant serve --workers 2` on SQLite and on PostgreSQL: exactly one process ticks, and
`/metrics` answers the same samples whichever process takes the scrape — the leader's tick,
published into the store, not a follower's own evaluation.

The kernel spreads new connections over the processes (SO_REUSEPORT); every request goes on a
connection of its own, and the answer says which process gave it (``/readyz``: ``pid``;
``/metrics``: the ``X-Covenant-Process`` header), so the test asks until every process answered.
The clock is pinned (``COVENANT_NOW``): every tick and every scrape is at the same instant, so the
snapshot's age is 0 in every answer and the pages can be compared sample for sample.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from covenant.config import Settings
from tests.api.support import AT, Shop, make_shop
from tests.api.test_postgres_api import copy_store
from tests.api.test_workers import ASKS, COVENANT, WAIT_S, fresh_get, gone
from tests.ports import free_port

V1 = "/api/v1"
SLO = "checkout-availability"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@dataclass
class Served:
    shop: Shop
    port: int
    process: subprocess.Popen[bytes]
    log: Path


@pytest.fixture
def served(store_url: str, tmp_path: Path) -> Iterator[Served]:
    """The demo shop on ``store_url``'s backend, served by two processes."""
    shop = make_shop(tmp_path)  # the demo writes SQLite only: copied into PostgreSQL
    if store_url.startswith("postgresql"):
        copy_store(shop.settings.database_url, store_url)
        shop = replace(shop, settings=Settings(workspace=shop.workspace, database_url=store_url))
    port, log = free_port(), tmp_path / "serve.log"
    env = {
        **os.environ,
        "COVENANT_NOW": AT.isoformat().replace("+00:00", "Z"),
        "COVENANT_DATABASE_URL": shop.settings.database_url,
    }
    command = [COVENANT, "serve", "-w", str(shop.workspace), "--port", str(port)]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*command, "--workers", "2", "--no-catch-up"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        yield Served(shop, port, process, log)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def ticked(served: Served) -> dict[int, Any]:
    """The /readyz bodies by process, once both answered and one of them led a tick (a wait)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        assert served.process.poll() is None, served.log.read_text()
        assert time.monotonic() < deadline, f"no tick in {WAIT_S} s:\n{served.log.read_text()}"
        seen: dict[int, Any] = {}
        try:
            for _ in range(ASKS):
                body = fresh_get(served.port, "/readyz").json()
                seen[body["pid"]] = body["worker"]
        except httpx.TransportError:
            time.sleep(0.2)
            continue
        if len(seen) == 2 and any(w["leading"] and w["ticks"] >= 1 for w in seen.values()):
            return seen
        time.sleep(0.5)


def samples(text: str) -> Samples:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def pages(served: Served, token: str) -> dict[int, str]:
    """One /metrics page per process (asked until both answered; a wait, not a check)."""
    found: dict[int, str] = {}
    deadline = time.monotonic() + WAIT_S
    while len(found) < 2:
        assert time.monotonic() < deadline, f"only {list(found)} answered /metrics"
        answer = fresh_get(served.port, "/metrics", token)
        assert answer.status_code == 200, answer.text
        found.setdefault(int(answer.headers["x-covenant-process"]), answer.text)
    return found


def totals(served: Served, token: str) -> set[int]:
    """The SLO's event count as ASKS answers (spread over both processes) give it."""
    seen = set()
    for _ in range(ASKS):
        answer = fresh_get(served.port, f"{V1}/evaluations/{SLO}", token)
        assert answer.status_code == 200, answer.text
        (result,) = answer.json()["results"]
        seen.add(int(result["total"]))
    return seen


def test_one_process_ticks_and_every_process_serves_its_metrics(served: Served) -> None:
    workers = ticked(served)
    leaders = [pid for pid, w in workers.items() if w["leading"]]
    assert len(leaders) == 1  # one worker on the store, SQLite's file lock or PG's advisory lock
    (follower,) = set(workers) - set(leaders)
    assert workers[follower] == {"leading": False, "ticks": 0}

    viewer = served.shop.tokens["viewer"]
    found = pages(served, viewer)
    assert set(found) == set(workers)
    parsed = {pid: samples(text) for pid, text in found.items()}
    first, second = parsed.values()
    assert first == second  # the same samples, whichever process answered
    # the leader's tick, as the follower serves it too (a page evaluated at the scrape has no
    # read-path split and no age)
    assert first[("covenant_worker_objectives", (("path", "incremental"),))] >= 1
    assert first[("covenant_metrics_snapshot_age_seconds", ())] == 0.0  # the clock is pinned
    assert first[("covenant_evaluation_timestamp_seconds", ())] == AT.timestamp()
    # the tier chances and the ticket timers are on the shared page too (the tick's)
    names = {name for name, _ in first}
    assert {"covenant_agreement_tier_probability", "covenant_ticket_timers"} <= names

    # the API answers from either process, agrees with the page, and a write through one
    # process shows in the next answer of either
    (before,) = totals(served, viewer)
    events = {v for (name, _), v in first.items() if name == "covenant_slo_window_events"}
    assert float(before) in events
    stamp = (AT - timedelta(minutes=30)).isoformat().replace("+00:00", "Z")
    rows = [
        {"timestamp": stamp, "service": "checkout", "status": s, "latency_ms": 50}
        for s in (200, 503, 500, 200)
    ]
    with httpx.Client(base_url=f"http://127.0.0.1:{served.port}", timeout=30) as client:
        put = client.put(
            f"{V1}/event-batches/shared-test",
            json={"events": rows},
            headers={"Authorization": f"Bearer {served.shop.tokens['editor']}"},
        )
    assert put.status_code == 201, put.text
    assert put.json()["accepted"] == 4, put.text
    assert totals(served, viewer) == {before + 4}

    # still one worker: the follower never ticked
    again = ticked(served)
    assert [pid for pid, w in again.items() if w["leading"]] == leaders
    assert again[follower]["ticks"] == 0

    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=90) == 0, served.log.read_text()
    assert all(gone(pid) for pid in workers)
