"""Graceful shutdown of `covenant serve`: on SIGTERM or SIGINT it stops taking connections,
answers the event batch in flight (counted), and exits 0; a request that never finishes does
not hold it past --shutdown-timeout (and is not counted)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import sqlalchemy as sa

from covenant.services.store import open_store
from tests.api.served import SERIES, SERVICE, Served, editor_token, make_workspace, store_url

V1 = "/api/v1"
EVENTS = 10_000
STOP_WAIT_S = 60  # waits for a state change, never timed


def big_batch() -> tuple[bytes, int, int]:
    """10,000 events over one hour; the body, and how many of them are good and counted."""
    events = []
    good = 0
    for i in range(EVENTS):
        status = 503 if i % 7 == 0 else 200
        good += status < 500
        minute, second = divmod(i % 3600, 60)
        stamp = f"2026-11-20T10:{minute:02d}:{second:02d}Z"
        events.append({"timestamp": stamp, "service": SERVICE, "status": status})
    return orjson.dumps({"events": events}), good, EVENTS


class SlowUpload:
    """A request body sent in two halves: the second only once ``go`` is set."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.first_sent = threading.Event()
        self.go = threading.Event()

    def __iter__(self) -> Iterator[bytes]:
        half = len(self.body) // 2
        yield self.body[:half]
        self.first_sent.set()  # the generator resumes once the first half was written
        self.go.wait(STOP_WAIT_S)
        yield self.body[half:]


def put_in_thread(server: Served, key: str, upload: SlowUpload, token: str) -> dict[str, Any]:
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["answer"] = httpx.put(
                f"{server.base}{V1}/event-batches/{key}",
                content=upload,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                timeout=STOP_WAIT_S * 2,
            )
        except httpx.HTTPError as exc:
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    result["thread"] = thread
    assert upload.first_sent.wait(STOP_WAIT_S), "the upload never started"
    # One more request, answered after the server has read the batch's headers: the batch is
    # in flight in the server before the signal is sent.
    assert httpx.get(f"{server.base}/healthz", timeout=STOP_WAIT_S).status_code == 200
    return result


def refuses_connections(server: Served) -> bool:
    """Whether the port stopped taking connections (waits until it does or the process ends)."""
    assert server.process is not None
    for _ in range(STOP_WAIT_S * 20):
        try:
            httpx.get(f"{server.base}/healthz", timeout=1)
        except httpx.ConnectError:
            return True
        except httpx.TransportError:
            pass
        if server.process.poll() is not None:
            return False
        threading.Event().wait(0.05)
    return False


def stored(url: str) -> tuple[int, int, int]:
    engine = open_store(url)
    try:
        with engine.connect() as conn:
            good, total = conn.execute(
                sa.text(
                    "SELECT COALESCE(SUM(c.good_sum), 0), COALESCE(SUM(c.total_sum), 0) "
                    "FROM bucket_chunks c JOIN series s ON s.id = c.series_id WHERE s.key = :k"
                ),
                {"k": SERIES},
            ).one()
            (batches,) = conn.execute(sa.text("SELECT COUNT(*) FROM ingest_batches")).one()
    finally:
        engine.dispose()
    return int(good), int(total), int(batches)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Served, str]]:
    workspace = make_workspace(tmp_path)
    url = store_url(workspace, None)
    token = editor_token(url)
    server = Served(
        workspace=workspace,
        database_url=url,
        log=tmp_path / "serve.log",
        extra=("--shutdown-timeout", "60"),
    )
    server.start()
    try:
        server.wait_ready()
        yield server, token
    finally:
        server.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_batch_in_flight_is_answered_and_counted_then_the_server_exits_0(
    served: tuple[Served, str], sig: int
) -> None:
    server, token = served
    body, good, total = big_batch()
    upload = SlowUpload(body)
    result = put_in_thread(server, "in-flight", upload, token)
    assert server.process is not None
    server.process.send_signal(sig)
    assert refuses_connections(server), server.output()  # no new request is taken
    upload.go.set()  # the batch's second half arrives after the stop signal
    result["thread"].join(STOP_WAIT_S * 2)
    assert "error" not in result, f"{result.get('error')!r}: {server.output()}"
    answer = result["answer"]
    assert answer.status_code == 201, answer.text
    assert answer.json()["accepted"] == total
    assert server.process.wait(timeout=STOP_WAIT_S) == 0, server.output()
    assert stored(server.database_url) == (good, total, 1)


def test_a_request_that_never_ends_does_not_hold_the_stop(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path)
    url = store_url(workspace, None)
    token = editor_token(url)
    server = Served(
        workspace=workspace,
        database_url=url,
        log=tmp_path / "serve.log",
        extra=("--shutdown-timeout", "1"),
    )
    server.start()
    upload = SlowUpload(big_batch()[0])
    try:
        server.wait_ready()
        result = put_in_thread(server, "stuck", upload, token)
        # the rest of the body never comes (until after the stop); the server ends anyway
        assert server.stop(signal.SIGTERM, timeout=STOP_WAIT_S) == 0, server.output()
    finally:
        upload.go.set()
        server.close()
    result["thread"].join(STOP_WAIT_S)
    if "answer" in result:  # answered when it could be (else the connection just closed)
        answer = result["answer"]
        assert (answer.status_code, answer.json()["code"]) == (503, "shutting-down"), answer.text
    assert stored(url) == (0, 0, 0)  # nothing of the cut-off batch was written
