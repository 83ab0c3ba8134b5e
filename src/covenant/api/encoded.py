"""Answers sent from bytes made once: an entity tag per body (a client that sends it back in
``If-None-Match`` is answered ``304 Not Modified`` without a body while the answer is
unchanged), and the body compressed with gzip once, for clients that accept it
(``Accept-Encoding: gzip``). A gzip body has its own tag (``"…-gzip"``): the two are
different bytes (RFC 9110, 8.8.3); either one sent back matches the answer."""

from __future__ import annotations

import gzip
import hashlib
import threading

from starlette.requests import Request
from starlette.responses import Response

GZIP_FROM = 1024  # smaller bodies are sent as they are (compression gains little)
JSON = "application/json"


class Encoded:
    """A body with its entity tag, and its gzip form made on first use."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
        self.gzip_etag = self.etag[:-1] + '-gzip"'
        self._gzipped: bytes | None = None
        self._lock = threading.Lock()

    def gzipped(self) -> bytes:
        with self._lock:
            if self._gzipped is None:
                self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
            return self._gzipped


def send(request: Request, answer: Encoded, media_type: str = JSON) -> Response:
    """``answer`` as the request asks for it: 304 when it holds the answer's tag, gzip when
    it accepts gzip (and the body is worth compressing), else the body."""
    zipped = len(answer.body) >= GZIP_FROM and accepts_gzip(request.headers.get("accept-encoding"))
    headers = {"ETag": answer.gzip_etag if zipped else answer.etag, "Vary": "Accept-Encoding"}
    if matches(request.headers.get("if-none-match"), (answer.etag, answer.gzip_etag)):
        return Response(status_code=304, headers=headers)
    if zipped:
        headers["Content-Encoding"] = "gzip"
        return Response(answer.gzipped(), media_type=media_type, headers=headers)
    return Response(answer.body, media_type=media_type, headers=headers)


def matches(header: str | None, tags: tuple[str, ...]) -> bool:
    """Whether ``If-None-Match`` names one of ``tags`` (weak comparison: ``W/`` ignored) or
    is ``*``."""
    if not header:
        return False
    for item in header.split(","):
        tag = item.strip()
        if tag == "*":
            return True
        tag = tag.removeprefix("W/")
        if tag in tags:
            return True
    return False


def accepts_gzip(header: str | None) -> bool:
    """Whether ``Accept-Encoding`` accepts gzip: named (or ``*``) with a weight above 0."""
    if not header:
        return False
    found: dict[str, float] = {}
    for item in header.split(","):
        coding, _, params = item.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        found[coding.strip().lower()] = weight
    if "gzip" in found:
        return found["gzip"] > 0
    return found.get("*", 0.0) > 0
