"""Error pages for everything under ``/ui`` that no page handler answered itself: a path that
matches no page (404), a method a page does not take (405), a request that does not validate
(422), a NUL character in the path or query (400) and anything unexpected (500).

The API's handlers (``covenant.api.errors``) answer JSON; ``install`` wraps each one so that a
request under ``/ui`` gets an HTML page instead, and every other request the API's answer. The
UI never imports the API: the handlers are taken from the app as registered. No page here
repeats what was asked (the path, a value) or an exception's text: a customer who typed an
internal name sees nothing of it back, and a 500 page names nothing at all.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from covenant.errors import CovenantError
from covenant.web.core import BASE, current_session, error_page, page

log = logging.getLogger("covenant.web")


# status → (code, message, hint) of an HTTP error raised by the framework under /ui
FRAMEWORK: dict[int, tuple[str, str, str]] = {
    404: (
        "not-found",
        "There is no page at this address.",
        "Check the address, or start again from the start page.",
    ),
    405: (
        "method-not-allowed",
        "This page does not take that kind of request.",
        "Open the page with its link instead of sending a form to it.",
    ),
}
INTERNAL = (
    "internal-error",
    "Something went wrong on our side; it was logged.",
    "Try again later. If it keeps happening, report the time of the request.",
)


def under_ui(path: str) -> bool:
    return path == BASE or path.startswith(f"{BASE}/")


def _session(request: Request) -> Any:
    try:
        return current_session(request)
    except CovenantError:  # the store is down: the page still answers, signed out
        return None


def html_error(
    request: Request,
    status: int,
    code: str,
    message: str,
    hint: str,
    *,
    headers: Mapping[str, str] | None = None,
    signed_in: bool = True,
) -> Response:
    from covenant.web.portal_errors import customer_error_page, for_customer

    session = _session(request) if signed_in else None
    if for_customer(request, session):  # in the portal's language
        return customer_error_page(
            request,
            session=session,
            status=status,
            code=code,
            english=(message, hint),
            headers=headers,
        )
    answer = page(
        "error.html",
        session=session,
        status=status,
        code=code,
        message=message,
        hint=hint,
        title=f"{status}: {code}",
    )
    answer.headers.update(headers or {})
    return answer


def http_page(request: Request, exc: HTTPException) -> Response:
    code, message, hint = FRAMEWORK.get(
        exc.status_code,
        (
            f"http-{exc.status_code}",
            "The request could not be answered.",
            "Start again from the start page.",
        ),
    )
    return html_error(request, exc.status_code, code, message, hint, headers=exc.headers)


def validation_page(request: Request, exc: RequestValidationError) -> Response:
    errors = exc.errors()
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    where = ".".join(str(part) for part in first.get("loc", ()))  # "path.number": no value
    message = f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg"))
    return html_error(
        request, 422, "invalid-input", message, "Fix the named part of the address or form."
    )


def internal_page(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return html_error(request, 500, *INTERNAL, signed_in=False)


def _wrapped(app: FastAPI, kind: type[Exception] | int, ours: Callable[..., Response]) -> None:
    theirs = app.exception_handlers.get(kind)

    async def handle(request: Request, exc: Exception) -> Response:
        if under_ui(request.url.path) or theirs is None:
            return ours(request, exc)
        found = theirs(request, exc)
        return await found if isinstance(found, Awaitable) else found

    app.add_exception_handler(kind, handle)


class RefuseNulPages:
    """ASGI middleware: a NUL (U+0000) in a ``/ui`` path or query is answered with a 400 page
    before the API's guard answers it with JSON (PostgreSQL text cannot hold one)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and under_ui(scope.get("path", "")):
            query: bytes = scope.get("query_string", b"")
            if "\x00" in scope["path"] or b"\x00" in query or b"%00" in query:
                request = Request(scope, receive)
                answer = html_error(
                    request,
                    400,
                    "invalid-input",
                    "The address holds a NUL character (U+0000).",
                    "Remove it: names and text in Covenant cannot hold NUL.",
                    signed_in=False,
                )
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)


def install(app: FastAPI) -> None:
    """Answer the UI's framework errors with pages; call after the API's handlers are set."""
    _wrapped(app, CovenantError, error_page)
    _wrapped(app, HTTPException, http_page)
    _wrapped(app, RequestValidationError, validation_page)
    _wrapped(app, Exception, internal_page)
    app.add_middleware(RefuseNulPages)
