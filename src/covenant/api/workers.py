"""Several server processes on one port (``covenant serve --workers N``), for more than one
core's worth of requests.

The supervisor binds ``N`` listening sockets to the port with ``SO_REUSEPORT`` (the kernel
spreads new connections evenly over them, by their addresses; one shared socket let the
busiest process take most of them: 44 of 50 in a measurement), then forks ``N`` worker
processes, each accepting on its own socket; each makes its own app (its own store
connections, its own answers kept in memory, its own worker loop: the leadership lock lets one
of them tick). A worker process that dies is replaced on the same socket (a worker that keeps
dying within a second of its start makes the supervisor give up and stop the others).
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

log = logging.getLogger("uvicorn.error")  # configured by uvicorn.Config, as its own messages

QUICK_DEATH_S = 1.0  # a worker process that dies sooner after its start than this …
QUICK_DEATHS = 5  # … this many times in a row makes the supervisor give up


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


def supervise(make_app: Callable[[], Any], config: uvicorn.Config, *, workers: int) -> bool:
    """Run ``workers`` processes serving ``make_app()`` on ``config``'s host and port until a
    stop signal; False when the port could not be bound or the processes keep dying."""
    try:
        sockets = listening_sockets(config.host, config.port, workers)
    except OSError as error:
        log.error("cannot listen on %s:%s: %s", config.host, config.port, error)
        return False
    port = sockets[0].getsockname()[1]
    log.info("serving on %s:%s with %d worker processes", config.host, port, workers)
    try:
        return _Supervisor(make_app, config, sockets).run()
    finally:
        for sock in sockets:
            sock.close()


class _Supervisor:
    def __init__(self, make_app: Callable[[], Any], config: uvicorn.Config, sockets: Any) -> None:
        self.make_app = make_app
        self.config = config
        self.sockets: list[socket.socket] = sockets
        self.children: dict[int, tuple[int, float]] = {}  # pid → its socket, its start
        self.stopping = 0  # stop signals received

    def run(self) -> bool:
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        quick = 0
        healthy = True
        try:
            for slot in range(len(self.sockets)):
                self._start(slot)
            while self.children:
                try:
                    pid, status = os.wait()
                except ChildProcessError:
                    break
                ended = self.children.pop(pid, None)
                if ended is None or self.stopping:
                    continue
                slot, started = ended
                code = os.waitstatus_to_exitcode(status)
                log.error("worker process %d ended (%s): starting another", pid, code)
                quick = quick + 1 if time.monotonic() - started < QUICK_DEATH_S else 0
                if quick >= QUICK_DEATHS:
                    log.error("worker processes keep dying at start: stopping")
                    healthy = False
                    self.stopping += 1
                    self._signal_all(signal.SIGTERM)
                    continue
                self._start(slot)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return healthy

    def _start(self, slot: int) -> None:
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the worker process: never returns into the supervisor's code
            code = 1
            try:
                os.setpgid(0, 0)
                for sig in (signal.SIGTERM, signal.SIGINT):
                    signal.signal(sig, signal.SIG_DFL)
                for other, sock in enumerate(self.sockets):
                    if other != slot:
                        sock.close()
                code = _serve_child(self.make_app, self.config, self.sockets[slot], parent)
            except BaseException:
                log.exception("worker process failed")
            finally:
                logging.shutdown()
                os._exit(code)
        self.children[pid] = (slot, time.monotonic())
        if self.stopping:  # a stop signal came while it was being started
            os.kill(pid, signal.SIGTERM)

    def _on_signal(self, sig: int, frame: FrameType | None) -> None:
        self.stopping += 1
        self._signal_all(sig)

    def _signal_all(self, sig: int) -> None:
        for pid in list(self.children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)


def _serve_child(
    make_app: Callable[[], Any], config: uvicorn.Config, sock: Any, parent: int
) -> int:
    from covenant.api.serving import CancelledAnswer, GracefulServer

    config.app = CancelledAnswer(make_app())
    server = GracefulServer(config)
    server.parent = parent
    server.run(sockets=[sock])
    return 0 if server.started else 1
