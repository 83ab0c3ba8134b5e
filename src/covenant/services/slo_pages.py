"""What an SLO's page shows beside its charts, gathered from the existing services: its alert
records, the corrections that touch it, its change history, and the agreements it backs with
their lint findings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from covenant.core.alert_state import AlertRecord, PhaseChange
from covenant.core.lint_findings import Finding
from covenant.core.model import Objective
from covenant.core.notices import NoticeKind
from covenant.definitions.corrections import CorrectionRule
from covenant.definitions.workspace import Workspace
from covenant.errors import InputError, NotFoundError
from covenant.render.evaluation import iso
from covenant.services.lint import lint_workspace
from covenant.services.senders import decode_notice
from covenant.services.slo_history import history_json, slo_history
from covenant.store import alert_transitions
from covenant.store.alert_states import load_alert_states
from covenant.store.outbox import notices_of


@dataclass(frozen=True, slots=True, kw_only=True)
class Backed:
    agreement: str
    customer: str
    version: int
    status: str
    commitment: str
    how: str  # "backed by it" (backedBy) or "measured on its SLI" (measurement.slo)
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertStep:
    """One transition of one alert: it became pending, started firing, or resolved."""

    key: str
    state: str  # pending | firing | resolved | dropped (pending, ended without firing)
    at: datetime
    source: str  # "history" (the worker's transitions), "alert state" or "outbox" (earlier)


@dataclass(frozen=True, slots=True, kw_only=True)
class SloDetails:
    alerts: tuple[AlertRecord, ...]  # the stored record of each tier (its last transition)
    steps: tuple[AlertStep, ...]  # every transition still on record, newest first
    corrections: tuple[CorrectionRule, ...]
    history: tuple[dict[str, object], ...]  # newest first, as GET /slos/{name}/history
    backs: tuple[Backed, ...]


def slo_details(
    engine: Engine, *, workspace: Workspace, objective: Objective, at: datetime
) -> SloDetails:
    alerts = alert_history(engine, prefixes=(f"burn-rate/{objective.key}/",))
    corrections = tuple(c for c in workspace.corrections if not c.slos or objective.slo in c.slos)
    history = tuple(
        history_json(e) for e in reversed(slo_history(engine, name=objective.slo, known=True))
    )
    findings = lint_workspace(workspace)
    backs = []
    for version in workspace.agreements:
        for commitment in version.availability:
            backed = objective.slo in commitment.backing_slos
            measured = commitment.measurement.series == objective.series
            if backed or measured:
                backs.append(
                    Backed(
                        agreement=version.agreement,
                        customer=version.customer,
                        version=version.version,
                        status=version.status.value,
                        commitment=commitment.name,
                        how="backed by it" if backed else "measured on its SLI",
                        findings=tuple(
                            f
                            for f in findings
                            if f.agreement == version.agreement
                            and f.version == version.version
                            and f.commitment == commitment.name
                        ),
                    )
                )
    return SloDetails(
        alerts=alerts.alerts,
        steps=alerts.steps,
        corrections=corrections,
        history=history,
        backs=tuple(backs),
    )


STEPS = 50
"""The alert history's rows on an SLO (or agreement) page."""

AGREEMENT_KINDS = (
    NoticeKind.TICKET_AT_RISK,
    NoticeKind.TICKET_BREACHED,
    NoticeKind.FORECAST_CREDIT,
    NoticeKind.CLAIM_DEADLINE,
)


MAX_STEPS = 1000
"""The most rows of alert history one answer holds (``limit`` of the API's alert routes)."""
NOTICES = 200
"""The outbox's notices looked at per key prefix, at least (``outbox.notices_of``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertHistory:
    alerts: tuple[AlertRecord, ...]  # each alert's stored record: its state now, by key
    steps: tuple[AlertStep, ...]  # its transitions on record, newest first


def alert_history(engine: Engine, *, prefixes: Sequence[str], limit: int = STEPS) -> AlertHistory:
    """The alerts whose keys start with one of ``prefixes``: each one's stored record and
    the newest ``limit`` (1 to :data:`MAX_STEPS`) transitions on record (:func:`alert_steps`)."""
    if not 1 <= limit <= MAX_STEPS:
        raise InputError(
            f"limit {limit} is not between 1 and {MAX_STEPS}",
            hint=f"give a limit of 1 to {MAX_STEPS}",
        )
    keys = tuple(prefixes)
    with engine.connect() as conn:
        records = load_alert_states(conn)
        sent = [n for p in keys for n in notices_of(conn, key_prefix=p, limit=max(limit, NOTICES))]
        logged = [c for p in keys for c in alert_transitions.load(conn, key_prefix=p, limit=limit)]
    mine = tuple(r for k, r in sorted(records.items()) if k.startswith(keys))
    return AlertHistory(alerts=mine, steps=alert_steps(mine, sent, logged, limit=limit))


def slo_alert_history(
    engine: Engine,
    *,
    slo: str,
    known: bool,
    limit: int = STEPS,
    listed_by: str = "GET /api/v1/slos",
) -> AlertHistory:
    """The burn-rate alerts of every objective of SLO ``slo`` (keys ``burn-rate/<slo>/…``);
    NotFoundError when it has none on record and is not defined (``known`` says whether the
    workspace defines it), as :func:`services.slo_history.slo_history`; its hint names
    ``listed_by``, what lists the SLOs to the caller (a route, or a command)."""
    found = alert_history(engine, prefixes=(f"burn-rate/{slo}/",), limit=limit)
    if not known and not found.alerts and not found.steps:
        raise NotFoundError(
            f"no SLO named {slo!r} is defined or has alerts on record",
            hint=f"{listed_by} lists the SLOs",
        )
    return found


def agreement_alert_history(engine: Engine, *, agreement: str, limit: int = STEPS) -> AlertHistory:
    """The alerts of an agreement (their keys: ``<kind>/<agreement>/…``)."""
    prefixes = tuple(f"{k.value}/{agreement}/" for k in AGREEMENT_KINDS)
    return alert_history(engine, prefixes=prefixes, limit=limit)


def stored_agreement_alert_history(
    engine: Engine, *, agreement: str, at: datetime, limit: int = STEPS
) -> AlertHistory:
    """:func:`agreement_alert_history` of an agreement stored at ``at`` (NotFoundError naming
    ``covenant agreements list`` otherwise: the command line's, a staff member's view)."""
    from covenant.services.agreements import list_agreements  # noqa: PLC0415

    if all(s.name != agreement for s in list_agreements(engine, at=at)):
        raise NotFoundError(
            f"no agreement named {agreement!r} is stored",
            hint="`covenant agreements list` lists the stored agreements",
        )
    return agreement_alert_history(engine, agreement=agreement, limit=limit)


def agreement_alert_steps(engine: Engine, *, agreement: str) -> tuple[AlertStep, ...]:
    """The alert history of an agreement's alerts, as its page lists it."""
    return agreement_alert_history(engine, agreement=agreement).steps


def alert_history_json(found: AlertHistory) -> dict[str, object]:
    """An alert history as ``GET /slos/{name}/alerts`` (and the agreements') and ``covenant
    alerts history --format json`` answer it: each alert's state now, then its transitions."""
    return {
        "alerts": [alert_record_json(r) for r in found.alerts],
        "items": [alert_step_json(s) for s in found.steps],
    }


def alert_step_json(step: AlertStep) -> dict[str, str]:
    """One row of the alert history as the API answers it (``at``: UTC ISO-8601)."""
    return {"key": step.key, "state": step.state, "at": iso(step.at), "source": step.source}


def alert_record_json(record: AlertRecord) -> dict[str, str | None]:
    """An alert's stored record as the API answers it: its state now and since when."""
    return {
        "key": record.key,
        "kind": record.kind.value,
        "state": record.phase.value,
        "severity": record.severity,
        "pending_since": iso(record.pending_since),
        "starts_at": None if record.starts_at is None else iso(record.starts_at),
        "ends_at": None if record.ends_at is None else iso(record.ends_at),
    }


def alert_steps(
    records: Sequence[AlertRecord],
    sent: Sequence[tuple[str, str]],
    logged: Sequence[PhaseChange] = (),
    limit: int = STEPS,
) -> tuple[AlertStep, ...]:
    """The transitions on record, newest first: the worker's alert history (``logged``: every
    transition since the store was upgraded to it, for its retention), then what it lacks from
    before the upgrade — each alert's last episode from the worker's record (pending, firing,
    resolved), and the earlier firings and resolutions the outbox still holds (a notice is
    written there for each target it goes to)."""
    found: dict[tuple[str, str, datetime], AlertStep] = {}

    def add(key: str, state: str, at: datetime | None, source: str) -> None:
        if at is not None:
            found.setdefault(
                (key, state, at), AlertStep(key=key, state=state, at=at, source=source)
            )

    for c in logged:
        add(c.key, c.to_state, c.at, "history")
    for r in records:
        if r.starts_at is None or r.pending_since < r.starts_at:  # else it fired at once
            add(r.key, "pending", r.pending_since, "alert state")
        add(r.key, "firing", r.starts_at, "alert state")
        add(r.key, "resolved", r.ends_at, "alert state")
    for state, text in sent:
        notice = decode_notice(text)
        add(
            notice.key, state, notice.ends_at if state == "resolved" else notice.starts_at, "outbox"
        )
    order = {"dropped": 2, "resolved": 2, "firing": 1, "pending": 0}
    steps = sorted(found.values(), key=lambda s: (s.at, order.get(s.state, 0), s.key), reverse=True)
    return tuple(steps[:limit])
