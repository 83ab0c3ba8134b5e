"""SLA statements: a customer's agreements evaluated for one reporting period."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from covenant.core.agreements import (
    AgreementVersion,
    AvailabilityCommitment,
    Incident,
    MaintenanceWindow,
    PeriodUnit,
    is_binding,
)
from covenant.core.availability import (
    AvailabilityResult,
    availability,
    cap_across,
    period_containing,
)
from covenant.core.backtest import period_label
from covenant.core.downtime import run_margin
from covenant.core.elapsed import up_to_now
from covenant.core.evaluate import align_down, align_up
from covenant.core.parties import Addressee
from covenant.core.series import BucketMatrix
from covenant.core.statement import (
    CommitmentText,
    Presentation,
    Statement,
    statement_number,
    totals,
)
from covenant.core.support import (
    SupportResult,
    support_compliance,
)
from covenant.core.tickets import Ticket
from covenant.core.timeutil import EPOCH, from_epoch, require_utc, to_epoch, utc_text
from covenant.core.when import parse_period as parse_relative
from covenant.core.when import zone_of
from covenant.definitions.contract_model import Customer
from covenant.definitions.workspace import Workspace
from covenant.errors import InputError, NotFoundError
from covenant.services.agreements import sync_agreements, with_recorded_agreements
from covenant.services.recorded_definitions import with_recorded_definitions
from covenant.services.sla_clocks import ClockFactory, calendar_clocks, support_clock
from covenant.services.sla_other_periods import not_included, version_periods
from covenant.store.agreements import termination_times
from covenant.store.buckets import read_matrix, series_extent
from covenant.store.records import load_incidents, load_tickets

STEP = 60
DEFAULT_LOCALE = "en_GB"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def customer_period(workspace: Workspace, customer: str, period: str, reference: datetime) -> str:
    """``period`` as a label (``2026-11``, ``2026-Q4``): a relative one (``last-month``,
    ``-3M``) counted from ``reference`` in the customer's agreements' time zone, as ``covenant
    report sla --period`` counts it; ``invalid-period-option`` naming the forms. The API's and
    the pages' statement routes read their period through it."""
    zones = [v.zone for v in workspace.agreements if v.customer == customer]
    return parse_relative(period, reference=reference, zone=zone_of(zones), option="period")


def parse_period(text: str) -> tuple[int, int, PeriodUnit]:
    """``2026-10`` → (2026, 10, month); ``2026-Q3`` → (2026, 7, quarter)."""
    found: tuple[int, int, PeriodUnit] | None = None
    if m := _MONTH.match(text):
        if 1 <= int(m[2]) <= 12:
            found = (int(m[1]), int(m[2]), PeriodUnit.MONTH)
    elif m := _QUARTER.match(text):
        found = (int(m[1]), (int(m[2]) - 1) * 3 + 1, PeriodUnit.QUARTER)
    if found is None:
        raise InputError(
            f"period {text!r} is not a month or a quarter",
            hint="write 2026-10 for October 2026 or 2026-Q4 for a quarter",
        )
    if not 1971 <= found[0] <= 8999:
        raise InputError(
            f"period {text!r} is outside the years 1971 to 8999",
            hint="ask for a period in that range, e.g. 2026-10",
        )
    return found


def _not_in_force_hint(versions: Sequence[AgreementVersion], *, year: int, month: int) -> str:
    """Where the customer's versions begin, when the period asked for (``year``, ``month``) is
    before all of them; else where to look (a gap between versions, or after the last ended)."""
    first = min(versions, key=lambda v: v.effective_from)
    begins = period_containing(first, first.effective_from)[0]
    label = period_label(first, begins)
    names = sorted({v.agreement for v in versions})
    name = names[0] if len(names) == 1 else f"NAME (one of {', '.join(names)})"
    asked = datetime(year, month, 1)  # noqa: DTZ001 - wall-clock time in the zone
    if begins.astimezone(ZoneInfo(first.zone)).replace(tzinfo=None) > asked:
        return (
            f"the first version ({first.agreement} v{first.version}) is in force from {label}: "
            "ask for that period or a later one"
        )
    return f"`covenant agreements history {name}` lists the versions and their dates"


def sla_statement(
    engine: Engine,
    *,
    workspace: Workspace,
    customer: str,
    period: str,
    at: datetime,
    clock_for: ClockFactory,
    now: datetime | None = None,
) -> Statement:
    """The statement of ``customer`` for ``period`` as known at ``at`` (reads, never writes).

    ``now`` is the clock: an ``at`` after it is measured up to ``now`` only (the time after it
    has not happened: neither up time nor downtime, and no ticket timer runs there), and the
    statement says so (``Statement.measured_until``). None: ``at`` is taken as having happened.
    """
    at = require_utc(at, what="--at")
    until = up_to_now(at, now)
    known = {c.name: c for c in workspace.customers}
    if customer not in known:
        names = ", ".join(sorted(known))
        hint = (
            f"customers in the workspace: {names}"
            if names
            else "the workspace defines no Customer: write its Customer and Agreement "
            "documents (docs/agreements.md), then `covenant agreements sync`"
        )
        raise NotFoundError(f"no customer named {customer!r}", hint=hint)
    year, month, unit = parse_period(period)
    binding = [v for v in workspace.agreements if v.customer == customer and is_binding(v)]
    if not binding:
        raise NotFoundError(
            f"customer {customer!r} has no signed agreement",
            hint="sign an agreement version (status signed or active) first",
        )
    matching = [v for v in binding if v.period is unit]
    others = [v for v in binding if v.period is not unit]
    if not matching:
        example = "2026-Q4" if unit is PeriodUnit.MONTH else "2026-10"
        raise InputError(
            f"the agreements of customer {customer!r} report per {binding[0].period.value}, "
            f"not per {unit.value}",
            hint=f"ask for a {binding[0].period.value} such as {example}",
        )
    with engine.connect() as conn:
        terminated = termination_times(conn, names=sorted({v.agreement for v in matching}))
        spans = version_periods(matching, year=year, month=month, terminated=terminated)
        elsewhere = not_included(
            conn, workspace=workspace, others=others, year=year, month=month, unit=unit
        )
        if not spans:
            raise NotFoundError(
                f"no agreement version of customer {customer!r} was in force in {period}",
                hint=_not_in_force_hint(matching, year=year, month=month)
                + "".join(
                    f"; {n.agreement} reports per {n.reports_per}: ask for {', '.join(n.periods)}"
                    for n in elsewhere
                ),
            )
        if min(start for _, (start, _), _ in spans) > at:  # one starting at `at` has begun
            then = period_label(spans[0][0], period_containing(spans[0][0], at)[0])
            raise InputError(
                f"{period} has not started at {utc_text(at)}: a statement covers a period that "
                "has started (its levels so far, or final once it has ended)",
                hint=f"ask for {then} (the period in progress then) or an earlier one",
            )
        if min(start for _, (start, _), _ in spans) > until:  # after now: nothing happened
            current = period_label(spans[0][0], period_containing(spans[0][0], until)[0])
            raise InputError(
                f"{period} has not started yet: now is {utc_text(until)}, and a statement at "
                f"{utc_text(at)} is measured up to now only, so none of {period} has happened",
                hint=f"ask for {current} (the period in progress now) or an earlier one",
            )
        availability_results: list[AvailabilityResult] = []
        support_results: list[SupportResult] = []
        loaded: dict[
            tuple[str, datetime, datetime], list[Ticket]
        ] = {}  # the period's tickets, read once
        for version, (start, end), in_force in spans:
            share = Fraction(
                to_epoch(in_force[1]) - to_epoch(in_force[0]), to_epoch(end) - to_epoch(start)
            )
            availability_results.extend(
                cap_across(
                    version,
                    _availability(
                        conn,
                        workspace=workspace,
                        version=version,
                        start=start,
                        at=until,
                        in_force=in_force,
                    ),
                    share=share,
                )
            )
            support_results.extend(
                version_support(
                    conn,
                    version=version,
                    period=(start, end),
                    at=until,
                    clock_for=clock_for,
                    in_force=in_force,
                    loaded=loaded,
                )
            )
    first, (start, end), _ = spans[0]
    credits = [a.credit.amount for a in availability_results if a.credit is not None]
    penalties = [s.penalty for s in support_results if s.penalty is not None]
    label = period_label(first, start)
    versions = tuple(dict.fromkeys((v.agreement, v.version) for v, _, _ in spans))
    return Statement(
        customer=customer,
        customer_name=known[customer].display_name or customer,
        presentation=presentation(
            workspace, known[customer], label, versions, [v for v, _, _ in spans]
        ),
        period_label=label,
        period_start=start,
        period_end=end,
        zone=first.zone,
        generated_at=at,
        measured_until=until,
        agreements=versions,
        not_included=elsewhere,
        availability=tuple(availability_results),
        support=tuple(support_results),
        credits=totals([c for c in credits if c.amount]),
        penalties=totals(penalties),
    )


def presentation(
    workspace: Workspace,
    customer: Customer,
    period: str,
    versions: tuple[tuple[str, int], ...],
    models: Sequence[AgreementVersion],
) -> Presentation:
    """The statement's number, issuer and customer blocks, locale and agreement display names.
    The locale is the first of the customer's agreements (in the statement) that states one."""
    labels = {label.name: label for label in workspace.labels}
    locales = [labels[a].locale for a, _ in versions if a in labels and labels[a].locale]
    return Presentation(
        number=statement_number(customer.name, period, versions),
        locale=locales[0] if locales else DEFAULT_LOCALE,
        issuer=workspace.settings.issuer,
        customer=Addressee(
            name=customer.display_name or customer.name,
            address=customer.address,
            tax_id=customer.tax_id,
            reference=customer.reference,
        ),
        agreement_names=tuple((a, labels[a].display_name) for a, _ in versions if a in labels),
        commitments=tuple(_commitment_texts(workspace, models)),
    )


def _commitment_texts(
    workspace: Workspace, models: Sequence[AgreementVersion]
) -> list[CommitmentText]:
    calendars = {c.name: c.display_name for c in workspace.calendars}
    out = []
    for v in {m.key: m for m in models}.values():
        out += [
            CommitmentText(
                agreement=v.agreement,
                version=v.version,
                name=a.name,
                display_name=a.display_name,
                terms=a.terms,
            )
            for a in v.availability
        ]
        out += [
            CommitmentText(
                agreement=v.agreement,
                version=v.version,
                name=s.name,
                display_name=s.display_name,
                terms=s.terms,
                penalty_percent=s.penalty_percent,
                penalty_amount=s.penalty_amount,
                calendar="" if s.calendar is None else calendars.get(s.calendar) or s.calendar,
            )
            for s in v.support
        ]
    return out


def _availability(
    conn: Connection,
    *,
    workspace: Workspace,
    version: AgreementVersion,
    start: datetime,
    at: datetime,
    in_force: tuple[datetime, datetime],
) -> list[AvailabilityResult]:
    results = []
    _, end = period_containing(version, start)
    for commitment in version.availability:
        incidents, maintenance, data = availability_inputs(
            conn, workspace=workspace, version=version, commitment=commitment, start=start, end=end
        )
        covered, why = record_coverage(conn, version=version, commitment=commitment, at=at)
        results.append(
            availability(
                version,
                commitment,
                period_start=start,
                at=at,
                incidents=incidents,
                maintenance=maintenance,
                data=data,
                in_force=in_force,
                covered=covered,
                uncovered_reason=why,
            )
        )
    return results


def first_incident(
    conn: Connection, version: AgreementVersion, commitment: AvailabilityCommitment, at: datetime
) -> datetime | None:
    """The start of the first incident on record before ``at`` on the commitment's services
    (for the customer or for everyone), None when there is none."""
    found = load_incidents(
        conn, services=watched(commitment), start=EPOCH, end=at, customer=version.customer
    )
    return min((i.start for i in found), default=None)


def watched(commitment: AvailabilityCommitment) -> list[str]:
    """The services whose incidents a commitment reads: its own and its k-of-n components."""
    return list(dict.fromkeys((*commitment.services, *commitment.measurement.components)))


def record_coverage(
    conn: Connection,
    *,
    version: AgreementVersion,
    commitment: AvailabilityCommitment,
    at: datetime,
) -> tuple[tuple[datetime, datetime], str]:
    """The span the stored records cover for ``commitment``, and why the rest is uncovered.

    Interval-measured: from the first to the last stored bucket with requests of its series,
    widened to whole measurement intervals. Incident-measured: from ``measurement.recordsFrom``
    when the agreement states it, else from the start of the first incident on record on its
    services; the incident records are taken as current up to ``at``.
    """
    m = commitment.measurement
    nothing = (EPOCH, EPOCH)
    if m.series is not None:
        extent = series_extent(conn, keys=[m.series]).get(m.series)
        if extent is None:
            return nothing, "no requests are stored for this service"
        lo, hi = align_down(extent[0], m.interval_s), align_up(extent[1], m.interval_s)
        return (from_epoch(lo), from_epoch(hi)), "no requests stored for this time"
    if m.records_from is not None:
        return (m.records_from, at), "before the incident records start (recordsFrom)"
    first = first_incident(conn, version, commitment, at)
    if first is None:
        return nothing, (
            f"no incident on {', '.join(commitment.services)} is on record; if none happened, "
            "the agreement's measurement.recordsFrom says since when the records are complete"
        )
    return (first, at), "before the first incident on record"


def version_support(
    conn: Connection,
    *,
    version: AgreementVersion,
    period: tuple[datetime, datetime],
    at: datetime,
    clock_for: ClockFactory,
    in_force: tuple[datetime, datetime],
    loaded: dict[tuple[str, datetime, datetime], list[Ticket]],
) -> list[SupportResult]:
    """The support results of ``version`` over ``period``; the customer's tickets of the
    period are read once for all the versions in force in it (``loaded``): a month with two
    versions read 100,000 tickets twice, most of the statement's time."""
    if not version.support:
        return []
    start, end = period
    key = (version.customer, start, end)
    if key not in loaded:
        loaded[key] = load_tickets(
            conn, customer=version.customer, created_from=start, created_to=end
        )
    tickets = loaded[key]
    results = []
    for commitment in version.support:
        clock = support_clock(commitment, start=start, at=at, clock_for=clock_for)
        results.append(
            support_compliance(
                version,
                commitment,
                tickets,
                clock=clock,
                period=period,
                at=at,
                in_force=in_force,
            )
        )
    return results


def report_statement(
    engine: Engine,
    *,
    workspace: Workspace,
    customer: str,
    period: str,
    at: datetime,
    now: datetime | None = None,
) -> Statement:
    """Check the agreements against the store (a signed version must be unchanged; nothing is
    written), then build the statement (measured up to ``now`` when ``at`` is after it)."""
    sync_agreements(
        engine, workspace=workspace, at=datetime.now(UTC) if now is None else now, dry_run=True
    )
    workspace = with_recorded_agreements(engine, workspace)
    workspace = with_recorded_definitions(engine, workspace)  # maintenance over the API
    return sla_statement(
        engine,
        workspace=workspace,
        customer=customer,
        period=period,
        at=at,
        clock_for=calendar_clocks(workspace),
        now=now,
    )


def availability_inputs(
    conn: Connection,
    *,
    workspace: Workspace,
    version: AgreementVersion,
    commitment: AvailabilityCommitment,
    start: datetime,
    end: datetime,
) -> tuple[list[Incident], tuple[MaintenanceWindow, ...], BucketMatrix | None]:
    """What ``availability`` needs for ``commitment`` over ``[start, end)`` (one or more periods):
    the incidents on its services for the customer, the workspace's maintenance windows and,
    for interval-measured commitments, the bucket data of its series."""
    data = None
    series = commitment.measurement.series
    margin = timedelta(seconds=run_margin(commitment.measurement))  # runs crossing the bounds
    if series:
        size = commitment.measurement.interval_s
        lo = align_down(to_epoch(start - margin), size)
        hi = align_up(to_epoch(end + margin), size)
        data = read_matrix(conn, keys=[series], start=lo, end=hi, step=STEP)
    incidents = load_incidents(
        conn,
        services=watched(commitment),
        start=start - margin,
        end=end + margin,
        customer=version.customer,
    )
    return incidents, workspace.maintenance, data
