"""The most bytes a request body may hold (``covenant serve --max-body-bytes``, default
16 MiB), for every route of the API and the web UI alike.

The body is counted as it arrives: a ``Content-Length`` over the limit is refused before a
byte of it is read, and a body sent without one (chunked) as soon as the bytes read pass the
limit, so no more than the limit and one piece of it are ever held. The refusal is raised
where the app reads the body (``BodyTooLargeError``), so it is answered as every error is:
JSON ``413 body-too-large`` from the API, an error page under ``/ui``. Where the framework
reads the body itself and words the failure its own way (FastAPI's "There was an error
parsing the body", 400, for a route with a body parameter), the answer is replaced by the
413 as it starts.
"""

from __future__ import annotations

from typing import Any

from covenant.api.errors import error_response
from covenant.config import MAX_BODY_ENV
from covenant.errors import BodyTooLargeError


def size_text(count: int) -> str:
    """``16,777,216 bytes (16 MiB)``; the unit only where it is whole."""
    for shift, unit in ((30, "GiB"), (20, "MiB"), (10, "KiB")):
        if count >= 1 << shift and count % (1 << shift) == 0:
            return f"{count:,} bytes ({count >> shift} {unit})"
    return f"{count:,} bytes"


def too_large(most: int, *, declared: int | None = None) -> BodyTooLargeError:
    sent = f" (Content-Length {declared:,})" if declared is not None else ""
    return BodyTooLargeError(
        f"the request body{sent} is larger than {size_text(most)}, the most this server "
        "takes; nothing of it was applied",
        hint="send less in one request (split an event batch into several), or start "
        f"covenant serve with a larger --max-body-bytes (or {MAX_BODY_ENV})",
    )


def _declared(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name.lower() == b"content-length" and value.strip().isdigit():
            return int(value)
    return None


class LimitBody:
    """ASGI middleware: the request's ``receive`` counts the body's bytes and raises
    ``BodyTooLargeError`` once they are (or are declared to be) more than ``most``."""

    def __init__(self, app: Any, *, most: int) -> None:
        self.app = app
        self.most = most

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        most = self.most
        declared = _declared(scope.get("headers", []))
        read = 0
        refused: BodyTooLargeError | None = None
        replaced = False

        async def counted() -> Any:
            nonlocal read, refused
            if declared is not None and declared > most:
                refused = too_large(most, declared=declared)  # before a byte is read
                raise refused
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > most:
                    refused = too_large(most)
                    raise refused
            return message

        async def answer(message: Any) -> None:
            nonlocal replaced
            if replaced:
                return  # the rest of the answer the 413 replaced
            if (
                refused is not None
                and message["type"] == "http.response.start"
                and message["status"] != 413
            ):
                replaced = True
                await error_response(refused)(scope, receive, send)
                return
            await send(message)

        await self.app(scope, counted, answer)
