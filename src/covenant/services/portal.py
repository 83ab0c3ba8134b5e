"""Reads of tickets, incidents and agreements, whole for staff and redacted for a customer.

What a customer sees is chosen field by field (a whitelist, so a field added to a model later
stays hidden until someone decides it is the customer's): their own agreements' terms without
backing SLOs, measured series or internal approvals; their tickets; the incidents that touch
them, naming only services of their own agreements. Another customer's object is answered with
the same :class:`NotFoundError` as an object that does not exist, so existence does not leak.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from covenant.core.access import Principal
from covenant.core.agreements import AgreementVersion, Incident, in_force_at, is_binding
from covenant.core.availability import period_containing
from covenant.core.backtest import period_label
from covenant.core.tickets import Ticket
from covenant.core.timeutil import EPOCH, require_utc
from covenant.errors import NotFoundError
from covenant.services.agreements import AgreementSummary, list_agreements, version_document
from covenant.services.store import store_failure
from covenant.store import records
from covenant.store.agreements import load_agreements, termination_times
from covenant.store.ticket_pages import Cursor, TicketPage, ticket_page

if TYPE_CHECKING:
    from covenant.definitions.workspace import Workspace

LATEST = datetime(9000, 1, 1, tzinfo=EPOCH.tzinfo)

_VERSION_FIELDS = (
    "agreement", "version", "status", "customer", "currency", "effective_from", "effective_to",
    "period", "zone", "fees", "signatories", "reason", "cap_amount", "cap_percent",
)  # fmt: skip
_AVAILABILITY_FIELDS = ("name", "services", "level", "eligible", "exclusions", "remedies")
_MEASUREMENT_FIELDS = (
    "source", "interval_s", "threshold", "threshold_inclusive", "severities", "components",
    "components_down", "records_from", "minimum_run_s",
)  # fmt: skip
_SUPPORT_FIELDS = (
    "name", "calendar", "targets", "pause_states", "attainment", "penalty_amount",
    "penalty_percent",
)  # fmt: skip


def _pick(data: dict[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    return {k: data[k] for k in keys if k in data}


def customer_version_document(version: AgreementVersion) -> dict[str, Any]:
    """A version as its customer may see it: the contract's terms, nothing internal."""
    full = version_document(version)
    shown = _pick(full, _VERSION_FIELDS)
    shown["availability"] = []
    for commitment in full.get("availability", []):
        item = _pick(commitment, _AVAILABILITY_FIELDS)
        item["measurement"] = _pick(commitment.get("measurement", {}), _MEASUREMENT_FIELDS)
        shown["availability"].append(item)
    shown["support"] = [_pick(s, _SUPPORT_FIELDS) for s in full.get("support", [])]
    return shown


def visible_agreements(
    engine: Engine, *, principal: Principal, at: datetime
) -> list[AgreementSummary]:
    """The stored agreements the principal may see (a customer: only its own, counting only
    the versions it signed; an agreement with none is not there for it)."""
    found = [s for s in list_agreements(engine, at=at) if principal.sees_customer(s.customer)]
    if principal.customer is None:
        return found
    names = [s.name for s in found if s.tampered is None]
    with engine.connect() as conn:
        stored = {a.name: a for a in load_agreements(conn, names=names)} if names else {}
    shown = []
    for summary in found:
        if summary.tampered is not None:
            shown.append(summary)
            continue
        signed = [v for v in stored[summary.name].versions if is_binding(v.model())]
        if signed:
            shown.append(
                replace(summary, versions=len(signed), latest_status=signed[-1].status.value)
            )
    return shown


def visible_agreement(
    engine: Engine, *, principal: Principal, name: str, at: datetime
) -> AgreementSummary:
    for summary in visible_agreements(engine, principal=principal, at=at):
        if summary.name == name:
            return summary
    raise NotFoundError(
        f"no agreement named {name!r} is stored",
        hint="GET /api/v1/agreements lists the agreements you may see",
    )


def agreement_versions(
    engine: Engine, *, principal: Principal, name: str, at: datetime
) -> list[AgreementVersion]:
    """Every stored version of agreement ``name`` (verified against its history), oldest first."""
    visible_agreement(engine, principal=principal, name=name, at=at)
    try:
        with engine.connect() as conn:
            stored = load_agreements(conn, names=[name])
    except SQLAlchemyError as exc:
        raise store_failure("read agreements", exc) from exc
    versions = [v.model() for a in stored for v in a.versions]
    if principal.customer is not None:  # a customer sees the terms it signed, never a draft
        versions = [v for v in versions if is_binding(v)]
    return versions


def visible_tickets(
    engine: Engine,
    *,
    principal: Principal,
    customer: str | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
) -> list[Ticket]:
    """Tickets by creation time; a customer principal sees only its own, whatever it asks."""
    if principal.customer is not None:
        if customer is not None and customer != principal.customer:
            return []
        customer = principal.customer
    with engine.connect() as conn:
        return records.load_tickets(
            conn, customer=customer, created_from=created_from, created_to=created_to
        )


def ticket_page_of(
    engine: Engine,
    *,
    principal: Principal,
    older: Cursor | None = None,
    newer: Cursor | None = None,
    leave_out: Collection[str] = (),
) -> TicketPage:
    """A page of a customer principal's own tickets, newest first (``store.ticket_pages``):
    the customer is the principal's, never one asked for; ``leave_out``: ids of its tickets
    shown elsewhere (the portal's live timers)."""
    if principal.customer is None:
        raise NotFoundError("only a customer has a page of its own tickets", hint="use /tickets")
    with engine.connect() as conn:
        return ticket_page(
            conn, customer=principal.customer, older=older, newer=newer, leave_out=leave_out
        )


def visible_ticket(engine: Engine, *, principal: Principal, ticket_id: str) -> Ticket:
    with engine.connect() as conn:
        found = next(iter(records.load_tickets(conn, ids=[ticket_id])), None)
    if found is None or not principal.sees_customer(found.customer):
        raise NotFoundError(
            f"no ticket has the id {ticket_id!r}",
            hint="GET /api/v1/tickets lists the tickets you may see",
        )
    return found


def visible_incidents(
    engine: Engine,
    *,
    principal: Principal,
    start: datetime | None = None,
    end: datetime | None = None,
    at: datetime,
) -> list[Incident]:
    """Incidents overlapping ``[start, end)``; a customer sees those for it (or for everyone)
    on services of its own agreements, naming only those services."""
    lo = require_utc(start) if start is not None else EPOCH
    hi = require_utc(end) if end is not None else LATEST
    with engine.connect() as conn:
        found = records.load_incidents(conn, start=lo, end=hi, customer=principal.customer)
    if principal.customer is None:
        return found
    own = _own_services(engine, principal=principal, at=at)
    shown = []
    for incident in found:
        services = tuple(s for s in incident.services if s in own)
        if services:
            shown.append(_for_customer(incident, services, principal.customer))
    return shown


def visible_incident(
    engine: Engine, *, principal: Principal, incident_id: str, at: datetime
) -> Incident:
    for incident in visible_incidents(engine, principal=principal, at=at):
        if incident.id == incident_id:
            return incident
    raise NotFoundError(
        f"no incident has the id {incident_id!r}",
        hint="GET /api/v1/incidents lists the incidents you may see",
    )


def _own_services(engine: Engine, *, principal: Principal, at: datetime) -> set[str]:
    services: set[str] = set()
    for summary in visible_agreements(engine, principal=principal, at=at):
        for version in agreement_versions(engine, principal=principal, name=summary.name, at=at):
            services.update(agreement_services(version))
    return services


def agreement_services(version: AgreementVersion) -> set[str]:
    """The services a version's incidents are on: its fees', its commitments' and the
    components of its k-of-n commitments (their incidents are the region's downtime)."""
    services = {service for service, _ in version.fees}
    for commitment in version.availability:
        services.update(commitment.services)
        services.update(commitment.measurement.components)
    return services


def _for_customer(incident: Incident, services: tuple[str, ...], customer: str) -> Incident:
    return Incident(
        id=incident.id,
        services=services,
        start=incident.start,
        end=incident.end,
        severity=incident.severity,
        customer_caused=incident.customer_caused,
        force_majeure=incident.force_majeure,
        planned_maintenance=incident.planned_maintenance,
        customers=(customer,) if incident.customers else (),
    )


def recent_periods(
    engine: Engine,
    *,
    workspace: Workspace,
    customer: str,
    at: datetime,
    agreement: str | None = None,
    count: int = 3,
) -> list[str]:
    """The labels of the reporting period in progress at ``at`` and the ``count - 1`` before
    it, newest first, as the customer's agreements (``agreement`` only, when given) report
    them — ``2026-11`` or ``2026-Q4``, in the agreement's zone — by the version in force at
    ``at``, else the latest binding one; empty when none is binding. A period that ended
    before the first binding version took effect has no statement and is not listed (the
    period in progress always is)."""
    from covenant.services.agreements import with_recorded_agreements  # noqa: PLC0415

    at = require_utc(at)
    workspace = with_recorded_agreements(engine, workspace)
    binding = [
        v
        for v in workspace.agreements
        if v.customer == customer and is_binding(v) and agreement in (None, v.agreement)
    ]
    if not binding:
        return []
    with engine.connect() as conn:
        terminated = termination_times(conn, names=sorted({v.agreement for v in binding}))
    found = in_force_at(binding, at, terminated=terminated)
    version = found[0] if found else max(binding, key=lambda v: v.effective_from)
    first = min(v.effective_from for v in binding)
    labels: list[str] = []
    instant = at
    for _ in range(count):
        start, end = period_containing(version, instant)
        if labels and end <= first:
            break  # no version was in force in it: no statement
        labels.append(period_label(version, start))
        instant = start - timedelta(seconds=1)
    return labels
