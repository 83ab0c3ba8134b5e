"""SLA statements: a customer's agreements evaluated for one reporting period."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from covenant.core.agreements import BINDING, AgreementVersion, PeriodUnit, SupportCommitment
from covenant.core.availability import AvailabilityResult, availability, period_containing
from covenant.core.calendars import compile_calendar
from covenant.core.evaluate import align_down, align_up
from covenant.core.statement import Statement, totals
from covenant.core.support import (
    BusinessClock,
    Clock,
    SupportResult,
    WallClock,
    support_compliance,
)
from covenant.core.timeutil import require_utc, to_epoch
from covenant.core.windows import wall_to_utc
from covenant.definitions.calendars import to_core_calendar
from covenant.definitions.workspace import Workspace
from covenant.errors import InputError, NotFoundError
from covenant.services.agreements import sync_agreements
from covenant.store.buckets import read_matrix
from covenant.store.records import load_incidents, load_tickets

STEP = 60
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")

ClockFactory = Callable[[str, datetime, datetime], Clock]
"""Builds the clock of a named business calendar valid over ``[start, end)``."""


def parse_period(text: str) -> tuple[int, int]:
    """``2026-10`` → (2026, 10); ``2026-Q3`` → (2026, 7): the year and first month."""
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            return year, month
    if m := _QUARTER.match(text):
        return int(m[1]), (int(m[2]) - 1) * 3 + 1
    raise InputError(
        f"period {text!r} is not a month or a quarter",
        hint="write 2026-10 for October 2026 or 2026-Q4 for a quarter",
    )


def period_label(version: AgreementVersion, start: datetime) -> str:
    local = start.astimezone(ZoneInfo(version.zone))
    if version.period is PeriodUnit.QUARTER:
        return f"{local.year}-Q{(local.month - 1) // 3 + 1}"
    return f"{local.year}-{local.month:02d}"


def versions_for(
    workspace: Workspace, *, customer: str, start: datetime, end: datetime
) -> list[AgreementVersion]:
    """Binding versions of the customer's agreements in force at some point of ``[start, end)``."""
    return [
        v
        for v in workspace.agreements
        if v.customer == customer
        and v.status in BINDING
        and v.effective_from < end
        and (v.effective_to is None or v.effective_to > start)
    ]


def sla_statement(
    engine: Engine,
    *,
    workspace: Workspace,
    customer: str,
    period: str,
    at: datetime,
    clock_for: ClockFactory,
) -> Statement:
    """The statement of ``customer`` for ``period`` as known at ``at``."""
    at = require_utc(at, what="--at")
    known = {c.name: c for c in workspace.customers}
    if customer not in known:
        names = ", ".join(sorted(known)) or "none"
        raise NotFoundError(
            f"no customer named {customer!r}", hint=f"customers in the workspace: {names}"
        )
    year, month = parse_period(period)
    candidates = [v for v in workspace.agreements if v.customer == customer and v.status in BINDING]
    if not candidates:
        raise NotFoundError(
            f"customer {customer!r} has no signed agreement",
            hint="sign an agreement version (status signed or active) first",
        )
    zone = candidates[0].zone
    local_start = datetime(year, month, 1)  # noqa: DTZ001 - a wall-clock time in ``zone``
    start, end = period_containing(candidates[0], wall_to_utc(local_start, ZoneInfo(zone)))
    versions = versions_for(workspace, customer=customer, start=start, end=end)
    availability_results: list[AvailabilityResult] = []
    support_results: list[SupportResult] = []
    with engine.connect() as conn:
        for version in versions:
            availability_results.extend(
                _availability(conn, workspace=workspace, version=version, start=start, at=at)
            )
            support_results.extend(
                _support(conn, version=version, period=(start, end), at=at, clock_for=clock_for)
            )
    credits = [a.credit.amount for a in availability_results if a.credit is not None]
    penalties = [s.penalty for s in support_results if s.penalty is not None]
    return Statement(
        customer=customer,
        customer_name=known[customer].display_name or customer,
        period_label=period_label(candidates[0], start),
        period_start=start,
        period_end=end,
        zone=zone,
        generated_at=at,
        agreements=tuple((v.agreement, v.version) for v in versions),
        availability=tuple(availability_results),
        support=tuple(support_results),
        credits=totals([c for c in credits if c.amount]),
        penalties=totals(penalties),
    )


def _availability(
    conn: Connection,
    *,
    workspace: Workspace,
    version: AgreementVersion,
    start: datetime,
    at: datetime,
) -> list[AvailabilityResult]:
    results = []
    _, end = period_containing(version, start)
    for commitment in version.availability:
        data = None
        series = commitment.measurement.series
        if series:
            size = commitment.measurement.interval_s
            lo = align_down(to_epoch(start), size)
            hi = align_up(to_epoch(end), size)
            data = read_matrix(conn, keys=[series], start=lo, end=hi, step=STEP)
        incidents = load_incidents(
            conn,
            services=list(commitment.services),
            start=start,
            end=end,
            customer=version.customer,
        )
        results.append(
            availability(
                version,
                commitment,
                period_start=start,
                at=at,
                incidents=incidents,
                maintenance=workspace.maintenance,
                data=data,
            )
        )
    return results


def _support(
    conn: Connection,
    *,
    version: AgreementVersion,
    period: tuple[datetime, datetime],
    at: datetime,
    clock_for: ClockFactory,
) -> list[SupportResult]:
    if not version.support:
        return []
    start, end = period
    tickets = load_tickets(conn, customer=version.customer, created_from=start, created_to=end)
    results = []
    for commitment in version.support:
        clock = _clock(commitment, start=start, at=at, clock_for=clock_for)
        results.append(
            support_compliance(version, commitment, tickets, clock=clock, period=period, at=at)
        )
    return results


def _clock(
    commitment: SupportCommitment, *, start: datetime, at: datetime, clock_for: ClockFactory
) -> Clock:
    if commitment.calendar is None:
        return WallClock()
    # Deadlines can lie well after the period: compile the calendar generously.
    return clock_for(
        commitment.calendar, start - timedelta(days=7), max(at, start) + timedelta(days=400)
    )


def calendar_clocks(workspace: Workspace) -> ClockFactory:
    """A clock factory over the workspace's business calendars."""
    specs = {c.name: c for c in workspace.calendars}

    def clock_for(name: str, start: datetime, end: datetime) -> Clock:
        if name not in specs:
            raise NotFoundError(
                f"no calendar named {name!r}", hint="define it as a covenant/v1 Calendar"
            )
        calendar = to_core_calendar(specs[name])
        return BusinessClock(compile_calendar(calendar, start=start, end=end))

    return clock_for


def report_statement(
    engine: Engine, *, workspace: Workspace, customer: str, period: str, at: datetime
) -> Statement:
    """Sync the agreements (signed versions must be unchanged), then build the statement."""
    sync_agreements(engine, workspace=workspace, at=at)
    return sla_statement(
        engine,
        workspace=workspace,
        customer=customer,
        period=period,
        at=at,
        clock_for=calendar_clocks(workspace),
    )
