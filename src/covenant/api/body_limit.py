"""The most bytes a request body may hold (``covenant serve --max-body-bytes``, default
16 MiB), for every route of the API and the web UI alike, and a fixed limit of their own for
the routes named in ``ROUTE_LIMITS`` (the sign-in form 64 KiB, an import 16 MiB): the smaller
of the two counts, and at the same number the route's (its refusal says how to send less).

Who sends a body is looked at before a byte of it is read: a request with a body to a route
that needs a token or a session is handed to the ``gates`` first (``api.deps.token_gate``,
``web.core.session_gate``), which answer 401/403 (a page: the sign-in form) as the route
would, or leave what they found in ``request.state`` for the route's dependencies (the token
is looked up once per request).

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

from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match

from covenant.api.errors import error_response
from covenant.config import DEFAULT_MAX_BODY_BYTES, MAX_BODY_ENV
from covenant.errors import BodyTooLargeError
from covenant.services.import_request import MOST_SOURCE

SIGN_IN_MOST = 64 * 1024  # a name and a password or a token, and the form's token
# an import (the API's route, the import page's forms) takes at most 16 MiB — the server's
# default limit — whatever the server's limit is raised to: its texts are bounded in
# characters (MOST_SOURCE for the tool's files together, MOST_OPTION for each option file),
# 7,000,000 in all, which 16 MiB holds as UTF-8 but for text mostly of 3- and 4-byte
# characters; a larger server limit (for event batches) never lets a larger import in, and
# the import's own 413 says how to send less, not to raise --max-body-bytes, which would not
# help (docs/api.md "Request bodies")
IMPORT_MOST = DEFAULT_MAX_BODY_BYTES
PAGE_IMPORT_MOST = DEFAULT_MAX_BODY_BYTES
_PAGE_IMPORT_HINT = (
    f"send files of at most {MOST_SOURCE:,} characters in all (import the rest in another "
    "part), or convert them with covenant import"
)

# (method, route) → (the most bytes its body may hold, how to send less), under the server's
# limit; one place, consulted by ``LimitBody``
ROUTE_LIMITS: dict[tuple[str, str], tuple[int, str]] = {
    ("POST", "/api/v1/imports/{tool}"): (
        IMPORT_MOST,
        f"send a file of at most {MOST_SOURCE:,} characters (split a larger one into several "
        "files), or convert it with covenant import",
    ),
    ("POST", "/api/v1/imports/{tool}/write"): (
        IMPORT_MOST,
        f"send a file of at most {MOST_SOURCE:,} characters (split a larger one into several "
        "files), or convert it with covenant import",
    ),
    ("POST", "/ui/import"): (PAGE_IMPORT_MOST, _PAGE_IMPORT_HINT),
    ("POST", "/ui/import/write"): (PAGE_IMPORT_MOST, _PAGE_IMPORT_HINT),
    ("POST", "/ui/sign-in"): (
        SIGN_IN_MOST,
        "the sign-in form holds a name and a password, or a token: send only those",
    ),
    ("POST", "/ui/sign-out"): (SIGN_IN_MOST, "the sign-out form holds its form token only"),
}

# looks at a request with a body before any of it is read: an answer refuses it, None lets
# it through (what it found left in ``request.state``)
Gate = Callable[[Request, Any], Awaitable[Response | None]]


def size_text(count: int) -> str:
    """``16,777,216 bytes (16 MiB)``; the unit only where it is whole."""
    for shift, unit in ((30, "GiB"), (20, "MiB"), (10, "KiB")):
        if count >= 1 << shift and count % (1 << shift) == 0:
            return f"{count:,} bytes ({count >> shift} {unit})"
    return f"{count:,} bytes"


def too_large(
    most: int, *, declared: int | None = None, route: tuple[str, str] | None = None
) -> BodyTooLargeError:
    """The refusal of a body over ``most`` bytes: the server's limit, or ``route``'s own."""
    sent = f" (Content-Length {declared:,})" if declared is not None else ""
    if route is not None:
        return BodyTooLargeError(
            f"the request body{sent} is larger than {size_text(most)}, the most "
            f"{route[0]} {route[1]} takes; nothing of it was applied",
            hint=ROUTE_LIMITS[route][1],
        )
    return BodyTooLargeError(
        f"the request body{sent} is larger than {size_text(most)}, the most this server "
        "takes; nothing of it was applied",
        hint="send less in one request (split an event batch or a record file into several), "
        f"or start covenant serve with a larger --max-body-bytes (or {MAX_BODY_ENV})",
    )


_ROUTES: WeakKeyDictionary[Any, list[Any]] = WeakKeyDictionary()  # an app's, flattened


def route_of(scope: Any) -> Any | None:
    """The route that will answer ``scope`` (method and path), as the app's router finds it:
    its ``path_format`` (the prefix included) and its ``route`` (the APIRoute)."""
    from fastapi.routing import iter_route_contexts

    app = scope.get("app")
    router = getattr(app, "router", None)
    if router is None:
        return None
    kept = _ROUTES.get(app)
    if kept is None:
        kept = _ROUTES[app] = list(iter_route_contexts(router.routes))
    for route in kept:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return route
    return None


def _declared(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name.lower() == b"content-length" and value.strip().isdigit():
            return int(value)
    return None


def _has_body(headers: list[tuple[bytes, bytes]], declared: int | None) -> bool:
    if declared is not None:
        return declared > 0
    return any(name.lower() == b"transfer-encoding" for name, _ in headers)


class LimitBody:
    """ASGI middleware: the request's ``receive`` counts the body's bytes and raises
    ``BodyTooLargeError`` once they are (or are declared to be) more than ``most`` (or the
    route's own limit); a body is refused by the ``gates`` before it is read."""

    def __init__(self, app: Any, *, most: int, gates: Sequence[Gate] = ()) -> None:
        self.app = app
        self.most = most
        self.gates = tuple(gates)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        most = self.most
        headers = scope.get("headers", [])
        declared = _declared(headers)
        own: tuple[str, str] | None = None  # the route whose own limit counts
        if _has_body(headers, declared) and (route := route_of(scope)) is not None:
            request = Request(scope)  # no receive: nothing of the body can be read here
            for gate in self.gates:
                refused_by = await gate(request, route)
                if refused_by is not None:
                    await refused_by(scope, receive, send)
                    return
            key = (scope["method"], getattr(route, "path_format", None) or "")
            # the route's own limit when it is not above the server's: at the same number the
            # route's refusal says how to send less (raising the server's would not help)
            if key in ROUTE_LIMITS and ROUTE_LIMITS[key][0] <= most:
                most, own = ROUTE_LIMITS[key][0], key
        read = 0
        refused: BodyTooLargeError | None = None
        replaced = False

        async def counted() -> Any:
            nonlocal read, refused
            if declared is not None and declared > most:
                refused = too_large(most, declared=declared, route=own)  # before a byte
                raise refused
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > most:
                    refused = too_large(most, route=own)
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
