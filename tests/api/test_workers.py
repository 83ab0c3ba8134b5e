"""`covenant serve --workers 2`: two server processes on one port. Both answer (the kernel
spreads new connections over them), exactly one runs the worker's tick, a commit made through
one process shows in the very next answer of the other (each keeps answers in memory only
while nothing was committed), SIGTERM stops both with exit status 0, and a worker process
whose supervisor was killed stops by itself.

Each request goes on a new connection (a new source port), so the requests are spread over
both processes; /readyz says which process answered (``pid``)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.support import AT, Shop, make_shop
from tests.ports import free_port

V1 = "/api/v1"
SLO = "checkout-availability"
COVENANT = str(Path(sys.executable).with_name("covenant"))
WAIT_S = 120  # how long a start may take on a loaded machine (a wait, not a check)
ASKS = 40  # requests on new connections: both processes answer some (2 × 2⁻⁴⁰ that one not)


def fresh_get(port: int, path: str, token: str | None = None) -> httpx.Response:
    """GET on a connection of its own."""
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        return client.get(path, headers=headers)


def gone(pid: int) -> bool:
    """The process ended (a zombie nobody reaped counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in {"Z", "X"}


def start(shop: Shop, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "COVENANT_NOW": AT.isoformat().replace("+00:00", "Z")}
    command = [COVENANT, "serve", "-w", str(shop.workspace), "--port", str(port)]
    with log.open("wb") as sink:
        return subprocess.Popen(
            [*command, "--workers", "2", "--no-catch-up"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )


def readiness(port: int, process: subprocess.Popen[bytes], log: Path) -> dict[int, Any]:
    """The /readyz bodies by process, once both processes answered and one of them leads."""
    deadline = time.monotonic() + WAIT_S
    while True:
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"not ready in {WAIT_S} s:\n{log.read_text()}"
        seen: dict[int, Any] = {}
        try:
            for _ in range(ASKS):
                body = fresh_get(port, "/readyz").json()
                seen[body["pid"]] = body
        except httpx.TransportError:
            time.sleep(0.2)
            continue
        leading = [pid for pid, body in seen.items() if body["worker"]["leading"]]
        if len(seen) == 2 and leading:
            return seen
        time.sleep(0.5)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Shop, int, subprocess.Popen[bytes], Path]]:
    shop = make_shop(tmp_path)
    port, log = free_port(), tmp_path / "serve.log"
    process = start(shop, port, log)
    try:
        yield shop, port, process, log
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def counted(port: int, token: str) -> int:
    answer = fresh_get(port, f"{V1}/evaluations/{SLO}", token)
    assert answer.status_code == 200, answer.text
    (result,) = answer.json()["results"]
    return int(result["total"])


def test_two_processes_answer_one_ticks_and_every_commit_shows_in_both(
    served: tuple[Shop, int, subprocess.Popen[bytes], Path],
) -> None:
    shop, port, process, log = served
    seen = readiness(port, process, log)
    assert len(seen) == 2
    assert os.getpid() not in seen
    # exactly one process leads the worker (the leadership lock beside the SQLite store)
    assert sum(1 for body in seen.values() if body["worker"]["leading"]) == 1

    viewer, editor = shop.tokens["viewer"], shop.tokens["editor"]
    before = {counted(port, viewer) for _ in range(ASKS)}  # kept in memory by both
    assert len(before) == 1
    stamp = (AT - timedelta(minutes=30)).isoformat().replace("+00:00", "Z")
    rows = [
        {"timestamp": stamp, "service": "checkout", "status": s, "latency_ms": 50}
        for s in (200, 503, 500)
    ]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        put = client.put(
            f"{V1}/event-batches/workers-test",
            json={"events": rows},
            headers={"Authorization": f"Bearer {editor}"},
        )
    assert put.status_code == 201, put.text
    assert put.json()["accepted"] == 3, put.text
    after = {counted(port, viewer) for _ in range(ASKS)}
    assert after == {before.pop() + 3}  # in every answer, whichever process gave it

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=90) == 0, log.read_text()
    assert all(gone(pid) for pid in seen)


def test_the_worker_processes_stop_when_the_supervisor_is_killed(
    served: tuple[Shop, int, subprocess.Popen[bytes], Path],
) -> None:
    _, port, process, log = served
    seen = readiness(port, process, log)
    process.kill()
    process.wait()
    deadline = time.monotonic() + WAIT_S  # they notice within a second; a wait, not a check
    while not all(gone(pid) for pid in seen):
        assert time.monotonic() < deadline, f"still running: {seen.keys()}"
        time.sleep(0.2)


def test_a_taken_port_is_refused(tmp_path: Path) -> None:
    shop = make_shop(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        log = tmp_path / "serve.log"
        process = start(shop, port, log)
        assert process.wait(timeout=WAIT_S) == 1, log.read_text()
    said = " ".join(log.read_text().split())
    assert f"cannot listen on 127.0.0.1:{port}: the address is in use" in said
    assert "serve-start-failed" in said


def test_a_dead_worker_process_is_replaced(
    served: tuple[Shop, int, subprocess.Popen[bytes], Path],
) -> None:
    _, port, process, log = served
    first = readiness(port, process, log)
    victim = min(first)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + WAIT_S  # a wait for the replacement, not a timing check
    while True:
        assert time.monotonic() < deadline, f"not replaced:\n{log.read_text()}"
        now = readiness(port, process, log)
        if victim not in now:
            break
        time.sleep(0.5)
    assert len(now) == 2
    assert set(now) - set(first)  # a new process answers beside the survivor
    assert "ended" in log.read_text()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=90) == 0, log.read_text()
