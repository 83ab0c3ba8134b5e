"""Support tickets as records: their status history, responses and resolutions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from covenant.core.timeutil import require_utc
from covenant.errors import InputError

RESOLVED_STATES = frozenset({"resolved", "closed"})


def label(value: str) -> str:
    """A priority or status as compared: stripped, so ``"waiting "`` and ``" P1"`` — as stored
    before input was stripped — are ``waiting`` and ``P1``. A blank one is the empty label
    (it names no support commitment); it is not refused here, since stored rows hold ``" "``
    from before the CLI and API refused it: input is refused blank before a ticket is built
    (``services.record_changes.ticket_label``)."""
    return value.strip()


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusChange:
    """A move into ``status`` at ``at``; the status is stripped (``label``)."""

    at: datetime
    status: str

    def __post_init__(self) -> None:
        require_utc(self.at, what="status change time")
        status = label(self.status)
        if status != self.status:
            object.__setattr__(self, "status", status)


@dataclass(frozen=True, slots=True, kw_only=True)
class Ticket:
    """A ticket as the ticketing tool reports it (instants in UTC).

    ``history`` is the status timeline in time order, starting at creation. A move out of a
    resolved state (``resolved``/``closed``) reopens the ticket and starts a new *cycle*:
    the resolution timer restarts, the first-response timer does not.
    ``first_response`` is the first *public* response by the provider. The priority is
    stripped (``label``), as each status of the history is.
    """

    id: str
    customer: str
    priority: str
    created: datetime
    history: tuple[StatusChange, ...] = ()
    first_response: datetime | None = None
    resolved: datetime | None = None

    def __post_init__(self) -> None:
        priority = label(self.priority)
        if priority != self.priority:
            object.__setattr__(self, "priority", priority)
        require_utc(self.created, what=f"ticket {self.id} created")
        for value in (self.first_response, self.resolved):
            if value is not None:
                require_utc(value, what=f"ticket {self.id} time")
        times = [c.at for c in self.history]
        if times != sorted(times):
            raise InputError(
                f"ticket {self.id}: status history is not in time order",
                hint="sort the status changes by time",
            )
        if times and times[0] < self.created:
            raise InputError(f"ticket {self.id}: a status change precedes its creation")


def resolution_closes(resolved: datetime | None, start: datetime, *, reopened: bool) -> bool:
    """Whether a ticket's ``resolved`` (its last resolution, as the export gives it) closes its
    last cycle, which began at ``start``: when it falls inside that cycle — at or after the
    creation for the first cycle, strictly after the reopening for a later one. A resolution at
    the instant of the reopening is the one the reopening undid (the history lists the move out
    of the resolved state after it), so it does not close the new cycle."""
    if resolved is None:
        return False
    return resolved > start if reopened else resolved >= start


def settled_since(ticket: Ticket) -> datetime | None:
    """When the ticket entered the resolved stretch it is still in — its last resolution, as
    the support timers close a cycle (``core.support``): the first move into a resolved state
    after its last reopening, or ``resolved`` when that falls in its last cycle — or None
    while it is open (never resolved, or reopened since)."""
    start, since, reopened = ticket.created, None, False
    for change in ticket.history:
        if change.status in RESOLVED_STATES and since is None:
            since = change.at
        elif change.status not in RESOLVED_STATES and since is not None:
            start, since, reopened = change.at, None, True
    if since is None and resolution_closes(ticket.resolved, start, reopened=reopened):
        since = ticket.resolved
    return since


def open_at(ticket: Ticket, at: datetime) -> bool:
    """Whether the ticket is open at ``at``: created by then and in a cycle not resolved yet."""
    if ticket.created > at:
        return False
    start, resolved, reopened = ticket.created, False, False
    for change in ticket.history:
        if change.at > at:
            break
        if change.status in RESOLVED_STATES and not resolved:
            resolved = True
        elif change.status not in RESOLVED_STATES and resolved:
            start, resolved, reopened = change.at, False, True
    if resolved:
        return False
    done = ticket.resolved
    return not (
        done is not None and done <= at and resolution_closes(done, start, reopened=reopened)
    )
