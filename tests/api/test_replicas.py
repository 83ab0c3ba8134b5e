"""Three `covenant serve` processes on one PostgreSQL store: exactly one leads the worker; kill
it with SIGKILL and another takes over; an alert already announced is not announced again.

Each server is a real process on a free loopback port with the wall clock pinned
(``COVENANT_NOW``), so every tick evaluates the same instant. The worker hands its notices to
its default ``notify``, which logs one line per notice ("alert firing KEY …") on the server's
stderr: counting those lines over the three servers counts what was sent.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from covenant.services.store import open_store
from covenant.store.alert_states import load_alert_states
from tests.checkout import CHECKOUT_SLO
from tests.checkout import put as put_checkout
from tests.ports import free_port
from tests.stores import postgres_schemas

AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
WAIT_S = 120  # how long a start or a takeover may take on a loaded machine (a wait, not a check)
WORKSPACE = (
    """\
apiVersion: openslo/v1
kind: Service
metadata: {name: shop}
spec: {}
---
"""
    + CHECKOUT_SLO
)
# 170 clean minutes of 100 requests, then 10 minutes with 50 of 100 failing, up to AT: 500 bad
# requests against a 0.1 % budget. Burn rates (bad / total / 0.001): last 5 min 250/500 → 500;
# last hour 500/6,000 → 83.3; last 6 h and 1 d (3 h of data) 500/18,000 → 27.8. Against the
# default tiers (14.4 over 1 h and 5 min, 6 over 6 h and 30 min, 3 over 1 d and 2 h, 1 over
# 3 d and 6 h; every short window here is inside the bad 10 minutes or holds all of them)
# all four fire.
FIRING = {
    f"burn-rate/checkout-availability/{tier}"
    for tier in ("page-fast", "page-slow", "ticket-fast", "ticket-slow")
}
COVENANT = str(Path(sys.executable).with_name("covenant"))  # the installed entry point
NOTICE = re.compile(r"alert (firing|resolved) (\S+)")


def put(url: str, start: datetime, minutes: int, *, bad: int) -> None:
    engine = open_store(url)
    put_checkout(engine, start, minutes, bad=bad)
    engine.dispose()


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def status(self) -> dict[str, object] | None:
        """The /readyz body, or None while it does not answer (starting, or killed)."""
        try:
            answer = httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=5)
        except httpx.HTTPError:
            return None
        return answer.json() if answer.status_code == 200 else None

    def worker(self) -> dict[str, object]:
        """The worker part of /readyz ({} while the server does not answer)."""
        status = self.status() or {}
        worker = status.get("worker")
        return worker if isinstance(worker, dict) else {}

    def notices(self) -> list[tuple[str, str]]:
        return NOTICE.findall(self.log.read_text(errors="replace"))


@dataclass
class Replicas:
    url: str  # the store they share
    servers: list[Server]


@pytest.fixture
def replicas(postgres_url: str, tmp_path: Path) -> Iterator[Replicas]:
    workspace = tmp_path / "shop"
    workspace.mkdir()
    (workspace / "slos.yaml").write_text(WORKSPACE)
    with postgres_schemas(postgres_url, prefix="r") as (url,):
        put(url, AT - timedelta(hours=3), 170, bad=0)
        put(url, AT - timedelta(minutes=10), 10, bad=50)
        env = {
            **os.environ,
            "COVENANT_DATABASE_URL": url,
            "COVENANT_NOW": AT.isoformat().replace("+00:00", "Z"),
        }
        started: list[Server] = []
        try:
            for n in range(3):
                port = free_port()
                log = tmp_path / f"server-{n}.log"
                with log.open("wb") as sink:
                    process = subprocess.Popen(
                        [COVENANT, "serve", "-w", str(workspace), "--port", str(port)],
                        env=env,
                        stdout=sink,
                        stderr=subprocess.STDOUT,
                    )
                started.append(Server(port, process, log))
            yield Replicas(url, started)
        finally:
            for server in started:
                if server.process.poll() is None:
                    server.process.send_signal(signal.SIGTERM)
            for server in started:
                try:
                    server.process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    server.process.kill()
                    server.process.wait()


def wait_for_leader(servers: list[Server]) -> Server:
    """Poll /readyz until a server leads and has ticked; never two leaders at once."""
    deadline = time.monotonic() + WAIT_S
    while True:
        workers = [s.worker() for s in servers]
        leading = [s for s, w in zip(servers, workers, strict=True) if w.get("leading")]
        assert len(leading) <= 1, workers  # one worker at a time
        if leading and int(str(leading[0].worker().get("ticks", 0))) >= 1:
            return leading[0]
        assert time.monotonic() < deadline, f"no leader ticked within {WAIT_S} s: {workers}"
        time.sleep(0.5)


def answering(server: Server) -> dict[str, object]:
    """The worker part of /readyz once the server answers (a slow start or a slow answer on a
    loaded machine is waited for, up to WAIT_S)."""
    deadline = time.monotonic() + WAIT_S
    while not (worker := server.worker()):
        assert time.monotonic() < deadline, f"server on port {server.port} never answered"
        time.sleep(0.5)
    return worker


def sent(servers: list[Server]) -> Counter[tuple[str, str]]:
    return Counter(n for s in servers for n in s.notices())


@pytest.mark.postgres
def test_three_servers_one_leader_kill_it_another_takes_over(replicas: Replicas) -> None:
    servers = replicas.servers
    first = wait_for_leader(servers)
    followers = [s for s in servers if s is not first]
    for s in followers:  # both others are up and following
        assert answering(s) == {"leading": False, "ticks": 0}
    assert sent(servers) == Counter({("firing", key): 1 for key in FIRING})

    first.process.send_signal(signal.SIGKILL)  # no chance to release anything
    first.process.wait(timeout=60)
    second = wait_for_leader(followers)
    assert second in followers
    third = next(s for s in followers if s is not second)
    assert answering(third) == {"leading": False, "ticks": 0}

    # the new leader ticked the same instant from the stored state: nothing announced again
    assert sent(servers) == Counter({("firing", key): 1 for key in FIRING})
    engine = open_store(replicas.url)
    with engine.connect() as conn:
        states = load_alert_states(conn)
    engine.dispose()
    assert {k for k, r in states.items() if r.phase.value == "firing"} == FIRING
