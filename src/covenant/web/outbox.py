"""The notice outbox's page (admins): rows per status and the newest rows, as `covenant alerts
outbox` and ``GET /api/v1/alerts/outbox`` show them, with its retry and prune (``POST
/api/v1/alerts/outbox/retry|prune``: the same services, recorded in the audit log under the
signed-in user), each answered with a redirect back to the page and a note of what was done
(Post/Redirect/Get: a reload sends nothing again) (docs/ui.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from covenant.errors import CovenantError, InputError
from covenant.services.users import Session
from covenant.web.core import BASE, admin, backend, page
from covenant.web.form_pages import posted_form
from covenant.web.routes import pages_router, query_count

router = pages_router()

STATUSES = ("pending", "failed", "sent")
LIMITS = (20, 100, 1000)
NOTICES = "a count of notices"


def _outbox_page(
    request: Request, session: Session, *, status: str | None, limit: int, done: str | None
) -> Response:
    from covenant.services.delivery_outbox import outbox_row_json, outbox_view

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
    return _outbox_page(request, session, status=status, limit=int(text), done=_done(request))


def _done(request: Request) -> str | None:
    """The note after a retry or a prune (their redirect's ``retried=N`` or ``pruned=N&before=
    INSTANT``), in the words their answers use; the counts are the only state carried."""
    from datetime import datetime

    from covenant.core.timeutil import require_utc
    from covenant.services.delivery import RETENTION, configured_retention
    from covenant.services.outbox_pruning import OutboxPruning

    retried = query_count(request, "retried", what=NOTICES)
    if retried is not None:
        return (
            f"{retried} failed notice(s) put back to pending: the dispatcher sends them on its "
            "next claim"
            if retried
            else "No notice had failed: nothing to retry"
        )
    pruned = query_count(request, "pruned", what=NOTICES)
    if pruned is None:
        return None
    before = request.query_params.get("before", "")
    try:
        sent_before = require_utc(datetime.fromisoformat(before))
    except (ValueError, CovenantError):
        raise InputError(
            f"before {before[:40]!r} is not a UTC instant", hint="before=2026-11-13T12:00:00Z"
        ) from None
    configured = configured_retention(backend(request).workspace())
    return OutboxPruning(
        pruned=pruned,
        retention=configured or RETENTION,
        configured=configured is not None,
        sent_before=sent_before,
        counts={},
    ).message


@router.post("/alerts/outbox/retry")
async def outbox_retry(request: Request) -> Response:
    """Every failed notice back to pending, as ``POST /api/v1/alerts/outbox/retry``; then
    back to the page (303) with what was done."""
    from covenant.services.delivery import retry_failed

    session, ctx = await _checked(request)
    retried = retry_failed(ctx.engine(), now=ctx.clock(), actor=session.actor)
    return _back(retried=str(retried))


@router.post("/alerts/outbox/prune")
async def outbox_prune(request: Request) -> Response:
    """The sent notices past the retention deleted, as ``POST /api/v1/alerts/outbox/prune``;
    then back to the page (303) with what was done."""
    from covenant.core.timeutil import utc_iso
    from covenant.services.outbox_pruning import prune_outbox

    session, ctx = await _checked(request)
    found = prune_outbox(
        ctx.engine(), workspace=ctx.workspace(), now=ctx.clock(), actor=session.actor
    )
    return _back(pruned=str(found.pruned), before=utc_iso(found.sent_before))


def _back(**note: str) -> RedirectResponse:
    """Post/Redirect/Get: a reload of the answer sends nothing again."""
    return RedirectResponse(f"{BASE}/alerts/outbox?" + urlencode(note), status_code=303)


async def _checked(request: Request) -> tuple[Session, Any]:
    session, _ = await posted_form(request, admin)  # the form: its CSRF token only
    return session, backend(request)
