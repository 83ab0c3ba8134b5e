"""A Prometheus DataSource that does not answer is warned of in the worker's log once per
reason — one line naming its series — not once per series every tick, and its answering again
is said once; the tick's problems and the SLOs' "no data (stale)" with the reason stay.

Against a closed port, and against a real Prometheus stopped mid-run and started again. The
workspace and data are ``test_prometheus_no_series``'s (five series: api, late, quiet, typo,
typos); the expected texts are written out by hand."""

from __future__ import annotations

import http.server
import logging
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from covenant.config import sqlite_url
from covenant.core.timeutil import from_epoch
from covenant.definitions.workspace import Workspace, load_workspace
from covenant.services.store import open_store
from covenant.services.worker import TickResult, Worker
from covenant.services.worker_loop import WorkerLoop
from tests.ports import free_port
from tests.promserver import Server, restart
from tests.services.test_prometheus_no_series import END, _openmetrics, _workspace

SERIES = ("api", "late", "quiet", "typo", "typos")


def unheard(url: str) -> str:
    return (
        f"worker: prom ({url}/api/v1/query) did not answer after 3 attempts: ConnectError: "
        "[Errno 111] Connection refused — 5 series of DataSource prom not read (api, late, "
        "quiet, typo, typos): their SLOs show no data (stale) with this reason until it "
        "answers; said once until it answers again — check that the server is up and "
        "reachable from here, and the url and timeout of the DataSource"
    )


class Ticks:
    def __init__(self, folder: Path, url: str) -> None:
        self.folder = folder
        self.workspace: Workspace = load_workspace(_workspace(folder, url))
        self.now = [from_epoch(END + 120)]
        worker = Worker(open_store(sqlite_url(folder)), catch_up_initial_s=3 * 3600)
        self.loop = WorkerLoop(worker, workspace=lambda: self.workspace, clock=self.clock)

    def clock(self) -> datetime:
        return self.now[0]

    def tick(self, caplog: pytest.LogCaptureFixture) -> tuple[TickResult, list[str]]:
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="covenant.worker"):
            result = self.loop.run_once()
        self.now[0] += timedelta(minutes=1)
        assert result is not None
        return result, [r.getMessage() for r in caplog.records if r.name == "covenant.worker"]


def _unanswered(result: TickResult) -> None:
    """Each series still a problem of the tick, and each SLO stale with the reason."""
    assert sorted(p.split(":")[0] for p in result.problems) == list(SERIES)
    assert all("did not answer after 3 attempts" in p for p in result.problems)
    for e in result.report.evaluations:
        assert e.stale is not None, e.objective.slo
        assert e.stale.kind in ("read-failed", "never-read")
        assert "did not answer after 3 attempts" in e.stale.reason


def test_a_closed_port_is_warned_of_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nobody listens
    ticks = Ticks(tmp_path / "ws", url)
    first, logged = ticks.tick(caplog)
    assert logged == [unheard(url)]  # five series, one line
    _unanswered(first)
    for _ in range(2):
        later, logged = ticks.tick(caplog)
        assert logged == []  # said once
        _unanswered(later)


def test_a_prometheus_stopped_mid_run_is_warned_of_once_and_its_return_said(
    tmp_path: Path, prometheus: Callable[..., Server], caplog: pytest.LogCaptureFixture
) -> None:
    server = prometheus(openmetrics=_openmetrics())
    ticks = Ticks(tmp_path / "ws", server.url)
    result, logged = ticks.tick(caplog)
    assert result.problems == ()
    assert not [line for line in logged if "answer" in line]
    server.stop()
    result, logged = ticks.tick(caplog)
    assert logged == [unheard(server.url)]
    assert sorted(p.split(":")[0] for p in result.problems) == list(SERIES)
    stale = {e.objective.slo: e.stale for e in result.report.evaluations}
    assert stale["api"] is not None
    assert stale["api"].kind == "read-failed"
    assert "did not answer after 3 attempts" in stale["api"].reason
    result, logged = ticks.tick(caplog)
    assert logged == []
    assert len(result.problems) == 5
    # started again on its data (a new port: the DataSource's url changes with it)
    again = restart(server, tmp_path / "prometheus-again")
    try:
        ticks.workspace = load_workspace(_workspace(ticks.folder, again.url))
        result, logged = ticks.tick(caplog)
        assert result.problems == ()
        stopped_at = "2026-09-21T03:03:00Z"  # the tick after the first (END + 120 s + 1 min)
        # (its data ends at 03:00: the minutes since match no series, logged as such)
        assert [line for line in logged if "answer" in line] == [
            f"worker: DataSource prom answers again (it had not since {stopped_at}): its "
            "series are read again"
        ]
        result, logged = ticks.tick(caplog)
        assert [line for line in logged if "answer" in line] == []
    finally:
        again.stop()


@pytest.fixture
def never_answers() -> Iterator[str]:
    """A server that takes connections and never answers them: each read times out."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(100)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:  # closed at the end of the test
                return
            held.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        server.close()
        for conn in held:
            conn.close()


def test_a_hanging_prometheus_is_warned_of_once(
    tmp_path: Path, never_answers: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Each tick's timeout is cut to the tick's time left (a number different every tick):
    the warning is said once all the same, and the log keeps one reason for it."""
    ticks = Ticks(tmp_path / "ws", never_answers)
    slos = ticks.folder / "slos.yaml"
    written = f'{{url: "{never_answers}"}}'
    assert written in slos.read_text()
    slos.write_text(
        slos.read_text().replace(written, f'{{url: "{never_answers}", timeout: 300ms}}')
    )
    ticks.workspace = load_workspace(ticks.folder)
    warned: list[str] = []
    for _ in range(4):
        result, logged = ticks.tick(caplog)
        assert sorted(p.split(":")[0] for p in result.problems) == list(SERIES)
        warned += logged
    assert len(warned) == 1, warned
    assert "no answer within" in warned[0]
    assert "5 series of DataSource prom not read" in warned[0], warned[0]
    said = ticks.loop._silences._said
    assert list(said) == ["prom"]
    assert len(said["prom"][1]) == 1  # one reason kept, not one per tick


def test_a_source_gone_from_the_workspace_is_forgotten(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nobody listens
    ticks = Ticks(tmp_path / "ws", url)
    _, logged = ticks.tick(caplog)
    assert logged == [unheard(url)]
    assert list(ticks.loop._silences._said) == ["prom"]
    ticks.workspace = replace(ticks.workspace, prometheus=None)  # no DataSource any more
    _, logged = ticks.tick(caplog)
    assert not [line for line in logged if "prom" in line]
    assert ticks.loop._silences._said == {}  # its state dropped, not kept for ever


class Failing:
    """A real HTTP server that answers every request with ``status`` and a body whose numbers
    change with each request (an upstream's byte count and port, as proxies write them)."""

    def __init__(self) -> None:
        self.status = 502
        self.served = 0
        self.request_ids = False  # the body names a request id instead (a uuid, new each time)
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                owner.served += 1
                body = (
                    f"upstream 10.0.0.{owner.served % 250}:{9000 + owner.served} closed after "
                    f"{owner.served * 37} bytes"
                    if not owner.request_ids
                    else f"Service Unavailable (request {uuid.uuid4()})"
                ).encode()
                self.send_response(owner.status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def failing() -> Iterator[Failing]:
    server = Failing()
    try:
        yield server
    finally:
        server.close()


def test_a_prometheus_answering_502_then_503_is_warned_of_once_per_status(
    tmp_path: Path, failing: Failing, caplog: pytest.LogCaptureFixture
) -> None:
    """A proxy in front of a restarting Prometheus answers 502, then 503: each status is a
    reason of its own, said once in one line naming the five series (the numbers of the
    proxy's text, different in every answer, do not make another); the tick's problems keep
    a line per series, not logged each tick."""
    ticks = Ticks(tmp_path / "ws", failing.url)
    said: list[list[str]] = []
    for status in (502, 502, 503, 503, 502):
        failing.status = status
        result, logged = ticks.tick(caplog)
        assert sorted(p.split(":")[0] for p in result.problems) == list(SERIES)
        assert all(f"HTTP {status}" in p for p in result.problems)
        said.append(logged)
    assert [len(lines) for lines in said] == [1, 0, 1, 0, 0]  # 502 said before: not again
    for lines, status in ((said[0], 502), (said[2], 503)):
        (line,) = lines
        assert f"still answered HTTP {status}: upstream" in line, line
        assert "5 series of DataSource prom not read (api, late, quiet, typo, typos)" in line
    reasons = sorted(ticks.loop._silences._said["prom"][1])  # one per status, not per answer
    assert [("HTTP 502" in r, "HTTP 503" in r) for r in reasons] == [(True, False), (False, True)]


def test_a_busy_prometheus_whose_answers_name_a_request_id_is_warned_of_once(
    tmp_path: Path, failing: Failing, caplog: pytest.LogCaptureFixture
) -> None:
    """A 503 whose body names a request id (a uuid, different in every answer: letters and
    digits) is one reason all the same: a busy source is told apart by its HTTP status alone."""
    failing.status, failing.request_ids = 503, True
    ticks = Ticks(tmp_path / "ws", failing.url)
    said = [ticks.tick(caplog)[1] for _ in range(4)]
    assert [len(lines) for lines in said] == [1, 0, 0, 0]
    (line,) = said[0]
    assert "still answered HTTP 503: Service Unavailable (request " in line, line
    assert len(ticks.loop._silences._said["prom"][1]) == 1
    failing.status = 502  # another status: said once more
    assert len(ticks.tick(caplog)[1]) == 1
