"""The notice outbox's page (admins): rows per status and the newest rows, as `covenant alerts
outbox` and ``GET /api/v1/alerts/outbox`` show them, with its retry and prune (``POST
/api/v1/alerts/outbox/retry|prune``: the same services, recorded in the audit log under the
signed-in user) (docs/ui.md)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from covenant.errors import InputError
from covenant.services.users import Session
from covenant.web.core import admin, backend, check_csrf, form, page
from covenant.web.routes import pages_router

router = pages_router()

STATUSES = ("pending", "failed", "sent")
LIMITS = (20, 100, 1000)


def _outbox_page(
    request: Request, session: Session, *, status: str | None, limit: int, done: str | None
) -> Response:
    from covenant.services.delivery import outbox_row_json, outbox_view

    view = outbox_view(backend(request).engine(), status=status, limit=limit)
    return page(
        "outbox.html",
        session=session,
        title="Alert outbox",
        counts={s: view.counts.get(s, 0) for s in STATUSES},
        rows=[outbox_row_json(r) for r in view.rows],
        statuses=STATUSES,
        chosen=status,
        limit=limit,
        limits=LIMITS,
        done=done,
    )


@router.get("/alerts/outbox")
def outbox_page(request: Request) -> Response:
    session = admin(request)
    status = request.query_params.get("status", "").strip() or None
    if status is not None and status not in STATUSES:
        raise InputError(
            f"status={status[:20]!r} is not an outbox status",
            hint="give one of: " + ", ".join(STATUSES),
        )
    text = request.query_params.get("limit", "").strip() or str(LIMITS[0])
    if not text.isdigit() or not 1 <= int(text) <= 10000:
        raise InputError(f"limit {text[:20]!r} is not a number from 1 to 10000", hint="limit=20")
    return _outbox_page(request, session, status=status, limit=int(text), done=None)


@router.post("/alerts/outbox/retry")
async def outbox_retry(request: Request) -> Response:
    """Every failed notice back to pending, as ``POST /api/v1/alerts/outbox/retry``."""
    from covenant.services.delivery import retry_failed

    session, ctx = await _checked(request)
    retried = retry_failed(ctx.engine(), now=ctx.clock(), actor=session.actor)
    done = (
        f"{retried} failed notice(s) put back to pending: the dispatcher sends them on its "
        "next claim"
        if retried
        else "No notice had failed: nothing to retry"
    )
    return _outbox_page(request, session, status=None, limit=LIMITS[0], done=done)


@router.post("/alerts/outbox/prune")
async def outbox_prune(request: Request) -> Response:
    """The sent notices past the retention deleted, as ``POST /api/v1/alerts/outbox/prune``."""
    from covenant.services.outbox_pruning import prune_outbox

    session, ctx = await _checked(request)
    found = prune_outbox(
        ctx.engine(), workspace=ctx.workspace(), now=ctx.clock(), actor=session.actor
    )
    return _outbox_page(request, session, status=None, limit=LIMITS[0], done=found.message)


async def _checked(request: Request) -> tuple[Session, Any]:
    session = admin(request)
    fields = await form(request)
    check_csrf(request, fields, session.csrf)
    return session, backend(request)
