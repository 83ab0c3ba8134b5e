"""What an SLO's page shows beside its charts, gathered from the existing services: its alert
records, the corrections that touch it, its change history, and the agreements it backs with
their lint findings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from covenant.core.alert_state import AlertRecord
from covenant.core.lint_findings import Finding
from covenant.core.model import Objective
from covenant.definitions.corrections import CorrectionRule
from covenant.definitions.workspace import Workspace
from covenant.services.lint import lint_workspace
from covenant.services.slo_history import history_json, slo_history
from covenant.store.alert_states import load_alert_states


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
class SloDetails:
    alerts: tuple[AlertRecord, ...]  # the stored record of each tier (its last transition)
    corrections: tuple[CorrectionRule, ...]
    history: tuple[dict[str, object], ...]  # newest first, as GET /slos/{name}/history
    backs: tuple[Backed, ...]


def slo_details(
    engine: Engine, *, workspace: Workspace, objective: Objective, at: datetime
) -> SloDetails:
    prefix = f"burn-rate/{objective.key}/"
    with engine.connect() as conn:
        records = load_alert_states(conn)
    alerts = tuple(r for k, r in sorted(records.items()) if k.startswith(prefix))
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
    return SloDetails(alerts=alerts, corrections=corrections, history=history, backs=tuple(backs))
