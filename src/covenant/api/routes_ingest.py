"""``POST /ingest/prometheus``, for writers: read a range from each SLI's Prometheus DataSource
into the store, as ``covenant ingest prometheus --from --to [--slo]`` does, answered with the
summary its ``--format json`` prints (``services.read_report``, one form for both)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from covenant.api.deps import Ctx, allow, parse_at
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
    from covenant.services.prometheus import ingest_prometheus as compute
    from covenant.services.read_report import failed_text, report_json, workspace_reads

    now = ctx.clock()
    start = parse_at(read.start, now=now, name="from")
    end = parse_at(read.end, now=now, name="to")
    reads = workspace_reads(ctx.workspace(), slos=read.slo)
    reports = compute(ctx.engine(), reads=reads, start=start, end=end, now=now)
    rows = [report_json(r) for r in reports]
    failed = [r for r in reports if r.error is not None]
    if not failed:
        return {"series": rows}
    first = failed[0]
    assert first.error is not None
    message = f"reading from {first.source} failed: {failed_text(first, fix=False)}"
    if len(failed) > 1:
        message += f" (and {len(failed) - 1} more series failed: see series)"
    return JSONResponse(
        body(first.error.code, message, first.error.hint, series=rows), status_code=502
    )
