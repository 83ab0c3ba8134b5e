"""The pipeline that feeds the SLOs, for staff: the Prometheus DataSources and how far each
series was read (or why its latest read failed), and this process's worker (``covenant
serve``'s: its ticks, failures and the latest error, which otherwise only reach the log)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from covenant.api.deps import Ctx, allow
from covenant.api.errors import RESPONSES
from covenant.core.access import INTERNAL_READERS

router = APIRouter(responses=RESPONSES)
Staff = [Depends(allow(INTERNAL_READERS))]


@router.get("/data-sources", dependencies=Staff, tags=["sources"])
def data_sources(ctx: Ctx) -> dict[str, Any]:
    """Every DataSource an SLI reads from: how it is reached (``auth`` names environment
    variables, ``headers`` only names), its series by read state, and per series the instant it
    is read up to, its latest read, and its latest read's error (``code``: docs/errors.md)."""
    from covenant.services.source_status import data_sources_json

    return {"items": data_sources_json(ctx.engine(), ctx.workspace())}


@router.get("/data-sources/{name}", dependencies=Staff, tags=["sources"])
def data_source(ctx: Ctx, name: str) -> dict[str, Any]:
    """One DataSource, as ``GET /data-sources`` lists it (``not-found`` when no SLI reads it)."""
    from covenant.services.source_status import data_sources_json

    (found,) = data_sources_json(ctx.engine(), ctx.workspace(), name=name)
    return found


@router.get("/worker", dependencies=Staff, tags=["sources"])
def worker(ctx: Ctx) -> dict[str, Any]:
    """This process's worker: whether it runs and leads (one process of a store leads), how
    many ticks ran and failed, when, and the latest failure's error (null once a tick ran)."""
    from covenant.services.source_status import worker_json

    return worker_json(ctx.worker)
