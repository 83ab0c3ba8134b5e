"""Live support timers of stored tickets: the engine's timers (``core.support.ticket_timers``)
as of an instant, for the API's ticket routes.

A ticket is governed by the support commitments of its customer's agreement version in force
when the ticket was created (as a statement counts it); each commitment with a target for the
ticket's priority gives a first-response timer and one resolution timer per cycle (a reopened
ticket starts a new cycle), in business time on the commitment's calendar or in calendar time
without one, paused while the ticket is in one of the commitment's pause states. Versions
signed over the API count at once (``with_recorded_agreements``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Connection, Engine

from covenant.core.agreements import AgreementVersion, SupportCommitment, in_force_at, is_binding
from covenant.core.availability import period_containing
from covenant.core.support import TicketTimer, ticket_timers
from covenant.core.tickets import Ticket, open_at
from covenant.core.timeutil import require_utc
from covenant.definitions.workspace import Workspace
from covenant.services.agreements import with_recorded_agreements
from covenant.services.sla_clocks import (
    calendar_clocks,
    fits_calendar,
    support_clock,
    too_old_note,
)
from covenant.store.agreements import termination_times
from covenant.store.records import load_tickets


@dataclass(frozen=True, slots=True, kw_only=True)
class LiveTimer:
    agreement: str
    version: int
    commitment: str
    calendar: str | None  # business time on this calendar; None: calendar time
    timer: TicketTimer


def live_tickets(
    conn: Connection, *, customer: str, start: datetime, end: datetime, at: datetime
) -> list[Ticket]:
    """The tickets a live view of a period ``[start, end)`` shows at ``at``: those created in
    it, and those still open at ``at`` though created before (a ticket opened at the end of the
    previous period, or reopened since) — by creation time then id. The open ones are found by
    the store's index on when a ticket was settled, not by reading every ticket."""
    found = {
        t.id: t for t in load_tickets(conn, customer=customer, created_from=start, created_to=end)
    }
    for t in load_tickets(conn, customer=customer, open_at=at):
        if t.id not in found and open_at(t, at):
            found[t.id] = t
    return sorted(found.values(), key=lambda t: (t.created, t.id))


def live_timers(
    engine: Engine,
    *,
    workspace: Workspace,
    tickets: Sequence[Ticket],
    at: datetime,
    notes: dict[tuple[str, str], str] | None = None,
) -> dict[str, list[LiveTimer]]:
    """Every timer of every ticket as of ``at``, by ticket id (a ticket created after ``at``,
    or without a commitment for its priority, has none). A ticket governed by a commitment on
    a business calendar but created too long before ``at`` for the calendar to be compiled
    (``sla_clocks.fits_calendar``: about 49 years) has none there either: ``notes`` (when
    given) gets ``(agreement, ticket id)`` with the reason and the fix, and every other ticket
    is measured."""
    at = require_utc(at)
    found: dict[str, list[LiveTimer]] = {t.id: [] for t in tickets}
    if not tickets:
        return found
    workspace = with_recorded_agreements(engine, workspace)
    customers = {t.customer for t in tickets}
    binding = [
        v for v in workspace.agreements if v.customer in customers and v.support and is_binding(v)
    ]
    if not binding:
        return found
    with engine.connect() as conn:
        terminated = termination_times(conn, names=sorted({v.agreement for v in binding}))
    groups: dict[tuple[AgreementVersion, SupportCommitment], list[Ticket]] = {}
    for ticket in tickets:
        mine = [v for v in binding if v.customer == ticket.customer]
        for version in in_force_at(mine, ticket.created, terminated=terminated):
            for commitment in version.support:
                groups.setdefault((version, commitment), []).append(ticket)
    clock_for = calendar_clocks(workspace)
    # one compiled range serves every group: from the oldest ticket a calendar can measure
    # (a ticket no agreement governed when it was created, however old, does not count)
    measured = [t.created for members in groups.values() for t in members]
    start = min((c for c in measured if fits_calendar(c, at)), default=at)
    for (version, commitment), everyone in groups.items():
        members = everyone
        if commitment.calendar is not None:
            members = [t for t in everyone if fits_calendar(t.created, at)]
            for t in everyone:
                if notes is not None and not fits_calendar(t.created, at):
                    notes.setdefault(
                        (version.agreement, t.id),
                        too_old_note(
                            t.id,
                            created=t.created,
                            at=at,
                            agreement=f"{version.agreement} v{version.version}",
                            commitment=commitment,
                        ),
                    )
            if not members:
                continue
        clock = support_clock(commitment, start=start, at=at, clock_for=clock_for)
        for timer in ticket_timers(members, commitment, clock=clock, at=at):
            found[timer.ticket].append(
                LiveTimer(
                    agreement=version.agreement,
                    version=version.version,
                    commitment=commitment.name,
                    calendar=commitment.calendar,
                    timer=timer,
                )
            )
    return found


def agreement_live_timers(
    engine: Engine,
    *,
    workspace: Workspace,
    name: str,
    at: datetime,
    notes: dict[str, str] | None = None,
) -> list[LiveTimer]:
    """The live timers of agreement ``name`` at ``at``: those of the tickets of its customer
    created in its current reporting period or still open (``live_tickets``), under the
    version in force when each was created. When no version of it is in force at ``at`` (it
    expired or was terminated), the tickets opened under it and still open at ``at``: it
    governs them until they are resolved. Only the timers that count: a reopened ticket shows
    its latest cycle (``core.support``). ``notes`` (when given) gets, by ticket id, why a
    ticket has no timers though the agreement governs it (``live_timers``: created too long
    ago for its business calendar).
    """
    at = require_utc(at)
    workspace = with_recorded_agreements(engine, workspace)
    versions = [v for v in workspace.agreements if v.agreement == name and is_binding(v)]
    if not versions:
        return []
    with engine.connect() as conn:
        terminated = termination_times(conn, names=[name])
        current = next(iter(in_force_at(versions, at, terminated=terminated)), None)
        if current is None:
            tickets = _open_tickets(conn, customer=versions[0].customer, at=at)
        else:
            start, end = period_containing(current, at)
            tickets = live_tickets(conn, customer=current.customer, start=start, end=end, at=at)
    found: dict[tuple[str, str], str] = {}
    timers = live_timers(engine, workspace=workspace, tickets=tickets, at=at, notes=found)
    if notes is not None:
        notes.update(
            (ticket, note) for (agreement, ticket), note in found.items() if agreement == name
        )
    return [
        x for t in tickets for x in timers[t.id] if x.agreement == name and not x.timer.superseded
    ]


@dataclass(frozen=True, slots=True, kw_only=True)
class WatchedTimers:
    """The live timers of every agreement in force, and of the open tickets of agreements no
    longer in force (``watched_timers``)."""

    versions: tuple[AgreementVersion, ...]  # the versions in force with a support commitment
    timers: tuple[tuple[Ticket, LiveTimer], ...]  # by ticket creation, then id
    governing: tuple[AgreementVersion, ...] = ()
    """Versions of agreements no longer in force (expired, terminated) that still govern a
    ticket opened while they were in force and open at ``at``."""
    notes: tuple[tuple[Ticket, str, str], ...] = ()
    """``(ticket, agreement, note)``: a ticket the agreement governs whose timers cannot be
    measured (``live_timers``: created too long ago for its business calendar), with why and
    the fix — the live views show the note in place of its timers."""

    def lapsed(self, live: LiveTimer) -> bool:
        """Whether the timer's agreement is no longer in force (it governs the ticket still)."""
        return any(v.agreement == live.agreement for v in self.governing)


def _open_tickets(conn: Connection, *, customer: str, at: datetime) -> list[Ticket]:
    """The tickets of ``customer`` open at ``at`` (through the index on when a ticket was
    settled, as ``live_tickets`` reads them)."""
    return [t for t in load_tickets(conn, customer=customer, open_at=at) if open_at(t, at)]


def watched_timers(
    engine: Engine, *, workspace: Workspace, at: datetime, customer: str | None = None
) -> WatchedTimers:
    """The timers that count (``core.support.counted``: a reopened ticket's latest cycle) of
    every agreement with a support commitment in force at ``at`` (of ``customer`` only, when
    given), as the agreement's Ticket timers page shows them: of its customer's tickets created
    in its current reporting period or still open at ``at`` however long ago they were created
    (found by the store's index on when a ticket was settled, not by reading all history),
    each under the version in force when the ticket was created — the ``/metrics`` gauges, the
    ticket alerts and the customer portal count these.

    A ticket still open whose agreement is no longer in force (it expired or was terminated
    after the ticket was opened) is watched too: the version in force when it was opened
    governs it until it is resolved (``WatchedTimers.governing`` names those versions). Its
    customer's open tickets are read through the same index."""
    at = require_utc(at)
    workspace = with_recorded_agreements(engine, workspace)
    binding = [
        v
        for v in workspace.agreements
        if v.support and is_binding(v) and customer in (None, v.customer)
    ]
    if not binding:
        return WatchedTimers(versions=(), timers=())
    names = sorted({v.agreement for v in binding})
    starts: dict[str, datetime] = {}  # agreement → its current period's start
    in_force: list[AgreementVersion] = []
    tickets: dict[str, Ticket] = {}
    with engine.connect() as conn:
        terminated = termination_times(conn, names=names)
        for name in names:
            siblings = [v for v in binding if v.agreement == name]
            for version in in_force_at(siblings, at, terminated=terminated):
                start, end = period_containing(version, at)
                starts[name] = start
                in_force.append(version)
                found = live_tickets(conn, customer=version.customer, start=start, end=end, at=at)
                tickets.update((t.id, t) for t in found)
        # the open tickets of customers with no agreement in force (live_tickets read the
        # others'): an agreement that has ended still governs those opened under it
        read = {v.customer for v in in_force}
        for other in sorted({v.customer for v in binding} - read):
            tickets.update((t.id, t) for t in _open_tickets(conn, customer=other, at=at))
    ordered = sorted(tickets.values(), key=lambda t: (t.created, t.id))
    unmeasured: dict[tuple[str, str], str] = {}
    timers = live_timers(engine, workspace=workspace, tickets=ordered, at=at, notes=unmeasured)
    pairs = []
    governing: dict[tuple[str, int], AgreementVersion] = {}
    by_key = {(v.agreement, v.version): v for v in binding}
    for t in ordered:
        for live in timers[t.id]:
            if live.timer.superseded:
                continue
            begins = starts.get(live.agreement)
            if begins is None:  # an agreement no longer in force: its open tickets only
                if not open_at(t, at):
                    continue
                key = (live.agreement, live.version)
                if key in by_key:
                    governing.setdefault(key, by_key[key])
            elif t.created < begins and not open_at(t, at):  # another period's, settled
                continue
            pairs.append((t, live))
    by_id = {t.id: t for t in ordered}
    notes = [  # as the timers: of a period's tickets, or still open
        (by_id[ticket], agreement, note)
        for (agreement, ticket), note in sorted(unmeasured.items())
        if open_at(by_id[ticket], at)
        or (agreement in starts and by_id[ticket].created >= starts[agreement])
    ]
    return WatchedTimers(
        versions=tuple(in_force),
        timers=tuple(pairs),
        governing=tuple(governing[k] for k in sorted(governing)),
        notes=tuple(notes),
    )
