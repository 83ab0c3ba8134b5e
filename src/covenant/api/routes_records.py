"""Tickets and incidents as stored (a customer token: its own tickets, and the incidents that
touch its agreements' services)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from covenant.api.deps import At, Ctx, Who, parse_at
from covenant.api.errors import RESPONSES
from covenant.core.tickets import Ticket
from covenant.services import record_listing
from covenant.services.record_listing import incident_json

__all__ = ["incident_json", "measured", "router", "tickets_json"]

router = APIRouter(responses=RESPONSES, tags=["records"])

Instant = Annotated[str | None, Query(max_length=64, description="ISO-8601 with Z or an offset")]


def measured(ctx: Ctx, at: datetime) -> dict[str, Any]:
    """Where live timers asked for at ``at`` are measured up to (``services.record_listing``)."""
    return record_listing.measured(at, now=ctx.clock())


def tickets_json(ctx: Ctx, tickets: Sequence[Ticket], at: datetime) -> list[dict[str, Any]]:
    """Tickets with their live support timers as of ``at`` (``services.record_listing``)."""
    return record_listing.tickets_json(
        ctx.engine(), workspace=ctx.workspace(), tickets=tickets, at=at, now=ctx.clock()
    )


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
    now = ctx.clock()
    return record_listing.ticket_listing(
        ctx.engine(),
        workspace=ctx.workspace(),
        principal=who,
        at=at,
        now=now,
        customer=customer,
        created_from=None
        if created_from is None
        else parse_at(created_from, now=now, name="created_from"),
        created_to=None if created_to is None else parse_at(created_to, now=now, name="created_to"),
    )


@router.get("/tickets/{ticket_id:path}")
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
    now = ctx.clock()
    lo = None if start is None else parse_at(start, now=now, name="start")
    hi = None if end is None else parse_at(end, now=now, name="end")
    return record_listing.incident_listing(ctx.engine(), principal=who, now=now, start=lo, end=hi)


@router.get("/incidents/{incident_id:path}")
def get_incident(ctx: Ctx, who: Who, incident_id: str) -> dict[str, Any]:
    """One incident."""
    from covenant.services.portal import visible_incident

    found = visible_incident(ctx.engine(), principal=who, incident_id=incident_id, at=ctx.clock())
    return incident_json(found)
