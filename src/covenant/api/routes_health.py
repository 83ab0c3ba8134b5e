"""Liveness and readiness for load balancers and orchestrators, outside ``/api/v1`` and without
a token: ``/healthz`` says the process answers; ``/readyz`` says whether it can serve (the store
opens and answers, the workspace's definitions validate) and whether this process leads the
worker (``worker``: ``off``, or ``{leading, ticks}``; a follower is ready too), and which
process answered (``pid``). Neither names a
file, a table or a definition, so an unauthenticated caller learns nothing about the workspace."""

from __future__ import annotations

import logging
import os

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from covenant.api.deps import context
from covenant.errors import CovenantError, DefinitionError

router = APIRouter(include_in_schema=False)
log = logging.getLogger("covenant.api")


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    shared = context(request)
    checks = {"store": "ok", "definitions": "ok"}
    try:
        from sqlalchemy import text  # the store layer is loaded on first use

        with shared.engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any failure means "not ready"; the log keeps the reason
        log.exception("readiness: the store does not answer")
        checks["store"] = "unavailable"
    try:
        shared.workspace()
    except DefinitionError as exc:  # the log says which file and line, in words
        log.warning("readiness: %s", exc.listed())
        checks["definitions"] = "invalid"
    except CovenantError as exc:
        log.warning("readiness: the workspace's definitions cannot be read: %s", exc)
        checks["definitions"] = "invalid"
    ready = all(value == "ok" for value in checks.values())
    body: dict[str, object] = {"status": "ready" if ready else "not ready", "checks": checks}
    loop = shared.worker
    # whether this process runs the worker now (several servers on one store elect one)
    body["worker"] = "off" if loop is None else {"leading": loop.leading, "ticks": loop.ticks}
    body["pid"] = os.getpid()  # which process answered (`covenant serve --workers N`)
    return JSONResponse(body, status_code=200 if ready else 503)
