"""``/metrics`` for Prometheus, for internal roles only (a token: Prometheus sends it with
``authorization: {credentials: …}`` in its scrape config). Served at ``/metrics``, where
Prometheus looks by default, and at ``/api/v1/metrics`` (the same, in the OpenAPI document)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response

from covenant.api.deps import Ctx, allow
from covenant.api.errors import RESPONSES
from covenant.core.access import INTERNAL_READERS

router = APIRouter(responses=RESPONSES, dependencies=[Depends(allow(INTERNAL_READERS))])
scrape = APIRouter(
    responses=RESPONSES,
    dependencies=[Depends(allow(INTERNAL_READERS))],
    include_in_schema=False,
)

TEXT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/plain": {}}, "description": "Prometheus text format 0.0.4"}
}


@router.get("/metrics", response_class=Response, responses=TEXT)
@scrape.get("/metrics", response_class=Response)
def metrics(ctx: Ctx) -> Response:
    """Per SLO: SLI, budget left, burn rates, status, alert state; per agreement: measured and
    projected level, money at risk (docs/worker.md#metrics)."""
    from covenant.render.metrics import CONTENT_TYPE, exposition
    from covenant.services.metrics import metrics_snapshot

    latest = ctx.worker.latest if ctx.worker is not None else None
    snapshot = metrics_snapshot(
        ctx.engine(), workspace=ctx.workspace(), now=ctx.clock(), latest=latest
    )
    return Response(content=exposition(snapshot), media_type=CONTENT_TYPE)
