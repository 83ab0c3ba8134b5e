"""The sources page (staff): the pipeline that feeds the SLOs — each Prometheus DataSource,
how far its series were read and why a read failed — and this process's worker, as
``/api/v1/data-sources`` and ``/api/v1/worker`` answer (docs/ui.md)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from covenant.web.core import backend, page, staff
from covenant.web.routes import pages_router

router = pages_router()


@router.get("/sources")
def sources(request: Request) -> Response:
    from covenant.services.source_status import data_sources_json, worker_json

    session = staff(request)
    ctx = backend(request)
    found = data_sources_json(ctx.engine(), ctx.workspace())
    return page(
        "sources.html",
        session=session,
        title="Sources",
        at=ctx.clock(),
        sources=found,
        worker=worker_json(ctx.worker),
    )
