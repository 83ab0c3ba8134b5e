"""Alerts: the alert history of an SLO or an agreement (staff, as on their web pages) and the
notice outbox (admins, as `covenant alerts outbox`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from covenant.api.deps import Ctx, Who, actor, allow
from covenant.api.errors import RESPONSES
from covenant.core.access import ADMINS, INTERNAL_READERS

router = APIRouter(responses=RESPONSES)
Staff = [Depends(allow(INTERNAL_READERS))]
Admin = [Depends(allow(ADMINS))]

Steps = Annotated[
    int,
    Query(ge=1, le=1000, description="The newest rows of the alert history answered (1–1000)."),
]


def _history_json(found: Any) -> dict[str, Any]:
    from covenant.services.slo_pages import alert_history_json

    return alert_history_json(found)


@router.get("/slos/{name}/alerts", dependencies=Staff, tags=["slos"])
def slo_alerts(ctx: Ctx, name: str, limit: Steps = 50) -> dict[str, Any]:
    """The burn-rate alerts of the SLO ``name`` (every objective): each alert's state now
    (``alerts``) and its transitions on record, newest first (``items``), as its web page
    lists them."""
    from covenant.services.slo_pages import slo_alert_history

    workspace = ctx.workspace()
    known = any(d.kind == "SLO" and d.name == name for d in workspace.documents)
    found = slo_alert_history(ctx.engine(), slo=name, known=known, limit=limit)
    return {"slo": name, **_history_json(found)}


@router.get("/agreements/{name}/alerts", dependencies=Staff, tags=["agreements"])
def agreement_alerts(ctx: Ctx, who: Who, name: str, limit: Steps = 50) -> dict[str, Any]:
    """The alerts of the stored agreement ``name`` (support timers at risk or breached,
    credits forecast, claim deadlines): each alert's state now (``alerts``) and its
    transitions on record, newest first (``items``), as its web page lists them."""
    from covenant.services.portal import visible_agreement
    from covenant.services.slo_pages import agreement_alert_history

    visible_agreement(ctx.engine(), principal=who, name=name, at=ctx.clock())
    found = agreement_alert_history(ctx.engine(), agreement=name, limit=limit)
    return {"agreement": name, **_history_json(found)}


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


@router.get("/alerts/outbox", dependencies=Admin, tags=["alerts"])
def list_outbox(
    ctx: Ctx,
    status: OutboxStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=10000, description="Rows answered.")] = 20,
) -> dict[str, Any]:
    """The notice outbox: rows per status and the newest rows (of ``status``), newest first
    (``counts`` and ``rows`` of `covenant alerts outbox --format json`)."""
    from covenant.services.delivery_outbox import outbox_row_json, outbox_view

    view = outbox_view(ctx.engine(), status=None if status is None else status.value, limit=limit)
    return {"counts": view.counts, "rows": [outbox_row_json(r) for r in view.rows]}


@router.post("/alerts/outbox/retry", dependencies=Admin, tags=["alerts"])
def retry_outbox(ctx: Ctx, who: Who) -> dict[str, Any]:
    """Put every failed notice back to pending (`covenant alerts outbox --retry`); a running
    dispatcher sends them on its next claim. Answers how many (``retried``); recorded in the
    audit log."""
    from covenant.services.delivery import retry_failed

    return {"retried": retry_failed(ctx.engine(), now=ctx.clock(), actor=actor(who))}


@router.post("/alerts/outbox/prune", dependencies=Admin, tags=["alerts"])
def prune_outbox(ctx: Ctx, who: Who) -> dict[str, Any]:
    """Delete the sent notices older than the workspace's retention (`covenant alerts outbox
    --prune`, what a running dispatcher does every hour): its Settings ``outboxRetention``, else
    7 days (``retention_from``: ``settings`` or ``default``). A firing notice whose resolution
    is not in the outbox yet is kept; pending and failed notices are never deleted. Answers how
    many (``pruned``), the retention, the cut-off (``sent_before``), the rows per status after
    (``counts``) and a ``message`` saying so; recorded in the audit log when it deleted any."""
    from covenant.services import outbox_pruning

    found = outbox_pruning.prune_outbox(
        ctx.engine(), workspace=ctx.workspace(), now=ctx.clock(), actor=actor(who)
    )
    return outbox_pruning.pruning_json(found)
