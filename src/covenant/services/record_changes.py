"""Use cases that change tickets and incidents one at a time (the API's write routes).

Each change reads the stored record, makes the new one (the core models check it: a status
history in time order, instants in UTC), and writes it in one transaction; a bad change raises
a coded error and writes nothing. Files of records are still ingested by ``services.records``.
Each change is recorded in the audit log (``store.audit``) in the same transaction: who
(``actor``), the record before and after.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TypeVar, overload

from sqlalchemy.engine import Engine

from covenant.core.agreements import AgreementVersion, Incident
from covenant.core.tickets import RESOLVED_STATES, StatusChange, Ticket
from covenant.core.timeutil import EPOCH, require_utc, utc_iso
from covenant.errors import ConflictError, CovenantError, InputError, NotFoundError
from covenant.store import audit, records
from covenant.store.audit import UNKNOWN_ACTOR
from covenant.store.db import write_transaction

LATEST = datetime(9000, 1, 1, tzinfo=EPOCH.tzinfo)
LABEL_MOST = 64  # the API's ``Label``: a priority, status or severity of 1-64 characters
NAME_MOST = 255  # the API's ``Name``: an id, a customer, a service
_E = TypeVar("_E", bound=CovenantError)


def _about(error: _E, field: str) -> _E:
    """``error`` naming the request's field it is about (a form shows it beside that field)."""
    error.field = field
    return error


def length_problem(value: str, field: str, most: int, *, hint: str = "") -> InputError | None:
    """A text the API's schema would refuse (``Name``: 1-255 characters, ``Label``: 1-64),
    worded as pydantic words it (``string_too_short`` / ``string_too_long``), so that every
    surface refuses it alike; None when it fits."""
    if not value:
        return InputError(f"{field}: String should have at least 1 character", hint=hint)
    if len(value) > most:
        return InputError(
            f"{field}: String should have at most {most} characters",
            hint=f"shorten it to {most} characters or fewer",
        )
    return None


@overload
def _label(value: str, field: str, example: str) -> str: ...


@overload
def _label(value: None, field: str, example: str) -> None: ...


def _label(value: str | None, field: str, example: str) -> str | None:
    """A label given (not None) as the API's ``Label`` takes it, stripped as a record file's
    row strips it (``record_fields.scalar``), so ``"P1 "`` is the ``P1`` a support commitment
    names whichever way it came. An empty one would match no agreement's priority or status
    (a ticket with priority "" has no timer, so it drops out of support measurement), nor a
    blank one, which a record file's row cannot give either (it strips to nothing)."""
    if value is None:
        return None
    stripped = value.strip()
    error = length_problem(stripped, field, LABEL_MOST, hint=example)
    if value and not stripped:  # as a record file's row
        error = InputError(f"{field}: blank (spaces only)", hint=example or f"fill in {field}")
    if error is not None:
        raise _about(error, field)
    return stripped


_PRIORITY = "give a priority such as P1, as the agreements' support commitments name it"
_STATUS = "give a status such as open or pending"


def ticket_label(value: str, field: str) -> str:
    """A ticket's ``priority`` or a ``status`` as given, checked as ``_label`` checks it —
    before the ``Ticket`` or ``StatusChange`` is built: they strip their labels
    (``core.tickets.label``), so a blank one would come here empty and be refused as too
    short, not as blank (spaces only). The command line and the API check theirs with it."""
    return _label(value, field, _STATUS if field == "status" else _PRIORITY)


def _known_customer(customer: str, customers: Collection[str], field: str = "customer") -> None:
    if customer not in customers:
        error = NotFoundError(
            f"customer {customer!r} is not defined in the workspace",
            hint="give the metadata.name of one of the workspace's Customer definitions",
        )
        raise _about(error, field)


def _missing_ticket(ticket_id: str) -> NotFoundError:
    return NotFoundError(
        f"no ticket has the id {ticket_id!r}", hint="GET /api/v1/tickets lists the tickets"
    )


def create_ticket(
    engine: Engine,
    *,
    ticket: Ticket,
    customers: Collection[str],
    at: datetime,
    actor: str = UNKNOWN_ACTOR,
) -> Ticket:
    """Store a new ticket (``already-exists`` if its id is taken)."""
    ticket = replace(
        ticket,
        priority=_label(ticket.priority, "priority", _PRIORITY),
        history=tuple(
            replace(change, status=_label(change.status, "status", _STATUS))
            for change in ticket.history
        ),
    )
    _known_customer(ticket.customer, customers)
    _not_before_created(ticket)
    if not ticket.history:
        ticket = replace(ticket, history=(StatusChange(at=ticket.created, status="open"),))
    with write_transaction(engine) as conn:
        if records.load_tickets(conn, ids=[ticket.id]):
            error = ConflictError(
                f"a ticket with the id {ticket.id!r} exists already",
                hint=f"change it with PATCH /api/v1/tickets/{ticket.id}",
            )
            raise _about(error, "id")
        records.save_tickets(conn, tickets=[ticket], at=require_utc(at))
        audit.append(
            conn,
            actor=actor,
            action="created",
            entity_kind="ticket",
            entity_id=ticket.id,
            before=None,
            after=ticket,
            at=at,
        )
    return ticket


def update_ticket(
    engine: Engine,
    *,
    ticket_id: str,
    at: datetime,
    priority: str | None = None,
    first_response: datetime | None = None,
    resolved: datetime | None = None,
    status: StatusChange | None = None,
    actor: str = UNKNOWN_ACTOR,
    action: str = "changed",
) -> Ticket:
    """Change a stored ticket: its priority, first response, resolution, or a new status."""
    priority = _label(priority, "priority", _PRIORITY)
    if status is not None:
        status = replace(status, status=_label(status.status, "status", _STATUS))
    with write_transaction(engine) as conn:
        found = records.load_tickets(conn, ids=[ticket_id])
        if not found:
            raise _missing_ticket(ticket_id)
        ticket = found[0]
        history = ticket.history
        if status is not None:
            _after_last(ticket, status.at)
            history = (*history, status)
        changed = replace(
            ticket,
            priority=priority if priority is not None else ticket.priority,
            first_response=first_response if first_response is not None else ticket.first_response,
            resolved=resolved if resolved is not None else ticket.resolved,
            history=history,
        )
        _not_before_created(changed)
        records.save_tickets(conn, tickets=[changed], at=require_utc(at))
        audit.append(
            conn,
            actor=actor,
            action=action,
            entity_kind="ticket",
            entity_id=ticket_id,
            before=ticket,
            after=changed,
            at=at,
        )
    return changed


def _not_before_created(ticket: Ticket) -> None:
    """A first response or a resolution before the ticket was created is refused, on a new
    ticket as on a changed one (as a ticket file's row is: ``sources.records``)."""
    for moment, what in ((ticket.first_response, "first_response"), (ticket.resolved, "resolved")):
        if moment is not None and moment < ticket.created:
            error = InputError(
                f"ticket {ticket.id}: {what} {utc_iso(moment)} is before its creation",
                hint=f"give a {what} after {utc_iso(ticket.created)}",
            )
            raise _about(error, what)


def _after_last(ticket: Ticket, moment: datetime) -> None:
    last = ticket.history[-1].at if ticket.history else ticket.created
    if require_utc(moment) < last:
        error = InputError(
            f"ticket {ticket.id}: a status change at {utc_iso(moment)} is before its last one "
            f"({utc_iso(last)})",
            hint="status changes are appended in time order; give a later instant",
        )
        raise _about(error, "at")


def pause_states(versions: Sequence[AgreementVersion], customer: str) -> tuple[str, ...]:
    """The statuses that pause a ticket's timers under ``customer``'s agreements."""
    found: dict[str, None] = {}
    for version in versions:
        if version.customer == customer:
            for commitment in version.support:
                found.update(dict.fromkeys(commitment.pause_states))
    return tuple(found)


def _current(ticket: Ticket) -> str:
    return ticket.history[-1].status if ticket.history else "open"


def pause_ticket(
    engine: Engine,
    *,
    ticket_id: str,
    at: datetime,
    versions: Sequence[AgreementVersion],
    status: str | None = None,
    actor: str = UNKNOWN_ACTOR,
) -> Ticket:
    """Move a ticket into a pause state of its customer's agreements (default: the first)."""
    status = _label(status, "status", "give a pause state of the customer's agreements, or none")
    with engine.connect() as conn:
        found = records.load_tickets(conn, ids=[ticket_id])
    if not found:
        raise _missing_ticket(ticket_id)
    ticket = found[0]
    states = pause_states(versions, ticket.customer)
    if not states:
        raise InputError(
            f"ticket {ticket_id}: the agreements of its customer name no pause state",
            hint="add pauseStates to a support commitment of the agreement",
        )
    chosen = status or states[0]
    if chosen not in states:
        error = InputError(
            f"{chosen!r} is not a pause state of the customer's agreements",
            hint="give one of: " + ", ".join(states),
        )
        raise _about(error, "status")
    current = _current(ticket)
    if current in RESOLVED_STATES or current in states:
        raise ConflictError(
            f"ticket {ticket_id} is {current}: only an open ticket can be paused",
            hint="resume it first" if current in states else "reopen it with a status change",
        )
    return update_ticket(
        engine,
        ticket_id=ticket_id,
        at=at,
        status=StatusChange(at=require_utc(at), status=chosen),
        actor=actor,
        action="paused",
    )


def resume_ticket(
    engine: Engine,
    *,
    ticket_id: str,
    at: datetime,
    versions: Sequence[AgreementVersion],
    status: str = "open",
    actor: str = UNKNOWN_ACTOR,
) -> Ticket:
    """Move a paused ticket back to ``status`` (default ``open``): its timers run again."""
    status = _label(status, "status", "give the status it moves to, such as open")
    with engine.connect() as conn:
        found = records.load_tickets(conn, ids=[ticket_id])
    if not found:
        raise _missing_ticket(ticket_id)
    ticket = found[0]
    states = pause_states(versions, ticket.customer)
    current = _current(ticket)
    if current not in states:
        raise ConflictError(
            f"ticket {ticket_id} is {current}, not paused", hint="only a paused ticket resumes"
        )
    if status in states:
        error = InputError(f"{status!r} is a pause state", hint="resume to open or another state")
        raise _about(error, "status")
    return update_ticket(
        engine,
        ticket_id=ticket_id,
        at=at,
        status=StatusChange(at=require_utc(at), status=status),
        actor=actor,
        action="resumed",
    )


def _find_incident(conn: object, incident_id: str) -> Incident | None:
    for incident in records.load_incidents(conn, start=EPOCH, end=LATEST):  # type: ignore[arg-type]
        if incident.id == incident_id:
            return incident
    return None


def create_incident(
    engine: Engine,
    *,
    incident: Incident,
    customers: Collection[str],
    at: datetime,
    actor: str = UNKNOWN_ACTOR,
) -> Incident:
    """Store a new incident (``already-exists`` if its id is taken); its severity may be
    empty (none, as a file row without one)."""
    if incident.severity:
        severity = _label(incident.severity, "severity", "give one such as sev2, or leave it out")
        incident = replace(incident, severity=severity)
    for customer in incident.customers:
        _known_customer(customer, customers, "customers")
    _ordered(incident)
    with write_transaction(engine) as conn:
        if _find_incident(conn, incident.id) is not None:
            error = ConflictError(
                f"an incident with the id {incident.id!r} exists already",
                hint=f"change it with PATCH /api/v1/incidents/{incident.id}",
            )
            raise _about(error, "id")
        records.save_incidents(conn, incidents=[incident], at=require_utc(at))
        audit.append(
            conn,
            actor=actor,
            action="created",
            entity_kind="incident",
            entity_id=incident.id,
            before=None,
            after=incident,
            at=at,
        )
    return incident


def update_incident(
    engine: Engine,
    *,
    incident_id: str,
    at: datetime,
    customers_known: Collection[str],
    actor: str = UNKNOWN_ACTOR,
    open_only: bool = False,
    **changes: object,
) -> Incident:
    """Change a stored incident (its end, severity, services, customers or flags; a change
    given as None is no change). ``open_only``: the change ends an open incident (the web's
    "End"), so one that has an end already is ``conflict`` and kept as it is. A severity
    given is 1-64 characters, as the API's ``Label``."""
    severity = changes.get("severity")
    if severity is not None:
        changes["severity"] = _label(str(severity), "severity", "give one such as sev2")
    for customer in changes.get("customers") or ():  # type: ignore[attr-defined]
        _known_customer(str(customer), customers_known, "customers")
    with write_transaction(engine) as conn:
        found = _find_incident(conn, incident_id)
        if found is None:
            raise NotFoundError(
                f"no incident has the id {incident_id!r}",
                hint="GET /api/v1/incidents lists the incidents",
            )
        if open_only and found.end is not None:
            error = ConflictError(
                f"incident {incident_id} ended already at {utc_iso(found.end)}",
                hint=f"to move its end, change it with PATCH /api/v1/incidents/{incident_id}",
            )
            raise _about(error, "end")
        changed = replace(found, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]
        _ordered(changed)
        records.save_incidents(conn, incidents=[changed], at=require_utc(at))
        audit.append(
            conn,
            actor=actor,
            action="changed",
            entity_kind="incident",
            entity_id=incident_id,
            before=found,
            after=changed,
            at=at,
        )
    return changed


def _ordered(incident: Incident) -> None:
    require_utc(incident.start)
    if incident.end is not None and require_utc(incident.end) <= incident.start:
        error = InputError(
            f"incident {incident.id}: its end {utc_iso(incident.end)} is not after its start",
            hint="give an end after the start, or none while it is open",
        )
        raise _about(error, "end")
    if not incident.services:
        error = InputError(f"incident {incident.id}: no service", hint="name the services it hit")
        raise _about(error, "services")
