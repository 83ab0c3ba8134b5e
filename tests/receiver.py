"""A real HTTP receiver for the delivery tests: a threaded stdlib server on a free loopback port.

It records every POST (path, headers, JSON body) and answers from a script per path: a list of
status codes used one per request (then 200), or ``hang`` (the request is held until
:meth:`Receiver.release`). Written with the standard library only, so it shares nothing with
the client under test (httpx).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any
    status: int
    raw: bytes = b""  # the body's bytes as received (a signature is over them)


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    statuses: dict[str, list[int]] = field(default_factory=dict)
    hang: set[str] = field(default_factory=set)
    echo: set[str] = field(default_factory=set)  # answer with the request's path and headers
    released: threading.Event = field(default_factory=threading.Event)
    hanging: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def release(self) -> None:
        self.released.set()

    def bodies(self, path: str, status: int = 200) -> list[Any]:
        with self.lock:
            return [r.body for r in self.requests if r.path == path and r.status == status]

    def wait_for(self, path: str, count: int, *, status: int = 200, limit_s: float = 60) -> None:
        """Wait until ``count`` requests to ``path`` were answered ``status`` (a deadline only
        to end a broken test; no test asserts how long it took)."""
        deadline = time.monotonic() + limit_s
        while len(self.bodies(path, status)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{path}: {self.requests}")
            time.sleep(0.02)


@contextmanager
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            path = self.path
            if path in state.hang:
                state.hanging.release()
                state.released.wait()
            with state.lock:
                script = state.statuses.get(path) or []
                status = script.pop(0) if script else 200
                state.requests.append(
                    Received(
                        path,
                        {k.lower(): v for k, v in self.headers.items()},
                        json.loads(raw or b"null"),
                        status,
                        raw,
                    )
                )
            answer = b"{}"
            if path in state.echo:
                said = {"refused": f"{self.headers.get('Authorization')} at {self.path}"}
                answer = json.dumps({**said, "headers": dict(self.headers.items())}).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            except OSError:  # the client gave up (its timeout) before the answer
                pass

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release()
        server.shutdown()
        server.server_close()
