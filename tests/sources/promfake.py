"""A tiny local HTTP server that answers ``/api/v1/query_range`` the way a test says: the
misbehaviours a real Prometheus cannot be made to show on demand (garbage, a partial answer with
warnings, a 503 then an answer, an answer that never comes)."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    delay_s: float = 0.0
    dribble_s: float = 0.0  # > 0: the body is written a byte at a time, this long apart


@dataclass
class Fake:
    """``respond(form, headers)`` decides each answer; ``requests`` records what was asked."""

    respond: Callable[[dict[str, str], dict[str, str]], Answer]
    url: str = ""
    requests: list[tuple[dict[str, str], dict[str, str]]] = field(default_factory=list)

    def asked(self, least: int) -> int:
        """How many requests were recorded, once ``least`` were (or after a minute): the
        server's thread records a request the client has given up on a moment later, so a
        count read right after a timeout may miss it."""
        deadline = time.monotonic() + 60  # a wait for the server's thread, not a timing check
        while len(self.requests) < least and time.monotonic() < deadline:
            time.sleep(0.01)
        return len(self.requests)


def matrix(points: dict[int, str], *, labels: dict[str, str] | None = None, **extra: Any) -> Answer:
    """A success answer with one series (none when ``points`` is empty)."""
    result = [{"metric": labels or {}, "values": [[t, v] for t, v in sorted(points.items())]}]
    body = {
        "status": "success",
        "data": {"resultType": "matrix", "result": result if points else []},
    }
    body.update(extra)
    return Answer(body=json.dumps(body).encode())


def instants(form: dict[str, str]) -> list[int]:
    start, end, step = (int(float(form[k])) for k in ("start", "end", "step"))
    return list(range(start, end + 1, step))


@contextmanager
def fake_prometheus(
    respond: Callable[[dict[str, str], dict[str, str]], Answer],
) -> Iterator[Fake]:
    fake = Fake(respond=respond)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            headers = dict(self.headers.items())
            fake.requests.append((form, headers))
            answer = fake.respond(form, headers)
            if answer.delay_s:
                time.sleep(answer.delay_s)
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                if not answer.dribble_s:
                    self.wfile.write(answer.body)
                for i in range(len(answer.body) if answer.dribble_s else 0):
                    self.wfile.write(answer.body[i : i + 1])
                    self.wfile.flush()
                    time.sleep(answer.dribble_s)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the slow-server test)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
