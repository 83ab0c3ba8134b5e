"""The incidents page (staff): the incidents of the last 30 days (open ones included), latest
start first; for editors and admins the forms that record one incident and end an open one, as
``POST /api/v1/incidents`` and ``PATCH /api/v1/incidents/{id}`` with its ``end`` do: the same
services (``services.record_changes``), recorded in the
audit log under the signed-in user. Answered with a redirect (Post/Redirect/Get) and a note; a
refused form is the page again, each problem beside its field and the form as typed
(docs/ui.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from covenant.services.record_changes import LABEL_MOST, NAME_MOST
from covenant.web.core import backend
from covenant.web.form_pages import FieldProblems, FormPage, posted_form
from covenant.web.record_forms import instant, names, text
from covenant.web.routes import pages_router

router = pages_router()
NOTES = {"created": "Recorded", "ended": "Ended"}
LISTED_DAYS = 30
FLAGS = (  # the API's booleans, as the form's boxes
    ("customer_caused", "Customer-caused"),
    ("force_majeure", "Force majeure"),
    ("planned_maintenance", "Planned maintenance"),
)


def _listed(request: Request) -> list[Any]:
    """The incidents overlapping the last ``LISTED_DAYS`` days, latest start first."""
    from covenant.core.access import Principal, Role
    from covenant.services.portal import visible_incidents

    ctx = backend(request)
    now = ctx.clock()
    found = visible_incidents(
        ctx.engine(),
        principal=Principal(token_id="ui", role=Role.VIEWER),
        start=now - timedelta(days=LISTED_DAYS),
        end=None,
        at=now,
    )
    return sorted(found, key=lambda i: (i.start, i.id), reverse=True)


def _values(request: Request, *, row: str = "") -> dict[str, object]:
    """What the page lists; after a refused row form, that row (``row``: its incident)."""
    from covenant.services.workspace import definitions_of

    ctx = backend(request)
    listed = _listed(request)
    return {
        "incidents": listed,
        "customers": sorted(c.name for c in ctx.workspace().customers),
        "services": sorted(d.name for d in definitions_of(ctx.workspace(), "Service")),
        "flags": FLAGS,
        "days": LISTED_DAYS,
        "row": row,
        # a refused row without its form (ended, or not listed): its problems atop the page
        "row_form": any(i.id == row and i.end is None for i in listed),
    }


PAGE = FormPage("incidents", "incidents.html", "Incidents", NOTES, _values)


@router.get("/incidents")
def incidents_page(request: Request) -> Response:
    return PAGE.asked(request)


@router.post("/incidents")
async def create(request: Request) -> Response:
    """One incident, as ``POST /api/v1/incidents`` (open while it has no end)."""
    from covenant.core.agreements import Incident
    from covenant.services.record_changes import create_incident

    session, fields = await posted_form(request)
    ctx = backend(request)
    now = ctx.clock()
    problems = FieldProblems()
    incident_id = text(fields, "id", problems, most=NAME_MOST)
    services = names(fields, "services", problems, most=100, required=True)
    start = instant(fields, "start", problems, now=now)
    end = instant(fields, "end", problems, now=now, required=False)
    # blank: none, as the API and a file row without one (never a severity nobody gave)
    severity = text(fields, "severity", problems, most=LABEL_MOST, required=False)
    customers = names(fields, "customers", problems, most=1000)
    if not problems and start is not None:
        with problems.caught():  # nothing written
            incident = Incident(
                id=incident_id,
                services=tuple(services),
                start=start,
                end=end,
                severity=severity,
                customers=tuple(customers),
                **{flag: bool(fields.get(flag)) for flag, _ in FLAGS},
            )
            known = [c.name for c in ctx.workspace().customers]
            create_incident(
                ctx.engine(), incident=incident, customers=known, at=now, actor=session.actor
            )
    if problems:
        return PAGE.shown(request, session, problems=problems, typed=fields)
    return PAGE.done(created=incident_id)


@router.post("/incidents/{incident_id:path}/end")
async def end(request: Request, incident_id: str) -> Response:
    """End an open incident at ``end`` (blank: now), as ``PATCH /api/v1/incidents/{id}`` with
    its ``end``; an unknown incident is the error page (``not-found``)."""
    from covenant.services.record_changes import update_incident

    session, fields = await posted_form(request)
    ctx = backend(request)
    problems = FieldProblems()
    moment = instant(fields, "end", problems, now=ctx.clock(), required=False)
    if not problems:
        with problems.caught(missing_is_page=True):  # nothing written
            update_incident(
                ctx.engine(),
                incident_id=incident_id,
                at=ctx.clock(),
                customers_known=(),
                actor=session.actor,
                open_only=True,  # "End" ends an open incident, never moves an end
                end=moment or ctx.clock(),
            )
    if problems:
        return PAGE.shown(request, session, problems=problems, typed=fields, row=incident_id)
    return PAGE.done(ended=incident_id)
