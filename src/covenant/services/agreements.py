"""Use cases on agreements: sync the workspace's agreements into the store, read them back.

``sync_agreements`` validates every agreement of the workspace against the stored versions and
applies the result in one transaction, or raises :class:`DefinitionError` with every problem
and applies nothing. The rules are ``services.agreement_plan``'s, shared with the API's writes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from covenant.core.agreements import AgreementVersion
from covenant.core.timeutil import require_utc, utc_iso
from covenant.definitions.workspace import Workspace
from covenant.errors import DefinitionError, NotFoundError, Problem, StoreError, TamperedError
from covenant.services.agreement_gaps import stored_reading
from covenant.services.agreement_plan import (
    PULL_HINT,
    WARNING,
    SyncChange,
    apply_plan,
    document_specs,
    held_versions,
    history_of,
    plan_changes,
)
from covenant.services.agreement_presentation import labels_for, recorded_presentation
from covenant.services.store import store_failure
from covenant.store import agreements as repo
from covenant.store.agreement_content import version_content
from covenant.store.agreement_history import HistoryEvent
from covenant.store.db import read_transaction, write_transaction


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
        with (
            read_transaction(engine)
            if dry_run
            else write_transaction(engine, subject="no agreement was synced", again="sync again")
        ) as conn:
            report = _sync(conn, workspace=workspace, at=at, actor=actor, apply=not dry_run)
    except IntegrityError as exc:
        raise StoreError(
            "another sync changed the same agreements at the same time; nothing was applied",
            hint="run `covenant agreements sync` again",
        ) from exc
    except SQLAlchemyError as exc:
        raise store_failure("write agreements", exc) from exc
    return report


def _sync(
    conn: Connection, *, workspace: Workspace, at: datetime, actor: str | None, apply: bool
) -> SyncReport:
    defined: dict[str, list[AgreementVersion]] = {}
    for version in workspace.agreements:
        defined.setdefault(version.agreement, []).append(version)
    stored = {a.name: a for a in repo.load_agreements(conn)}
    history = history_of(conn, stored.values())
    held = held_versions(history)
    specs: dict[tuple[str, int], Any] = {}
    for document in workspace.documents:
        if document.kind == "Agreement":
            specs.update(document_specs(document.name, document.raw))
    plan = plan_changes(defined, stored, origins=workspace.origins, held=held, specs=specs)
    ahead = {name for name, _ in held}
    plan.problems.extend(
        Problem(
            code="agreement-not-in-workspace",
            message=f"agreement {name!r} is in the store but not in the workspace; "
            "it stays stored unchanged",
            where=name,
            fix=PULL_HINT
            if name in ahead
            else "add its definition back, or ignore this if it is defined elsewhere",
            severity=WARNING,
        )
        for name in sorted(set(stored) - set(defined))
    )
    if plan.errors:
        raise DefinitionError(problems=plan.problems, applying=True)
    warnings = tuple(plan.problems)
    if not apply:
        return SyncReport(at=at, changes=(), unchanged=plan.unchanged, warnings=warnings)
    changes = apply_plan(
        conn, plan, stored=stored, defined=defined, specs=specs, at=at, actor=actor
    )
    return SyncReport(at=at, changes=tuple(changes), unchanged=plan.unchanged, warnings=warnings)


def with_recorded_agreements(engine: Engine, workspace: Workspace) -> Workspace:
    """The workspace with the store's versions of every agreement the store is ahead of
    (changed over the API and not pulled into the workspace yet): what statements and exposure
    read, so an agreement signed over the API counts at once, on every replica."""
    with engine.connect() as conn:
        stored = repo.load_agreements(conn)
        history = history_of(conn, stored)
        ahead = {name for name, _ in held_versions(history)}
    signed = _as_signed(workspace, stored)
    if not ahead and not signed:
        return workspace
    kept = [
        signed.get((v.agreement, v.version), v)
        for v in workspace.agreements
        if v.agreement not in ahead
    ]
    recorded = [v.model() for a in stored if a.name in ahead for v in a.versions]
    labelled = {label.name for label in workspace.labels}
    labels = labels_for(sorted(ahead - labelled), recorded_presentation(history))
    return replace(
        workspace, agreements=tuple(kept + recorded), labels=(*workspace.labels, *labels)
    )


def _as_signed(
    workspace: Workspace, stored: Sequence[repo.StoredAgreement]
) -> dict[tuple[str, int], AgreementVersion]:
    """The stored reading of each workspace version that differs from its stored one only by
    the old reading of times written in a DST gap (``services.agreement_gaps``): the instants
    signed, which statements keep."""
    hashes = {(a.name, v.version): v.content_sha256 for a in stored for v in a.versions}
    specs: dict[tuple[str, int], Any] = {}
    for document in workspace.documents:
        if document.kind == "Agreement":
            specs.update(document_specs(document.name, document.raw))
    found = {}
    for version in workspace.agreements:
        key = (version.agreement, version.version)
        sha = hashes.get(key)
        legacy = None if sha is None else stored_reading(version, specs.get(key), sha)
        if legacy is not None:
            found[key] = legacy.version
    return found


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
    """A version as JSON-ready data: its canonical content (instants with ``Z``, as every
    answer writes them; the stored content keeps the form its hash was made over) plus its
    status."""
    data: dict[str, Any] = json.loads(version_content(version, stamp=utc_iso))
    data["status"] = version.status.value
    return data
