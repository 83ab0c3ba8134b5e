"""Use cases on agreements: sync the workspace's agreements into the store, read them back.

``sync_agreements`` validates every agreement of the workspace against the stored versions and
applies the result in one transaction, or raises :class:`DefinitionError` with every problem
and applies nothing:

- a version not stored yet is inserted (event ``created``);
- a status change is recorded (``status-changed``) only when ``core.agreements.can_move``
  allows it;
- a draft or proposed version may change its terms (``content-changed``); a signed version
  (status in ``BINDING``) may not: its content hash must stay the stored one — a change is an
  amendment, a new version;
- a signed version may not disappear from the definitions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from covenant.core.agreements import (
    BINDING,
    TRANSITIONS,
    AgreementVersion,
    VersionStatus,
    can_move,
)
from covenant.core.timeutil import require_utc
from covenant.definitions.workspace import Workspace
from covenant.errors import DefinitionError, NotFoundError, Problem, StoreError, TamperedError
from covenant.store import agreements as repo
from covenant.store.agreement_content import content_hash, version_content
from covenant.store.agreement_history import HistoryEvent, append_event

WARNING = "warning"


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncChange:
    agreement: str
    version: int | None
    event: str  # created | status-changed | content-changed | customer-changed
    from_status: str | None = None
    to_status: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncReport:
    at: datetime
    changes: tuple[SyncChange, ...]
    unchanged: int  # versions already stored exactly as defined
    warnings: tuple[Problem, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.changes)


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreementSummary:
    """One agreement as stored, with the version in force at the time asked (if any)."""

    name: str
    customer: str
    versions: int
    in_force: AgreementVersion | None
    latest_status: str
    tampered: TamperedError | None = None  # disagrees with its history: listed, never used


def sync_agreements(
    engine: Engine,
    *,
    workspace: Workspace,
    at: datetime,
    actor: str | None = None,
    dry_run: bool = False,
) -> SyncReport:
    """Apply the workspace's agreements to the store atomically (see the module docstring).

    ``dry_run`` checks everything (raising the same errors) and writes nothing, so readers
    such as reports can use it on a store that can only be read; its report lists no changes.
    """
    at = require_utc(at)
    try:
        with engine.connect() as conn, conn.begin():
            report = _sync(conn, workspace=workspace, at=at, actor=actor, apply=not dry_run)
    except IntegrityError as exc:
        raise StoreError(
            "another sync changed the same agreements at the same time; nothing was applied",
            hint="run `covenant agreements sync` again",
        ) from exc
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot write agreements: {exc.__class__.__name__}", hint="check the store"
        ) from exc
    return report


def _sync(
    conn: Connection, *, workspace: Workspace, at: datetime, actor: str | None, apply: bool
) -> SyncReport:
    defined: dict[str, list[AgreementVersion]] = {}
    for version in workspace.agreements:
        defined.setdefault(version.agreement, []).append(version)
    stored = {a.name: a for a in repo.load_agreements(conn)}
    problems: list[Problem] = []
    plan: list[tuple[str, AgreementVersion, str, str | None]] = []  # name, version, event, from
    unchanged = 0
    for name, versions in sorted(defined.items()):
        before = stored.get(name)
        known = {v.version: v for v in before.versions} if before else {}
        for version in sorted(versions, key=lambda v: v.version):
            where = workspace.origins.get(version.key, name)
            old = known.get(version.version)
            if old is None:
                plan.append((name, version, "created", None))
                continue
            same = old.content_sha256 == content_hash(version)
            moved = old.status is not version.status
            if not same and old.status in BINDING:
                problems.append(_immutable(version, old.status, where))
            if moved and not can_move(old.status, version.status):
                problems.append(_illegal_move(version, old.status, where))
            if not same and old.status not in BINDING:
                plan.append((name, version, "content-changed", None))
            if moved:
                plan.append((name, version, "status-changed", old.status.value))
            if same and not moved:
                unchanged += 1
        numbers = {v.version for v in versions}
        problems.extend(
            _removed(name, old)
            for old in (before.versions if before else ())
            if old.version not in numbers
        )
    problems.extend(
        Problem(
            code="agreement-not-in-workspace",
            message=f"agreement {name!r} is in the store but not in the workspace; "
            "it stays stored unchanged",
            where=name,
            fix="add its definition back, or ignore this if it is defined elsewhere",
            severity=WARNING,
        )
        for name in sorted(set(stored) - set(defined))
    )
    if any(p.severity == "error" for p in problems):
        raise DefinitionError(problems=problems)
    if not apply:
        return SyncReport(at=at, changes=(), unchanged=unchanged, warnings=tuple(problems))
    changes = _apply(conn, plan=plan, stored=stored, defined=defined, at=at, actor=actor)
    return SyncReport(at=at, changes=tuple(changes), unchanged=unchanged, warnings=tuple(problems))


def _apply(
    conn: Connection,
    *,
    plan: list[tuple[str, AgreementVersion, str, str | None]],
    stored: dict[str, repo.StoredAgreement],
    defined: dict[str, list[AgreementVersion]],
    at: datetime,
    actor: str | None,
) -> list[SyncChange]:
    changes: list[SyncChange] = []
    ids = {name: agreement.id for name, agreement in stored.items()}
    for name, versions in sorted(defined.items()):
        customer = max(versions, key=lambda v: v.version).customer
        if name not in ids:
            ids[name] = repo.insert_agreement(conn, name=name, customer=customer, at=at)
        elif stored[name].customer != customer:
            repo.set_customer(conn, agreement_id=ids[name], customer=customer, at=at)
            append_event(
                conn,
                agreement_id=ids[name],
                agreement=name,
                version=None,
                event="customer-changed",
                at=at,
                actor=actor,
                details={"from": stored[name].customer, "to": customer},
            )
            changes.append(SyncChange(agreement=name, version=None, event="customer-changed"))
        repo.touch_versions(conn, agreement_id=ids[name], at=at)
    for name, version, event, from_status in plan:
        agreement_id = ids[name]
        if event == "created":
            repo.insert_version(conn, agreement_id=agreement_id, version=version, at=at)
        else:
            repo.update_version(conn, agreement_id=agreement_id, version=version, at=at)
        to_status = None if event == "content-changed" else version.status.value
        details = {} if event == "status-changed" else {"content_sha256": content_hash(version)}
        append_event(
            conn,
            agreement_id=agreement_id,
            agreement=name,
            version=version.version,
            event=event,
            at=at,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            details=details,
        )
        changes.append(
            SyncChange(
                agreement=name,
                version=version.version,
                event=event,
                from_status=from_status,
                to_status=to_status,
            )
        )
    return changes


def _immutable(version: AgreementVersion, status: VersionStatus, where: str) -> Problem:
    return Problem(
        code="signed-version-changed",
        message=f"{version.agreement} v{version.version} is {status.value}: the version is signed "
        "and immutable, but its terms differ from the stored ones",
        where=where,
        field=f"v{version.version}",
        fix=f"restore v{version.version} as signed and write an amendment: a new version "
        f"v{version.version + 1} with its own effectiveFrom and reason",
    )


def _illegal_move(version: AgreementVersion, old: VersionStatus, where: str) -> Problem:
    allowed = sorted(s.value for s in TRANSITIONS[old])
    return Problem(
        code="illegal-status-change",
        message=f"{version.agreement} v{version.version} moves from {old.value} to "
        f"{version.status.value}; allowed next: {', '.join(allowed) or 'none (final)'}",
        where=where,
        field=f"v{version.version}.status",
        fix=f"set status to one of: {', '.join(allowed)}, one step per sync"
        if allowed
        else f"restore status {old.value}; write an amendment for new terms",
    )


def _removed(name: str, old: repo.StoredVersion) -> Problem:
    if old.status in BINDING:
        return Problem(
            code="signed-version-removed",
            message=f"{name} v{old.version} is {old.status.value} in the store but missing "
            "from the definitions; a signed version is never deleted",
            where=name,
            fix=f"restore v{old.version} in the Agreement (mark it terminated or expired if "
            "it no longer applies)",
        )
    return Problem(
        code="draft-version-removed",
        message=f"{name} v{old.version} ({old.status.value}) is no longer in the definitions; "
        "it stays in the store as it was",
        where=name,
        fix=f"set v{old.version} to terminated to withdraw it explicitly",
        severity=WARNING,
    )


# --- reads -----------------------------------------------------------------------------------


def list_agreements(engine: Engine, *, at: datetime) -> list[AgreementSummary]:
    """Every stored agreement with the version in force at ``at``.

    An agreement that disagrees with its hash-chained history is listed with ``tampered`` set
    (the ``agreement-tampered`` error naming each disagreement) and no version in force: its
    terms are never read, and the others are listed as usual."""
    at = require_utc(at)
    summaries: list[AgreementSummary] = []
    with engine.connect() as conn:
        for stored in repo.load_agreements(conn, verify=False):
            wrong = repo.discrepancies(stored, repo.history(conn, agreement=stored.name))
            if wrong:
                summaries.append(
                    AgreementSummary(
                        name=stored.name,
                        customer=stored.customer,
                        versions=len(stored.versions),
                        in_force=None,
                        latest_status="tampered",
                        tampered=repo.tampered(stored.name, wrong),
                    )
                )
                continue
            try:
                in_force: AgreementVersion | None = repo.version_in_force(
                    conn, agreement=stored.name, at=at
                )
            except NotFoundError:
                in_force = None
            latest = stored.versions[-1].status.value if stored.versions else ""
            summaries.append(
                AgreementSummary(
                    name=stored.name,
                    customer=stored.customer,
                    versions=len(stored.versions),
                    in_force=in_force,
                    latest_status=latest,
                )
            )
    return summaries


def agreement_in_force(engine: Engine, *, name: str, at: datetime) -> AgreementVersion:
    """The version of agreement ``name`` in force at ``at`` (NotFoundError if none)."""
    with engine.connect() as conn:
        return repo.version_in_force(conn, agreement=name, at=require_utc(at))


def agreement_history(engine: Engine, *, name: str) -> tuple[list[HistoryEvent], bool]:
    """Every event of agreement ``name``, oldest first, and whether its hash chain is intact
    and the stored versions agree with it."""
    events, wrong = agreement_audit(engine, name=name)
    return events, not wrong


def agreement_audit(engine: Engine, *, name: str) -> tuple[list[HistoryEvent], list[str]]:
    """Every event of agreement ``name``, oldest first, and every way the stored agreement
    disagrees with that hash-chained history (empty when it is intact)."""
    with engine.connect() as conn:
        return repo.history(conn, agreement=name), repo.audit(conn, agreement=name)


# --- presentation helpers (shared by the CLI and a later API) --------------------------------


def version_document(version: AgreementVersion) -> dict[str, Any]:
    """A version as JSON-ready data: its canonical content plus its status."""
    data: dict[str, Any] = json.loads(version_content(version))
    data["status"] = version.status.value
    return data
