"""A chosen past range read from Prometheus (editors, admins), from the sources page's form:
``from``/``to`` as the CLI's ``--from``/``--to`` and the SLOs to read, read into the store by
``services.prometheus_read`` as ``POST /api/v1/ingest/prometheus`` and `covenant ingest
prometheus` read it, answered with the summary of each series read. A read that failed names
its source; what was read before it stays stored (docs/ui.md)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from covenant.errors import HTTP_NAMES, InputError
from covenant.web.core import backend, check_csrf, form_lists, page, writer
from covenant.web.routes import pages_router

router = pages_router()
LONGEST = 64  # characters of an instant, as the API's field
MOST_SLOS = 100  # as the API's ``slo`` list


def readable_slos(workspace: Any) -> list[str]:
    """The SLOs whose SLIs read a Prometheus DataSource (the form's choices)."""
    found = workspace.prometheus
    return sorted({slo for read in (found.reads if found else ()) for slo in read.slos})


@router.post("/sources/prometheus-read")
async def prometheus_read(request: Request) -> Response:
    """Read ``[from, to)`` of the chosen SLOs' series (none chosen: every one) into the store;
    answered with this page (a reload reads the same range again, replacing what it stored)."""
    from starlette.concurrency import run_in_threadpool

    from covenant.services.prometheus_read import read_range

    session = writer(request)
    fields = await form_lists(request)
    check_csrf(request, {"csrf": (fields.get("csrf") or [""])[0]}, session.csrf)
    ctx = backend(request)
    start = (fields.get("from") or [""])[0].strip()
    end = (fields.get("to") or [""])[0].strip() or "now"
    slos = [s for s in fields.get("slo", []) if s]
    values = {"from": start, "to": end, "slo": slos}
    workspace = ctx.workspace()
    choices = readable_slos(workspace)

    def answer(status: int, **more: Any) -> Response:
        return page(
            "prometheus_read.html",
            session=session,
            status=status,
            title="Read a range from Prometheus",
            values=values,
            slo_choices=choices,
            **more,
        )

    problem = _refused(start, end, slos)
    if problem is not None:
        return answer(400, problem=problem)
    try:
        done = await run_in_threadpool(
            read_range, ctx.engine(), workspace, start=start, end=end, slos=slos, now=ctx.clock()
        )
    except InputError as refused:  # a bad instant or SLO: beside the form, as typed
        message, hint = refused.worded(HTTP_NAMES)
        return answer(400, problem={"code": refused.code, "message": message, "hint": hint})
    return answer(502 if done.failed else 200, done=done)


def _refused(start: str, end: str, slos: list[str]) -> dict[str, str] | None:
    if not start:
        return {
            "code": "invalid-input",
            "message": "from is empty",
            "hint": "from=-1d or 2026-11-01T00:00:00Z",
        }
    for name, text in (("from", start), ("to", end)):
        if len(text) > LONGEST:
            return {
                "code": "invalid-input",
                "message": f"{name} is longer than {LONGEST} characters",
                "hint": f"{name}=-1d",
            }
    if len(slos) > MOST_SLOS:
        return {
            "code": "invalid-input",
            "message": f"{len(slos)} SLOs chosen; at most {MOST_SLOS} are read at once",
            "hint": "choose fewer, or none for every one",
        }
    return None
