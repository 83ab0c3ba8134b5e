"""``/metrics`` for Prometheus, for internal roles only (a token: Prometheus sends it with
``authorization: {credentials: …}`` in its scrape config). Served at ``/metrics``, where
Prometheus looks by default, and at ``/api/v1/metrics`` (the same, in the OpenAPI document)."""

from __future__ import annotations

import os
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

PROCESS_HEADER = "X-Covenant-Process"

TEXT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/plain": {}}, "description": "Prometheus text format 0.0.4"}
}


@router.get("/metrics", response_class=Response, responses=TEXT)
@scrape.get("/metrics", response_class=Response)
def metrics(ctx: Ctx) -> Response:
    """Per SLO: SLI, budget left, burn rates, status, alert state; per agreement: measured and
    projected level, tier chances, money at risk, ticket timers by state (docs/worker.md#metrics).
    The worker's latest tick, as it published it for every server process; the header
    ``X-Covenant-Process`` names the process that answered."""
    from covenant.render.metrics import CONTENT_TYPE
    from covenant.services.metrics import SharedMetrics

    if ctx.metrics is None:
        ctx.metrics = SharedMetrics()
    body = ctx.metrics.page(ctx.engine(), workspace=ctx.workspace, now=ctx.clock())
    headers = {PROCESS_HEADER: str(os.getpid())}
    return Response(content=body, media_type=CONTENT_TYPE, headers=headers)
