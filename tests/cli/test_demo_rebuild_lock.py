"""`covenant demo` rebuilds the workspace's store (deletes it, fills it again, evaluates): a
`covenant serve` started meanwhile used to start on the half-built store (its first answers
from an empty store, the rest from files deleted under it). The rebuild now holds the store's
serving lock exclusively from start to end, and a server that cannot take its shared lock
refuses to start, saying a rebuild is under way and what to do. And the demo's refusal while a
`covenant serve --workers N` runs names what one can act on: the supervisor's process id (the
one whose SIGTERM stops all its processes), its address and its command line.

Two real processes each: the demo is held mid-rebuild by reading a FIFO
(``COVENANT_TEST_DEMO_PAUSE``) that the test keeps open until the server has answered."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from covenant.services.demo import PAUSE_ENV
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
AT = "2026-10-31T09:30:00Z"
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
COVENANT = [sys.executable, "-m", "covenant"]


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    shop = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", shop, ignore=shutil.ignore_patterns(".covenant"))
    return shop


def demo_args(shop: Path) -> list[str]:
    return [*COVENANT, "demo", "-w", str(shop), "--at", AT, "--days", "2"]


def writer_of(fifo: Path, process: subprocess.Popen[str]) -> int:
    """The FIFO's write end, once the demo reads it (it then holds the lock, mid-rebuild)."""
    for _ in range(6000):
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as error:
            if error.errno != errno.ENXIO:
                raise
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)  # waiting for the demo to get there, not a timing assertion
    raise AssertionError("the demo never reached its pause")


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def servers() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for server in started:
        server.terminate()
        server.wait(timeout=60)


def serve_args(shop: Path, port: int, *more: str) -> list[str]:
    return [*COVENANT, "serve", "-w", str(shop), "--port", str(port), "--no-catch-up", *more]


def serve(shop: Path, port: int, *more: str) -> subprocess.Popen[str]:
    """A server left running (its output dropped: a pipe nobody reads would fill up)."""
    return subprocess.Popen(
        serve_args(shop, port, *more),
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def until_up(server: subprocess.Popen[str], port: int) -> None:
    for _ in range(1200):
        assert server.poll() is None, "the server stopped"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)  # waiting for it to listen, not a timing assertion
    raise AssertionError("the server never answered")


def test_a_server_started_during_a_rebuild_refuses_and_starts_after_it(
    shop: Path, tmp_path: Path, servers: list[subprocess.Popen[str]]
) -> None:
    fifo = tmp_path / "pause"
    os.mkfifo(fifo)
    demo = subprocess.Popen(
        demo_args(shop),
        env={**ENV, PAUSE_ENV: str(fifo)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    held = writer_of(fifo, demo)
    store = shop / ".covenant" / "covenant.db"
    try:
        port = free_port()
        refused = subprocess.run(
            serve_args(shop, port),
            check=False,
            env=ENV,
            capture_output=True,
            text=True,
            timeout=120,
        )
        err = refused.stderr
        said = one_line(err)
        assert refused.returncode == 1, said
        assert f"the store {store} is being rebuilt by process {demo.pid}" in said, said
        assert "a `covenant demo`" in said, said
        assert "half-built" in said, said
        assert "wait for the demo to finish" in said, said
        assert "serve-start-failed" in said, said
        assert "Traceback" not in err
        assert demo.poll() is None  # the rebuild goes on
    finally:
        os.close(held)  # the demo reads to the end and goes on
    out, err = demo.communicate(timeout=600)
    assert demo.returncode == 0, err
    assert "Covenant demo" in out
    port = free_port()
    servers.append(serve(shop, port))  # after the rebuild, it starts
    until_up(servers[0], port)


def test_a_second_demo_during_a_rebuild_refuses(shop: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pause"
    os.mkfifo(fifo)
    first = subprocess.Popen(
        demo_args(shop),
        env={**ENV, PAUSE_ENV: str(fifo)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    held = writer_of(fifo, first)
    try:
        second = subprocess.run(
            demo_args(shop), check=False, env=ENV, capture_output=True, text=True
        )
        said = one_line(second.stderr)
        assert second.returncode == 1, said
        assert f"process {first.pid} (" in said, said
        assert "is rebuilding the store" in said, said
    finally:
        os.close(held)
    _, err = first.communicate(timeout=600)
    assert first.returncode == 0, err


def test_the_demo_names_the_supervisor_of_a_server_with_workers(
    shop: Path, servers: list[subprocess.Popen[str]]
) -> None:
    """`serve --workers 2` forks; the lock is the supervisor's, inherited by its workers. The
    refusal names the supervisor (SIGTERM to it stops all), its address and its command."""
    assert (
        subprocess.run(demo_args(shop), check=False, env=ENV, capture_output=True).returncode == 0
    )
    store = shop / ".covenant" / "covenant.db"
    before = store.stat().st_ino
    port = free_port()
    servers.append(serve(shop, port, "--workers", "2"))
    supervisor = servers[0]
    until_up(supervisor, port)
    refused = subprocess.run(demo_args(shop), check=False, env=ENV, capture_output=True, text=True)
    said = one_line(refused.stderr)
    assert refused.returncode == 1, said
    assert f"using the store {store}: process {supervisor.pid} at http://127.0.0.1:{port} (" in (
        said
    ), said
    assert f"--port {port} --no-catch-up --workers 2)" in said, said
    assert f"kill -TERM {supervisor.pid}" in said, said
    assert store.stat().st_ino == before  # not deleted and written anew
    supervisor.terminate()
    assert supervisor.wait(timeout=60) == 0
    assert (
        subprocess.run(demo_args(shop), check=False, env=ENV, capture_output=True).returncode == 0
    )
