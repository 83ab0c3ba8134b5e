"""Tickets and incidents as stored (a customer token: its own tickets, and the incidents that
touch its agreements' services)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from covenant.api.deps import At, Ctx, Who, parse_at
from covenant.api.errors import RESPONSES
from covenant.core.agreements import Incident
from covenant.core.tickets import Ticket

router = APIRouter(responses=RESPONSES, tags=["records"])

Instant = Annotated[str | None, Query(max_length=64, description="ISO-8601 with Z or an offset")]


def ticket_json(t: Ticket) -> dict[str, Any]:
    return {
        "id": t.id,
        "customer": t.customer,
        "priority": t.priority,
        "created": t.created,
        "first_response": t.first_response,
        "resolved": t.resolved,
        "history": [{"at": c.at, "status": c.status} for c in t.history],
    }


def timer_json(live: Any, ticket: Ticket | None = None) -> dict[str, Any]:
    """A live timer; ``stopped_by`` says what stopped it: ``response`` or ``resolution`` (a
    first-response timer stops at the resolution of a ticket resolved unanswered), None while
    it runs."""
    t = live.timer
    stopped_by = None
    if t.stopped is not None:
        answered = ticket is not None and ticket.first_response == t.stopped
        stopped_by = "response" if t.kind.value == "first-response" and answered else "resolution"
    return {
        "agreement": live.agreement,
        "version": live.version,
        "commitment": live.commitment,
        "calendar": live.calendar,
        "kind": t.kind.value,
        "cycle": t.cycle,
        "started": t.started,
        "stopped": t.stopped,
        "stopped_by": stopped_by,
        "target_s": t.target_s,
        "elapsed_s": t.elapsed_s,
        "remaining_s": t.remaining_s,
        "paused_s": t.paused_s,
        "paused_now": t.paused_now,
        "deadline": t.deadline,
        "state": t.state.value,
        "at_risk": t.state.value.startswith("at-risk"),
        "breached": t.breached,
        "superseded": t.superseded,
        "breached_cycle": t.breached_cycle,
    }


def measured(ctx: Ctx, at: datetime) -> dict[str, Any]:
    """Where live timers asked for at ``at`` are measured up to: ``at``, or now when ``at`` is
    after it (the time after now has not happened: no timer runs in it), and the note that
    says so (None at or before now) — as statements and evaluations count an instant after now
    (``core.elapsed``)."""
    from covenant.core.elapsed import timers_after_now_note, up_to_now

    until = up_to_now(at, ctx.clock())
    return {"measured_until": until, "not_yet_note": timers_after_now_note(at, until)}


def tickets_json(ctx: Ctx, tickets: Sequence[Ticket], at: datetime) -> list[dict[str, Any]]:
    """Tickets with their live support timers as of ``at`` — measured up to now when ``at``
    is after it (``measured``) — and ``timers_note``: why a ticket an agreement governs has
    none (created too long ago for its business calendar), else null."""
    from covenant.services.ticket_timers import live_timers

    upto = measured(ctx, at)
    until = upto["measured_until"]
    notes: dict[tuple[str, str], str] = {}
    timers = live_timers(
        ctx.engine(), workspace=ctx.workspace(), tickets=tickets, at=until, notes=notes
    )
    by_ticket: dict[str, str] = {}
    for (_, ticket), note in sorted(notes.items()):
        by_ticket.setdefault(ticket, note)
    return [
        {
            **ticket_json(t),
            "timers_at": at,
            **upto,
            "timers": [timer_json(x, t) for x in timers[t.id]],
            "timers_note": by_ticket.get(t.id),
        }
        for t in tickets
    ]


def incident_json(i: Incident) -> dict[str, Any]:
    return {
        "id": i.id,
        "services": list(i.services),
        "start": i.start,
        "end": i.end,
        "severity": i.severity,
        "customer_caused": i.customer_caused,
        "force_majeure": i.force_majeure,
        "planned_maintenance": i.planned_maintenance,
        "customers": list(i.customers),
    }


@router.get("/tickets")
def list_tickets(
    ctx: Ctx,
    who: Who,
    at: At,
    customer: Annotated[str | None, Query(max_length=255)] = None,
    created_from: Instant = None,
    created_to: Instant = None,
) -> dict[str, Any]:
    """Tickets by creation time, ``[created_from, created_to)``, each with its live support
    timers as of ``at`` (elapsed and remaining business time of response and resolution;
    measured up to now when ``at`` is after it, and ``not_yet_note`` says so)."""
    from covenant.services.portal import visible_tickets

    now = ctx.clock()
    found = visible_tickets(
        ctx.engine(),
        principal=who,
        customer=customer,
        created_from=None
        if created_from is None
        else parse_at(created_from, now=now, name="created_from"),
        created_to=None if created_to is None else parse_at(created_to, now=now, name="created_to"),
    )
    return {"items": tickets_json(ctx, found, at), **measured(ctx, at)}


@router.get("/tickets/{ticket_id}")
def get_ticket(ctx: Ctx, who: Who, at: At, ticket_id: str) -> dict[str, Any]:
    """One ticket with its status history and its live support timers as of ``at``."""
    from covenant.services.portal import visible_ticket

    found = visible_ticket(ctx.engine(), principal=who, ticket_id=ticket_id)
    return tickets_json(ctx, [found], at)[0]


@router.get("/incidents")
def list_incidents(
    ctx: Ctx, who: Who, start: Instant = None, end: Instant = None
) -> dict[str, Any]:
    """Incidents overlapping ``[start, end)`` (open ones included), by start."""
    from covenant.errors import InputError
    from covenant.services.portal import visible_incidents

    now = ctx.clock()
    lo = None if start is None else parse_at(start, now=now, name="start")
    hi = None if end is None else parse_at(end, now=now, name="end")
    if lo is not None and hi is not None and hi < lo:
        raise InputError("end is before start", hint="give start <= end")
    found = visible_incidents(ctx.engine(), principal=who, start=lo, end=hi, at=now)
    return {"items": [incident_json(i) for i in found]}


@router.get("/incidents/{incident_id}")
def get_incident(ctx: Ctx, who: Who, incident_id: str) -> dict[str, Any]:
    """One incident."""
    from covenant.services.portal import visible_incident

    found = visible_incident(ctx.engine(), principal=who, incident_id=incident_id, at=ctx.clock())
    return incident_json(found)
