"""Stored tickets and incidents as ``GET /api/v1/tickets`` and ``/incidents`` answer them, and
``covenant tickets list`` / ``covenant incidents list`` print them (the same JSON): a ticket
with its live support timers, an incident as recorded. A customer principal sees its own
tickets and the incidents on its agreements' services (``services.portal``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from covenant.core.access import Principal, Role
from covenant.core.agreements import Incident
from covenant.core.elapsed import timers_after_now_note, up_to_now
from covenant.core.tickets import Ticket
from covenant.definitions.workspace import Workspace
from covenant.errors import InputError
from covenant.services.portal import visible_incidents, visible_tickets
from covenant.services.ticket_timers import live_timers

OPERATOR = Principal(token_id="cli", role=Role.ADMIN)  # who the command line speaks for


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


def measured(at: datetime, *, now: datetime) -> dict[str, Any]:
    """Where live timers asked for at ``at`` are measured up to: ``at``, or ``now`` when
    ``at`` is after it (the time after now has not happened: no timer runs in it), and the
    note that says so (None at or before now) — as statements and evaluations count an
    instant after now (``core.elapsed``)."""
    until = up_to_now(at, now)
    return {"measured_until": until, "not_yet_note": timers_after_now_note(at, until)}


def tickets_json(
    engine: Engine,
    *,
    workspace: Workspace,
    tickets: Sequence[Ticket],
    at: datetime,
    now: datetime,
) -> list[dict[str, Any]]:
    """Tickets with their live support timers as of ``at`` — measured up to now when ``at``
    is after it (``measured``) — and ``timers_note``: why a ticket an agreement governs has
    none (created too long ago for its business calendar), else null."""
    upto = measured(at, now=now)
    until = upto["measured_until"]
    notes: dict[tuple[str, str], str] = {}
    timers = live_timers(engine, workspace=workspace, tickets=tickets, at=until, notes=notes)
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


def ticket_listing(
    engine: Engine,
    *,
    workspace: Workspace,
    principal: Principal,
    at: datetime,
    now: datetime,
    customer: str | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
) -> dict[str, Any]:
    """``GET /api/v1/tickets``: tickets by creation time, ``[created_from, created_to)``, each
    with its live timers as of ``at``, and where they are measured up to."""
    found = visible_tickets(
        engine,
        principal=principal,
        customer=customer,
        created_from=created_from,
        created_to=created_to,
    )
    items = tickets_json(engine, workspace=workspace, tickets=found, at=at, now=now)
    return {"items": items, **measured(at, now=now)}


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


def incident_listing(
    engine: Engine,
    *,
    principal: Principal,
    now: datetime,
    start: datetime | None = None,
    end: datetime | None = None,
) -> dict[str, Any]:
    """``GET /api/v1/incidents``: incidents overlapping ``[start, end)`` (open ones included),
    by start."""
    if start is not None and end is not None and end < start:
        raise InputError("end is before start", hint="give start <= end")
    found = visible_incidents(engine, principal=principal, start=start, end=end, at=now)
    return {"items": [incident_json(i) for i in found]}
