"""Domain errors as HTTP answers, in one place, with one body: ``{code, message, hint}``.

The codes are the CLI's (``covenant.errors``; ``covenant explain CODE``). Bad input of any kind
is a 4xx. Anything unexpected is logged with its traceback and answered ``internal-error``
(500) without details, so an internal name never reaches a client through an exception text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from inspect import isawaitable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException

from covenant.errors import (
    HTTP_NAMES,
    AuthenticationError,
    BodyTooLargeError,
    ConflictError,
    CovenantError,
    DefinitionError,
    ForbiddenError,
    IngestError,
    InputError,
    MinutesPendingError,
    NotFoundError,
    NothingIngestedError,
    Problem,
    SourceError,
    StoreError,
    TamperedError,
)
from covenant.render.statement_doc import PdfUnavailableError
from covenant.services.report_json import definition_problems
from covenant.services.store_refusals import outage

log = logging.getLogger("covenant.api")

INTERNAL = "internal-error"
METHOD_NOT_ALLOWED = "method-not-allowed"


class ErrorBody(BaseModel):
    """Every error answer of the API."""

    code: str
    message: str
    hint: str = ""
    problems: list[dict[str, str]] | None = None  # invalid-definition: each problem


_STATUS: tuple[tuple[type[CovenantError], int], ...] = (  # the first that matches, in order
    (AuthenticationError, 401),
    (ForbiddenError, 403),
    (NotFoundError, 404),
    (TamperedError, 409),
    (ConflictError, 409),
    (DefinitionError, 422),
    (NothingIngestedError, 422),
    (BodyTooLargeError, 413),
    (InputError, 400),
    (IngestError, 400),
    (SourceError, 502),
    (StoreError, 503),
    (PdfUnavailableError, 503),
)

RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (400, "Bad input: the message names the parameter and the fix"),
        (401, "No valid API token (unauthenticated)"),
        (403, "The token's role may not use this route (forbidden)"),
        (404, "Not found, or not yours (not-found)"),
        (413, "A request body over the server's --max-body-bytes (body-too-large)"),
        (
            422,
            "A request or definition that does not validate, or a batch of which no row "
            "is stored (nothing-ingested)",
        ),
    )
}
"""The error answers every route documents in the OpenAPI document."""


def status_of(error: CovenantError) -> int:
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 400


def body(code: str, message: str, hint: str = "", **more: Any) -> dict[str, Any]:
    return {"code": code, "message": message, "hint": hint, **more}


def error_response(error: CovenantError) -> JSONResponse:
    more: dict[str, Any] = {}
    if isinstance(error, DefinitionError):
        more["problems"] = definition_problems(error)
    if isinstance(error, NothingIngestedError):  # a batch: the row-by-row answer, none stored
        more |= {
            "rows": error.rows_read,
            "accepted": 0,
            "refused_count": error.rows_rejected,
            "refused": refused_rows(error.refused),
            "unmatched": dict(error.unmatched),
            "unmatched_count": error.rows_unmatched,
        }
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, AuthenticationError) else None
    if isinstance(error, MinutesPendingError):  # the minutes are being read: ask again soon
        headers = {"Retry-After": str(error.retry_after_s)}
    message, hint = error.worded(HTTP_NAMES)
    return JSONResponse(
        body(error.code, message, hint or f"run: {error.explain}", **more),
        status_code=status_of(error),
        headers=headers,
    )


def refused_rows(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    """A batch's refused rows as its answer lists them: ``row`` is the 0-based position in
    ``events`` (a problem's line is row + 1)."""
    rows = []
    for p in problems:
        if p.severity != "error":
            continue
        line = p.where.rpartition(":")[2]
        rows.append(
            {
                "row": int(line) - 1 if line.isdigit() else None,
                "code": p.code,
                "field": p.field,
                "message": p.message,
            }
        )
    return rows


def _field(loc: Any) -> str:
    return ".".join(str(part) for part in loc)


async def _covenant(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CovenantError)
    return error_response(exc)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    if first.get("type") == "json_invalid":
        return await _not_json(request, first)
    where = _field(first.get("loc", ()))
    message = f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg"))
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more)"
    return JSONResponse(
        body(
            InputError.code,
            message,
            "fix the named parameter or field; GET /api/v1/openapi.json describes every route",
        ),
        status_code=422,
    )


async def _not_json(request: Request, error: Any) -> JSONResponse:
    """A body that is not JSON, said at its line and column (FastAPI says "body.7: JSON decode
    error", the 7 a character offset)."""
    loc = error.get("loc", ())
    offset = loc[-1] if loc and isinstance(loc[-1], int) else None
    reason = str((error.get("ctx") or {}).get("error", "")) or "not JSON"
    where = ""
    if offset is not None:
        before = (await request.body())[:offset].decode("utf-8", "replace")
        line = before.count("\n") + 1
        where = f" at line {line}, column {len(before) - (before.rfind(chr(10)) + 1) + 1}"
    return JSONResponse(
        body(
            InputError.code,
            f"the request body is not valid JSON{where}: {reason}",
            "send the JSON object the route's schema describes (GET /api/v1/openapi.json), "
            "with Content-Type: application/json",
        ),
        status_code=422,
    )


async def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        content = body(
            NotFoundError.code,
            "no such route",
            "GET /api/v1/openapi.json lists every route",
        )
    elif exc.status_code == 405:
        content = body(
            METHOD_NOT_ALLOWED,
            "this route does not take that method",
            "GET /api/v1/openapi.json lists each route's methods",
        )
    else:
        content = body(f"http-{exc.status_code}", str(exc.detail), "")
    return JSONResponse(content, status_code=exc.status_code, headers=exc.headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(
        body(
            INTERNAL,
            "the server failed on this request; it was logged",
            "report it with the time of the request; retrying will not help",
        ),
        status_code=500,
    )


async def _store(request: Request, exc: Exception) -> Any:
    """A driver error no route turned into a ``StoreError``: the store's outage (the connection
    lost mid-request, the disk full, …) is ``503`` with the database's reason and "retry", as the
    routes' own store errors are (an HTML page under ``/ui``); any other is unexpected."""
    error = outage(f"answer {request.method} {request.url.path}", exc)
    if error is None:
        handle = request.app.exception_handlers[Exception]
    else:
        log.warning("%s %s: %s", request.method, request.url.path, error.message)
        handle, exc = request.app.exception_handlers[CovenantError], error
    found = handle(request, exc)
    return await found if isawaitable(found) else found


class RefuseNul:
    """ASGI middleware: a NUL character (U+0000) in the path or the query string is answered
    400 ``invalid-input`` naming the parameter. PostgreSQL text cannot hold one: a NUL that
    reached a query would be a store error (5xx) on PostgreSQL and a stored NUL on SQLite."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            where = _nul_in(scope.get("path", ""), scope.get("query_string", b""))
            if where is not None:
                response = JSONResponse(
                    body(
                        InputError.code,
                        f"{where} holds a NUL character (U+0000)",
                        "remove it: names, keys and text in Covenant cannot hold NUL",
                    ),
                    status_code=400,
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _nul_in(path: str, query: bytes) -> str | None:
    """Where a NUL is: ``path`` or ``query parameter 'name'`` (None: nowhere)."""
    if "\x00" in path:
        return "the path"
    if b"%00" not in query and b"\x00" not in query:
        return None
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return f"query parameter {name.replace(chr(0), '?')!r}"
    return None


def install(app: FastAPI) -> None:
    """Register the handlers (and the NUL guard) on ``app``."""
    app.add_middleware(RefuseNul)
    app.add_exception_handler(CovenantError, _covenant)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(SQLAlchemyError, _store)
    app.add_exception_handler(Exception, _unexpected)
