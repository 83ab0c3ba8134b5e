"""``POST /ingest/prometheus``, for writers: read a range from each SLI's Prometheus DataSource
into the store, as ``covenant ingest prometheus --from --to [--slo]`` does, answered with the
summary its ``--format json`` prints (``services.read_report``, one form for both)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from covenant.api.deps import Ctx, allow
from covenant.api.errors import RESPONSES, body
from covenant.core.access import WRITERS

router = APIRouter(
    responses={
        **RESPONSES,
        502: {"description": "A series' read failed: the source named, what was read kept"},
    },
    dependencies=[Depends(allow(WRITERS))],
    tags=["sources"],
)


class PrometheusRead(BaseModel):
    start: str = Field(
        alias="from",
        max_length=64,
        description="The first instant to read (floored to the minute): ISO-8601 with Z or an "
        "offset, or relative to now as the CLI's --from (-30d, -3M).",
    )
    end: str = Field(
        default="now",
        alias="to",
        max_length=64,
        description="The instant to read up to, excluded (floored to the minute; one after now "
        "reads up to now). Default: now.",
    )
    slo: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="Read only these SLOs' SLIs (default: every SLI that reads Prometheus).",
    )


@router.post("/ingest/prometheus")
def ingest_prometheus(ctx: Ctx, read: PrometheusRead) -> Any:
    """Read ``[from, to)`` of the workspace's Prometheus SLIs (those of ``slo``) into the
    store, as `covenant ingest prometheus` does; answered when done with what its ``--format
    json`` prints: ``series``, one row per series read. A range read again replaces what was
    stored for it. A read that failed (a source that is down, slow or answers garbage) is
    ``502`` with the first failure's code, naming the series and its source, and the same
    ``series`` rows: what was read before it stays stored, as the command keeps it."""
    from covenant.services.prometheus_read import read_range

    done = read_range(
        ctx.engine(),
        ctx.workspace(),
        start=read.start,
        end=read.end,
        slos=read.slo,
        now=ctx.clock(),
    )
    if not done.failed:
        return {"series": done.series}
    assert done.code is not None
    assert done.message is not None
    return JSONResponse(
        body(done.code, done.message, done.hint, series=done.series), status_code=502
    )
