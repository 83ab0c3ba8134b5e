"""The agreement side of the worker's tick: forecasts, ticket timers, claim deadlines.

Everything here reads (the same service functions ``covenant exposure``, ``covenant report
sla`` and the agreement's Ticket timers page call) and returns alert conditions
(``core.alert_rules_sla``). The ticket alerts watch the timers the Ticket timers page and the
``/metrics`` gauges show (``services.ticket_timers.watched_timers``): of the tickets created in
each agreement's current period and of every ticket still open, however old, its agreement in
force or ended since it was opened (the version in force at its opening governs it until it is
resolved) — found by the store's index on when a ticket was settled, so a tick does not read
all history.

A part that fails (an agreement whose calendar cannot be compiled, a store error) is reported
as a problem and its alert kinds are *unknown* for the tick: their alerts keep their state
rather than resolve.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from covenant.core.agreements import is_binding
from covenant.core.alert_rules_sla import (
    AlertCustomer,
    claim_conditions,
    forecast_conditions,
    ticket_conditions,
)
from covenant.core.alert_state import AlertCondition
from covenant.core.availability import AvailabilityResult, period_containing
from covenant.core.backtest import period_label
from covenant.core.notices import NoticeKind
from covenant.errors import CovenantError, NotFoundError
from covenant.services.tick_stop import check_stop

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from covenant.core.forecast_portfolio import Exposure
    from covenant.definitions.workspace import Workspace

log = logging.getLogger("covenant.worker")

CLAIM_PERIODS = 3
"""Statements read per customer: the current period and the two before (claim deadlines)."""


@dataclass(slots=True, kw_only=True)
class AgreementAlerts:
    conditions: list[AlertCondition] = field(default_factory=list)
    unknown: set[NoticeKind] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    exposure: Exposure | None = None


def agreement_conditions(
    engine: Engine,
    *,
    workspace: Workspace,
    now: datetime,
    minutes: Callable[[Callable[[], Any]], Any] | None = None,
    stopped: Callable[[], bool] | None = None,
) -> AgreementAlerts:
    """The agreement-side conditions of ``workspace`` at ``now``. ``minutes(read)`` runs a
    reader so that the minutes of days stored as sums it needs are read first (the worker's
    ``services.day_minutes.with_day_minutes``); without it such a day is a problem.
    ``stopped()`` is asked between the readers (``services.tick_stop``: ``TickAbandonedError``)."""
    from covenant.services.exposure import exposure  # noqa: PLC0415
    from covenant.services.ticket_timers import watched_timers  # noqa: PLC0415

    run = minutes or (lambda read: read())
    found = AgreementAlerts()
    try:
        # credits only: no alert and no gauge reads a support penalty, and a support commitment
        # that cannot be measured must not cost the other customers' forecasts
        found.exposure = run(
            lambda: exposure(engine, workspace=workspace, at=now, now=now, support=False)
        )
        found.conditions.extend(forecast_conditions(found.exposure))
    except CovenantError as exc:
        found.unknown.add(NoticeKind.FORECAST_CREDIT)
        found.problems.append(f"forecast: {exc}")
    customer_of = alert_customers(workspace)
    check_stop(stopped, before="the ticket timers were read")
    try:
        watched = watched_timers(engine, workspace=workspace, at=now)
        found.conditions.extend(
            ticket_conditions(
                ((x.agreement, x.version, x.commitment, x.timer) for _, x in watched.timers),
                customer_of,
                lapsed={v.agreement for v in watched.governing},
            )
        )
        # a ticket whose timers cannot be measured: named each tick, the others alert on
        found.problems.extend(f"ticket timers: {note}" for _, _, note in watched.notes)
    except CovenantError as exc:
        found.unknown.update((NoticeKind.TICKET_AT_RISK, NoticeKind.TICKET_BREACHED))
        found.problems.append(f"ticket timers: {exc}")
    check_stop(stopped, before="the statements were read")
    try:
        availability = run(
            lambda: _statements(engine, workspace=workspace, now=now, stopped=stopped)
        )
    except CovenantError as exc:
        found.unknown.add(NoticeKind.CLAIM_DEADLINE)
        found.problems.append(f"statements: {exc}")
        return found
    found.conditions.extend(claim_conditions(availability, now=now, customers=customer_of))
    return found


def alert_customers(workspace: Workspace) -> dict[str, AlertCustomer]:
    """Each agreement's customer as its alerts name it: the id (the ``customer`` label) and
    the display name (its annotation; the id when the Customer document gives none)."""
    names = {c.name: c.display_name or c.name for c in workspace.customers}
    return {
        v.agreement: AlertCustomer(name=v.customer, display_name=names.get(v.customer, v.customer))
        for v in workspace.agreements
    }


def _statements(
    engine: Engine,
    *,
    workspace: Workspace,
    now: datetime,
    stopped: Callable[[], bool] | None = None,
) -> list[AvailabilityResult]:
    """Availability results of the last ``CLAIM_PERIODS`` periods, per customer with a binding
    agreement, as known at ``now``."""
    from covenant.services.sla import sla_statement  # noqa: PLC0415
    from covenant.services.sla_clocks import calendar_clocks  # noqa: PLC0415

    clocks = calendar_clocks(workspace)
    availability: list[AvailabilityResult] = []
    seen: set[tuple[str, str]] = set()
    for version in workspace.agreements:
        if not is_binding(version):
            continue
        instant = now
        for _ in range(CLAIM_PERIODS):
            start, _ = period_containing(version, instant)
            instant = start - timedelta(seconds=1)
            label = period_label(version, start)
            if (version.customer, label) in seen:
                continue
            seen.add((version.customer, label))
            check_stop(stopped, before=f"the statement of {version.customer} {label} was read")
            try:
                statement = sla_statement(
                    engine,
                    workspace=workspace,
                    customer=version.customer,
                    period=label,
                    at=now,
                    clock_for=clocks,
                    now=now,
                )
            except NotFoundError:  # no version in force then: nothing to watch
                continue
            availability.extend(statement.availability)
    return availability
