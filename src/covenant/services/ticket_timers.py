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
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from covenant.core.agreements import AgreementVersion, SupportCommitment, is_binding, version_spans
from covenant.core.support import TicketTimer, ticket_timers
from covenant.core.tickets import Ticket
from covenant.core.timeutil import require_utc
from covenant.definitions.workspace import Workspace
from covenant.services.agreements import with_recorded_agreements
from covenant.services.sla import calendar_clocks, support_clock
from covenant.store.agreements import termination_times


@dataclass(frozen=True, slots=True, kw_only=True)
class LiveTimer:
    agreement: str
    version: int
    commitment: str
    calendar: str | None  # business time on this calendar; None: calendar time
    timer: TicketTimer


def live_timers(
    engine: Engine, *, workspace: Workspace, tickets: Sequence[Ticket], at: datetime
) -> dict[str, list[LiveTimer]]:
    """Every timer of every ticket as of ``at``, by ticket id (a ticket created after ``at``,
    or without a commitment for its priority, has none)."""
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
        moment = ticket.created
        for version, _, _ in version_spans(
            mine, start=moment, end=moment + timedelta(seconds=1), terminated=terminated
        ):
            for commitment in version.support:
                groups.setdefault((version, commitment), []).append(ticket)
    clock_for = calendar_clocks(workspace)
    start = min(t.created for t in tickets)  # one compiled range serves every group
    for (version, commitment), members in groups.items():
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
