"""The tickets page (staff): the tickets created in the last 30 days, newest first, each with
its status now; for editors and admins the forms that record one ticket and move one into or
out of a pause state (its clock stops while it waits on the customer), as ``POST
/api/v1/tickets`` and ``.../pause`` / ``.../resume`` do: the same services
(``services.record_changes``), recorded in the audit log under the signed-in user. A form
answers with a redirect (Post/Redirect/Get) and a note; a refused one is the page again, each
problem beside its field and the form as typed (docs/ui.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from covenant.services.record_changes import LABEL_MOST, NAME_MOST
from covenant.web.core import backend
from covenant.web.form_pages import FieldProblems, FormPage, posted_form
from covenant.web.record_forms import instant, text
from covenant.web.routes import pages_router

router = pages_router()
NOTES = {"created": "Recorded", "changed": "Changed", "paused": "Paused", "resumed": "Resumed"}
LISTED_DAYS = 30
MOST_LISTED = 200


def _versions(request: Request) -> Any:
    """The agreement versions whose pause states count (as the API's pause route reads them)."""
    from covenant.services.agreements import with_recorded_agreements

    ctx = backend(request)
    return with_recorded_agreements(ctx.engine(), ctx.workspace()).agreements


def _listed(request: Request) -> list[dict[str, Any]]:
    """The tickets created in the last ``LISTED_DAYS`` days, newest first, with their status
    now and the pause states of their customer's agreements."""
    from covenant.core.access import Principal, Role
    from covenant.core.tickets import RESOLVED_STATES
    from covenant.services.portal import visible_tickets
    from covenant.services.record_changes import pause_states

    ctx = backend(request)
    now = ctx.clock()
    staff_view = Principal(token_id="ui", role=Role.VIEWER)
    found = visible_tickets(
        ctx.engine(), principal=staff_view, created_from=now - timedelta(days=LISTED_DAYS)
    )
    versions = _versions(request)
    listed = sorted(found, key=lambda t: (t.created, t.id), reverse=True)[:MOST_LISTED]
    timers = _timers_now(request, listed)
    rows = []
    for t in listed:
        status = t.history[-1].status if t.history else "open"
        states = pause_states(versions, t.customer)
        paused, resolved = status in states, status in RESOLVED_STATES
        rows.append(
            {
                "ticket": t,
                "status": status,
                "pause_states": states,
                "paused": paused,
                "resolved": resolved,
                "moves": paused or (not resolved and bool(states)),  # a pause or resume form
                "timers": timers[t.id],
            }
        )
    return rows


def _timers_now(request: Request, tickets: list[Any]) -> dict[str, str]:
    """Per ticket, its support timers' states now as `covenant tickets list` shows them (the
    latest cycle's first-response and resolution timer: ``response met, resolution
    at-risk-75``), from the timers ``GET /api/v1/tickets`` answers; "" without one."""
    from covenant.services.record_listing import tickets_json

    ctx = backend(request)
    now = ctx.clock()
    found = tickets_json(ctx.engine(), workspace=ctx.workspace(), tickets=tickets, at=now, now=now)
    said = {}
    for t in found:
        states = {x["kind"]: x["state"] for x in t["timers"] if not x["superseded"]}
        said[t["id"]] = ", ".join(
            f"{label} {states[kind]}"
            for kind, label in (("first-response", "response"), ("resolution", "resolution"))
            if kind in states
        )
    return said


def _values(request: Request, *, row: str = "", changing: bool = False) -> dict[str, object]:
    """What the page lists; after a refused row form, that row (``row``: the ticket whose form
    was refused; ``changing``: its change form, else its pause or resume form)."""
    ctx = backend(request)
    listed = _listed(request)
    return {
        "tickets": listed,
        "customers": sorted(c.name for c in ctx.workspace().customers),
        "days": LISTED_DAYS,
        "most": MOST_LISTED,
        "row": row,
        "changing": changing,
        # a refused row without that form (resolved, or not listed): its problems atop the page
        "row_form": any(r["ticket"].id == row and (changing or r["moves"]) for r in listed),
    }


PAGE = FormPage("tickets", "tickets.html", "Tickets", NOTES, _values)


@router.get("/tickets")
def tickets_page(request: Request) -> Response:
    return PAGE.asked(request)


@router.post("/tickets")
async def create(request: Request) -> Response:
    """One ticket, as ``POST /api/v1/tickets``: its history starts ``open`` at creation."""
    from covenant.core.tickets import Ticket
    from covenant.services.record_changes import create_ticket

    session, fields = await posted_form(request)
    ctx = backend(request)
    now = ctx.clock()
    problems = FieldProblems()
    ticket_id = text(fields, "id", problems, most=NAME_MOST)
    customer = text(fields, "customer", problems, most=NAME_MOST)
    priority = text(fields, "priority", problems, most=LABEL_MOST)
    created = instant(fields, "created", problems, now=now)
    first_response = instant(fields, "first_response", problems, now=now, required=False)
    resolved = instant(fields, "resolved", problems, now=now, required=False)
    if not problems and created is not None:
        with problems.caught():  # nothing written
            ticket = Ticket(
                id=ticket_id,
                customer=customer,
                priority=priority,
                created=created,
                first_response=first_response,
                resolved=resolved,
            )
            customers = [c.name for c in ctx.workspace().customers]
            create_ticket(
                ctx.engine(), ticket=ticket, customers=customers, at=now, actor=session.actor
            )
    if problems:
        return PAGE.shown(request, session, problems=problems, typed=fields)
    return PAGE.done(created=ticket_id)


@router.post("/tickets/{ticket_id:path}/pause")
async def pause(request: Request, ticket_id: str) -> Response:
    """Pause a ticket's timers, as ``POST /api/v1/tickets/{id}/pause``: into a pause state of
    its customer's agreements (the first unless one is chosen), at ``at`` (blank: now)."""
    from covenant.services.record_changes import pause_ticket

    return await _move(request, ticket_id, pause_ticket, "paused", "")


@router.post("/tickets/{ticket_id:path}/resume")
async def resume(request: Request, ticket_id: str) -> Response:
    """Resume a paused ticket, as ``POST /api/v1/tickets/{id}/resume`` (to ``open``)."""
    from covenant.services.record_changes import resume_ticket

    return await _move(request, ticket_id, resume_ticket, "resumed", "open")


async def _move(request: Request, ticket_id: str, move: Any, done: str, status: str) -> Response:
    session, fields = await posted_form(request)
    ctx = backend(request)
    problems = FieldProblems()
    moment = instant(fields, "at", problems, now=ctx.clock(), required=False)
    chosen = text(fields, "status", problems, most=LABEL_MOST, required=False) or status or None
    if not problems:
        with problems.caught(missing_is_page=True):  # nothing written
            move(
                ctx.engine(),
                ticket_id=ticket_id,
                at=moment or ctx.clock(),
                versions=_versions(request),
                status=chosen,
                actor=session.actor,
            )
    if problems:
        return PAGE.shown(request, session, problems=problems, typed=fields, row=ticket_id)
    return PAGE.done(**{done: ticket_id})


@router.post("/tickets/{ticket_id:path}/change")
async def change(request: Request, ticket_id: str) -> Response:
    """Change a ticket, as ``PATCH /api/v1/tickets/{id}``: its priority, first response,
    resolution, or a status appended (at ``status_at``, blank: now); a blank field is no
    change. An unknown ticket is the error page (``not-found``)."""
    from covenant.core.tickets import StatusChange
    from covenant.errors import InputError
    from covenant.services.record_changes import update_ticket

    session, fields = await posted_form(request)
    ctx = backend(request)
    now = ctx.clock()
    problems = FieldProblems()
    priority = text(fields, "priority", problems, most=LABEL_MOST, required=False)
    first_response = instant(fields, "first_response", problems, now=now, required=False)
    resolved = instant(fields, "resolved", problems, now=now, required=False)
    status = text(fields, "status", problems, most=LABEL_MOST, required=False)
    status_at = instant(fields, "status_at", problems, now=now, required=False)
    if fields.get("status_at", "").strip() and not status:
        problems.add("status", InputError("status_at without a status", hint="give the status"))
    given = (priority, fields.get("first_response", "").strip(), fields.get("resolved", "").strip())
    if not problems and not status and not any(given):
        hint = "give a priority, a first response, a resolution or a status"
        problems.add("general", InputError("nothing to change", hint=hint))
    if not problems:  # the service's "at" is the form's status_at
        with problems.caught(missing_is_page=True, renamed={"at": "status_at"}):
            update_ticket(
                ctx.engine(),
                ticket_id=ticket_id,
                at=now,
                priority=priority or None,
                first_response=first_response,
                resolved=resolved,
                status=StatusChange(at=status_at or now, status=status) if status else None,
                actor=session.actor,
            )
    if problems:
        return PAGE.shown(
            request, session, problems=problems, typed=fields, row=ticket_id, changing=True
        )
    return PAGE.done(changed=ticket_id)
