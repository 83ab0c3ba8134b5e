"""Several server processes on one port (``covenant serve --workers N``), for more than one
core's worth of requests.

The supervisor binds ``N`` listening sockets to the port with ``SO_REUSEPORT`` (the kernel
spreads new connections evenly over them, by their addresses; one shared socket let the
busiest process take most of them: 44 of 50 in a measurement), then forks ``N`` worker
processes, each accepting on its own socket; each makes its own app (its own store
connections, its own answers kept in memory, its own worker loop: the leadership lock lets one
of them tick). A worker process that dies is replaced on the same socket. One that fails to
start (its app's start-up raised: it ends with :data:`START_FAILED` and writes why on a pipe to
the supervisor) or dies within a second of its start counts as a failed start; after
:data:`QUICK_DEATHS` in a row the supervisor stops the others and raises ``ServeStartError``
naming the last reason (``covenant serve`` exits 1 with ``serve-start-failed``), never
restarting them in a loop.
``SO_REUSEPORT`` also lets another process of the same user that asks for it (another
``covenant serve --workers``) share the port instead of being refused.

Stopping: SIGTERM or SIGINT to the supervisor is passed on to every worker process, each
finishes its requests in flight (``covenant.api.serving``) and the supervisor exits once they
all have; a second SIGINT is passed on too (stop at once). The worker processes run in their
own process group, so a Ctrl-C at a terminal reaches them once, through the supervisor; a
worker process whose supervisor is gone (SIGKILL) stops by itself within a second.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

import uvicorn

from covenant.api.serving import CancelledAnswer, GracefulServer, failure_text, run_server
from covenant.errors import ServeStartError

log = logging.getLogger("uvicorn.error")  # configured by uvicorn.Config, as its own messages

QUICK_DEATH_S = 1.0  # a worker process that dies sooner after its start than this …
QUICK_DEATHS = 5  # … (or fails to start) this many times in a row makes the supervisor give up
START_FAILED = 4  # the exit status of a worker process whose app did not start
REASON_BYTES = 2000  # at most this much of a failed start's reason is passed on


def listening_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` sockets on one port, each for one worker process (OSError when the port is
    taken; port 0: any free port, the same for all)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    made: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family=family)
            made.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            port = sock.getsockname()[1]
            sock.listen(2048)
    except OSError:
        for sock in made:
            sock.close()
        raise
    return made


def supervise(
    make_app: Callable[[], Any],
    config: uvicorn.Config,
    *,
    workers: int,
    on_listening: Callable[[int], None] | None = None,
) -> bool:
    """Run ``workers`` processes serving ``make_app()`` on ``config``'s host and port until a
    stop signal; False when the port could not be bound; ``ServeStartError`` when the
    processes keep failing at start (the others stopped first). ``on_listening(port)``: once
    the sockets listen (connections wait in their queue for the processes' start)."""
    try:
        sockets = listening_sockets(config.host, config.port, workers)
    except OSError as error:
        log.error("cannot listen on %s:%s: %s", config.host, config.port, error)
        return False
    port = sockets[0].getsockname()[1]
    log.info("serving on %s:%s with %d worker processes", config.host, port, workers)
    try:
        supervisor = _Supervisor(make_app, config, sockets)
        supervisor.on_listening = on_listening
        supervisor.run()
    finally:
        for sock in sockets:
            sock.close()
    if supervisor.gave_up is not None:
        raise ServeStartError(
            f"the server processes kept failing at start ({QUICK_DEATHS} in a row), so "
            f"covenant serve stopped: {supervisor.gave_up}",
            hint="fix what the message names (a setting, the store, the workspace) and start "
            "it again",
        )
    return True


class _Supervisor:
    def __init__(self, make_app: Callable[[], Any], config: uvicorn.Config, sockets: Any) -> None:
        self.make_app = make_app
        self.config = config
        self.sockets: list[socket.socket] = sockets
        self.children: dict[int, tuple[int, float]] = {}  # pid → its socket, its start
        self.reasons: dict[int, int] = {}  # pid → the read end of its failure pipe
        self.stopping = 0  # stop signals received
        self.gave_up: str | None = None  # why, when the processes kept failing at start
        self.on_listening: Callable[[int], None] | None = None

    def run(self) -> None:
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        quick = 0
        try:
            for slot in range(len(self.sockets)):
                self._start(slot)
            if self.on_listening is not None:  # a stop signal from here on stops them all
                self.on_listening(self.sockets[0].getsockname()[1])
            while self.children:
                try:
                    pid, status = os.wait()
                except ChildProcessError:
                    break
                ended = self.children.pop(pid, None)
                reason = self._reason(pid)
                if ended is None or self.stopping:
                    continue
                slot, started = ended
                code = os.waitstatus_to_exitcode(status)
                failed = code == START_FAILED or time.monotonic() - started < QUICK_DEATH_S
                why = f": {reason}" if reason else ""
                log.error("worker process %d ended (%s)%s", pid, code, why)
                quick = quick + 1 if failed else 0
                if quick >= QUICK_DEATHS:
                    log.error("worker processes keep failing at start: stopping")
                    self.gave_up = reason or f"the last one ended with status {code}"
                    self.stopping += 1
                    self._signal_all(signal.SIGTERM)
                    continue
                log.info("starting another worker process")
                self._start(slot)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            for pid in list(self.reasons):
                self._reason(pid)

    def _start(self, slot: int) -> None:
        parent = os.getpid()
        reading, writing = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker process: never returns into the supervisor's code
            code = 1
            try:
                os.close(reading)
                for other in self.reasons.values():  # the other processes' pipes
                    os.close(other)
                os.setpgid(0, 0)
                for sig in (signal.SIGTERM, signal.SIGINT):
                    signal.signal(sig, signal.SIG_DFL)
                for other, sock in enumerate(self.sockets):
                    if other != slot:
                        sock.close()
                code = _serve_child(self.make_app, self.config, self.sockets[slot], parent, writing)
            except BaseException as error:
                log.error("worker process failed: %s", failure_text(error))
                log.debug("worker process failed", exc_info=True)
                _tell(writing, failure_text(error))
                code = START_FAILED
            finally:
                logging.shutdown()
                os._exit(code)
        os.close(writing)
        self.reasons[pid] = reading
        self.children[pid] = (slot, time.monotonic())
        if self.stopping:  # a stop signal came while it was being started
            os.kill(pid, signal.SIGTERM)

    def _reason(self, pid: int) -> str:
        """What the ended process ``pid`` wrote on its pipe (empty when nothing); closes it."""
        reading = self.reasons.pop(pid, None)
        if reading is None:
            return ""
        try:
            os.set_blocking(reading, False)
            try:
                data = os.read(reading, REASON_BYTES)
            except BlockingIOError:
                data = b""
        finally:
            os.close(reading)
        return data.decode("utf-8", errors="replace").strip()

    def _on_signal(self, sig: int, frame: FrameType | None) -> None:
        self.stopping += 1
        self._signal_all(sig)

    def _signal_all(self, sig: int) -> None:
        for pid in list(self.children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)


def _serve_child(
    make_app: Callable[[], Any], config: uvicorn.Config, sock: Any, parent: int, pipe: int
) -> int:
    app = CancelledAnswer(make_app())
    config.app = app
    server = GracefulServer(config)
    server.parent = parent
    failure = run_server(server, app, [sock])
    if server.started:
        return 0
    _tell(pipe, failure or "the server process did not start (see the log above)")
    return START_FAILED


def _tell(pipe: int, reason: str) -> None:
    """Write why this process failed to start on its pipe to the supervisor (best effort)."""
    with contextlib.suppress(OSError):
        os.write(pipe, reason.encode("utf-8", errors="replace")[:REASON_BYTES])
