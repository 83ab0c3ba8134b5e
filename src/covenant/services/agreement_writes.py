"""The agreement lifecycle over the API: create a draft, change it, propose, sign, amend,
terminate — written into the store, which is the record of agreement versions (ADR 0005).

A change starts from the agreement's versions as the store recorded them (each version's
definition is kept in its hash-chained history), edits that definition, validates it with the
workspace's other definitions exactly as ``covenant validate`` does (the customer, calendars and
SLOs it names; tiers, money, signatures, dates), and records the result with the rules of
``covenant agreements sync`` (``services.agreement_plan``: a signed version is immutable, a
status moves only along the lifecycle), in one transaction, marked ``via: api``. Two writers
that change the same agreement at once cannot both succeed: the second's history event collides
with the first's (``conflict``), and it may retry.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from covenant.core.agreements import BINDING, AgreementVersion, VersionStatus
from covenant.core.timeutil import require_utc, utc_iso
from covenant.definitions.kinds import COVENANT_V1
from covenant.definitions.workspace import Workspace, analyse_sources
from covenant.definitions.yamlsource import SourceDocument
from covenant.errors import (
    ConflictError,
    DefinitionError,
    InputError,
    NotFoundError,
    Problem,
)
from covenant.services.agreement_gaps import stored_reading
from covenant.services.agreement_plan import (
    API,
    SyncChange,
    apply_plan,
    document_specs,
    history_of,
    plan_changes,
    recorded_specs,
)
from covenant.services.agreement_presentation import (
    Presentation,
    presentation_of,
    put_presentation,
    record_presentation,
    recorded_presentation,
)
from covenant.services.store import store_failure
from covenant.store import agreements as repo
from covenant.store.agreement_content import content_hash
from covenant.store.db import write_transaction

Document = dict[str, Any]
Edit = Callable[[Document, "repo.StoredAgreement | None"], int]  # → the version it changed

LIFECYCLE_CODES = ("signed-version-changed", "illegal-status-change")


class LifecycleError(ConflictError):
    """A change the lifecycle forbids (``signed-version-changed``, ``illegal-status-change``):
    409, with the problem's own code."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message, hint=problem.fix)
        self.code = problem.code


def create_agreement(
    engine: Engine,
    *,
    workspace: Workspace,
    name: str,
    customer: str,
    version: Mapping[str, Any],
    description: str | None = None,
    presentation: Presentation | None = None,
    at: datetime,
    actor: str | None,
) -> tuple[list[SyncChange], AgreementVersion]:
    """A new agreement with ``version`` as its draft v1; ``presentation``: its display name
    and statement locale (``agreement_presentation``)."""
    if _defined(workspace, name):
        raise ConflictError(
            f"agreement {name!r} is defined in the workspace but not recorded in the store",
            hint="run `covenant agreements sync` to record it, then change it here",
        )

    def edit(doc: Document, before: repo.StoredAgreement | None) -> int:
        if before is not None:
            raise ConflictError(
                f"an agreement named {name!r} exists",
                hint=f"add a version: POST /api/v1/agreements/{name}/versions",
            )
        doc["spec"] = {"customer": customer, "versions": [_new(version, 1)]}
        if description is not None:
            doc["spec"]["description"] = description
        put_presentation(doc, presentation or {})
        return 1

    return _change(engine, workspace=workspace, name=name, edit=edit, at=at, actor=actor)


def add_version(
    engine: Engine,
    *,
    workspace: Workspace,
    name: str,
    version: Mapping[str, Any],
    at: datetime,
    actor: str | None,
) -> tuple[list[SyncChange], AgreementVersion]:
    """A new draft version after the last one: an amendment (a complete version with a
    ``reason``), or a fresh start after a withdrawn draft."""

    def edit(doc: Document, before: repo.StoredAgreement | None) -> int:
        _exists(before, name)
        versions = doc["spec"]["versions"]
        number = max((v["version"] for v in versions), default=0) + 1
        versions.append(_new(version, number))
        return number

    return _change(engine, workspace=workspace, name=name, edit=edit, at=at, actor=actor)


def amend_version(
    engine: Engine,
    *,
    workspace: Workspace,
    name: str,
    base: int,
    effective_from: str,
    reason: str,
    levels: Mapping[str, str],
    at: datetime,
    actor: str | None,
    edits: Mapping[str, Mapping[str, Any]] | None = None,
    terms: Mapping[str, Any] | None = None,
    fees: Mapping[str, str | None] | None = None,
    whole: Mapping[str, Any] | None = None,
) -> tuple[list[SyncChange], AgreementVersion]:
    """A new draft that copies version ``base``'s terms (``whole``: these terms instead, a
    version's complete body, ``agreement_amendments.whole_terms``), from ``effective_from`` (a
    date), for ``reason``, with the committed ``levels`` (percent as text, by commitment name)
    changed: the web UI's amendment. ``edits`` set more fields of a commitment (availability or
    support, by name) as the contract writes them: ``terms``, ``credits`` (the tiers),
    ``attainment``, ``cap``, ``minimumCredit``, ``penalty``; ``terms`` set fields of the version
    itself (``fees``, the agreement-wide ``cap``). A field set to None is removed. ``fees`` change
    the fee of each service named (None: its fee removed), keeping the others. Money and
    percentages are given as text and read exactly; the draft is checked like any other
    version (``money-precision``, ``invalid-type``… naming the field)."""
    check_reason(reason)

    def edit(doc: Document, before: repo.StoredAgreement | None) -> int:
        _exists(before, name)
        found = _find(doc, name, base)
        copied = {
            key: copy.deepcopy(value)
            for key, value in (found if whole is None else whole).items()
            if key not in ("version", "status", "signatories")
        }
        copied["effectiveFrom"] = effective_from
        copied["reason"] = reason.strip()
        _set(copied, terms or {})
        if fees:
            merged = dict(copied.get("fees") or {})
            _set(merged, fees)
            copied["fees"] = merged
        for commitment in copied.get("availability", []):
            if commitment.get("name") in levels:
                commitment["level"] = levels[commitment["name"]]
        for commitment in [*copied.get("availability", []), *copied.get("support", [])]:
            _set(commitment, (edits or {}).get(commitment.get("name"), {}))
        versions = doc["spec"]["versions"]
        number = int(max(v["version"] for v in versions)) + 1
        versions.append(_new(copied, number))
        return number

    return _change(engine, workspace=workspace, name=name, edit=edit, at=at, actor=actor)


def check_reason(reason: str) -> None:
    """An amendment says why it was made (``invalid-input`` when the reason is blank)."""
    if not reason.strip():
        raise InputError("an amendment needs its reason", hint="say what changes and why")


def _set(item: Document, changes: Mapping[str, Any]) -> None:
    """``item``'s fields set to ``changes`` (a copy of each), those set to None removed."""
    for key, value in changes.items():
        if value is None:
            item.pop(key, None)
        else:
            item[key] = copy.deepcopy(value)


def recorded_text(engine: Engine, *, workspace: Workspace, name: str) -> str:
    """The stored agreement ``name`` (every version, drafts included) as one Agreement
    document's text (JSON, which YAML readers read): what a backtest of a draft reads."""
    with engine.connect() as conn:
        found = repo.load_agreements(conn, names=[name])
        if not found:
            _exists(None, name)
        history = history_of(conn, found)
        shown = recorded_presentation(history).get(name)
        doc = recorded_document(name, found[0], workspace, recorded_specs(history), shown)
    return json.dumps(doc, default=str)


def set_presentation(
    engine: Engine,
    *,
    workspace: Workspace,
    name: str,
    presentation: Presentation,
    at: datetime,
    actor: str | None,
) -> Presentation:
    """A new display name and/or statement locale for an agreement made over the API: not
    terms, so whatever its versions' status (no amendment). One the workspace defines is
    changed in its YAML (``conflict``). The locale is checked with the agreement."""
    if _defined(workspace, name):
        raise ConflictError(
            f"agreement {name!r} is defined in the workspace: its displayName and locale are "
            "its YAML's",
            hint="edit metadata.displayName or spec.locale in the workspace's file",
        )
    at = require_utc(at)
    try:
        with write_transaction(engine, subject=f"agreement {name!r} was not changed") as conn:
            found = repo.load_agreements(conn, names=[name])
            _exists(found[0] if found else None, name)
            history = history_of(conn, found)
            shown = recorded_presentation(history).get(name, {})
            doc = recorded_document(name, found[0], workspace, recorded_specs(history), shown)
            after = {**shown, **presentation}
            put_presentation(doc, after)
            _validate(workspace, name, doc)
            record_presentation(
                conn,
                agreement_id=found[0].id,
                name=name,
                before=shown,
                after=after,
                at=at,
                actor=actor,
            )
    except IntegrityError as exc:
        raise ConflictError(
            f"agreement {name!r} was changed by another request at the same time",
            hint="read it again and repeat the change",
        ) from exc
    return after


def replace_version(
    engine: Engine,
    *,
    workspace: Workspace,
    name: str,
    number: int,
    version: Mapping[str, Any],
    at: datetime,
    actor: str | None,
) -> tuple[list[SyncChange], AgreementVersion]:
    """New terms for a draft or proposed version (a signed one: ``signed-version-changed``)."""

    def edit(doc: Document, before: repo.StoredAgreement | None) -> int:
        item = _find(doc, name, number)
        status = item["status"]
        if VersionStatus(status) in BINDING:
            raise LifecycleError(
                Problem(
                    code="signed-version-changed",
                    message=f"{name} v{number} is {status}: the version is signed and "
                    "immutable; its terms cannot be replaced",
                    where=name,
                    fix=f"write an amendment: POST /api/v1/agreements/{name}/versions with "
                    "the complete new terms, its own effectiveFrom and a reason",
                )
            )
        _check_keys(version, number=number)
        item.clear()
        item.update(version)
        item.update(version=number, status=status)
        return number

    return _change(engine, workspace=workspace, name=name, edit=edit, at=at, actor=actor)


def move_version(
    engine: Engine,
    *,
    workspace: Workspace,
    name: str,
    number: int,
    status: VersionStatus,
    signatories: Sequence[Mapping[str, Any]] = (),
    at: datetime,
    actor: str | None,
) -> tuple[list[SyncChange], AgreementVersion]:
    """Move a version along the lifecycle (propose, sign, activate, terminate…); signing adds
    ``signatories`` (``signedAt`` defaults to ``at``)."""

    def edit(doc: Document, before: repo.StoredAgreement | None) -> int:
        item = _find(doc, name, number)
        if signatories:
            signed = [
                {**dict(s), "signedAt": s.get("signedAt") or utc_iso(at)} for s in signatories
            ]
            item["signatories"] = [*item.get("signatories", []), *signed]
        item["status"] = status.value
        return number

    return _change(engine, workspace=workspace, name=name, edit=edit, at=at, actor=actor)


# --- the one way a change is made -------------------------------------------------------------


def _change(
    engine: Engine,
    *,
    workspace: Workspace,
    name: str,
    edit: Edit,
    at: datetime,
    actor: str | None,
) -> tuple[list[SyncChange], AgreementVersion]:
    at = require_utc(at)
    try:
        with write_transaction(engine, subject=f"agreement {name!r} was not changed") as conn:
            found = repo.load_agreements(conn, names=[name])  # agreement-tampered if forged
            before = found[0] if found else None
            history = history_of(conn, found)
            shown = recorded_presentation(history).get(name, {})
            doc = recorded_document(name, before, workspace, recorded_specs(history), shown)
            number = edit(doc, before)
            versions, specs = _validate(workspace, name, doc)
            stored = {} if before is None else {name: before}
            plan = plan_changes({name: versions}, stored, origins={}, held=set(), specs=specs)
            _refuse(plan.errors)
            changes = apply_plan(
                conn,
                plan,
                stored=stored,
                defined={name: versions},
                specs=specs,
                at=at,
                actor=actor,
                via=API,
            )
            if not _defined(workspace, name):
                (made,) = repo.load_agreements(conn, names=[name], verify=False)
                record_presentation(
                    conn,
                    agreement_id=made.id,
                    name=name,
                    before=shown,
                    after=presentation_of(doc),
                    at=at,
                    actor=actor,
                )
    except IntegrityError as exc:
        raise ConflictError(
            f"agreement {name!r} was changed by another request at the same time; "
            "nothing was applied",
            hint="read it again and repeat the change",
        ) from exc
    except SQLAlchemyError as exc:
        raise store_failure("write agreements", exc) from exc
    return changes, next(v for v in versions if v.version == number)


def _defined(workspace: Workspace, name: str) -> bool:
    return any(d.kind == "Agreement" and d.name == name for d in workspace.documents)


def recorded_document(
    name: str,
    before: repo.StoredAgreement | None,
    workspace: Workspace,
    specs: Mapping[tuple[str, int], Mapping[str, Any]],
    presentation: Presentation | None = None,
) -> Document:
    """The agreement's whole definition as the store recorded it (a new one: its head only);
    ``presentation`` (recorded over the API) for one the workspace does not define."""
    written = next(
        (d for d in workspace.documents if d.kind == "Agreement" and d.name == name), None
    )
    metadata: dict[str, Any] = {"name": name}
    description = None
    if written is not None:
        raw_meta = written.raw.get("metadata")
        metadata = dict(raw_meta) if isinstance(raw_meta, Mapping) else metadata
        raw_spec = written.raw.get("spec")
        if isinstance(raw_spec, Mapping):
            description = raw_spec.get("description")
    doc: Document = {"apiVersion": COVENANT_V1, "kind": "Agreement", "metadata": metadata}
    if before is None:
        return doc
    in_workspace = document_specs(name, written.raw) if written is not None else {}
    defined = {v.version: v for v in workspace.agreements if v.agreement == name}
    versions = []
    for stored in before.versions:
        key = (name, stored.version)
        spec = specs.get(key)
        if spec is None:  # recorded before definitions were kept: the workspace's, if the same
            same = defined.get(stored.version)
            if same is None or (
                content_hash(same) != stored.content_sha256
                and stored_reading(same, in_workspace.get(key), stored.content_sha256) is None
            ):
                raise ConflictError(
                    f"{name} v{stored.version} was recorded without its definition and the "
                    "workspace's copy differs from it, so it cannot be changed here",
                    hint="run `covenant agreements sync` from the workspace that defines it",
                )
            spec = in_workspace[key]
        versions.append({**spec, "version": stored.version, "status": stored.status.value})
    doc["spec"] = {"customer": before.customer, "versions": versions}
    if description is not None:
        doc["spec"]["description"] = description
    if written is None:
        put_presentation(doc, presentation or {})
    return doc


def _validate(
    workspace: Workspace, name: str, doc: Document
) -> tuple[list[AgreementVersion], dict[tuple[str, int], dict[str, Any]]]:
    """The agreement's versions when ``doc`` validates with the rest of the workspace."""
    sources = [
        SourceDocument(file=d.file, index=i, line=d.line, data=d.raw)
        for i, d in enumerate(workspace.documents)
        if not (d.kind == "Agreement" and d.name == name)
    ]
    sources.append(SourceDocument(file=f"<agreement {name}>", index=0, line=1, data=doc))
    checked, problems = analyse_sources(sources)
    if checked is None:
        raise DefinitionError(
            problems=[p for p in problems if p.severity == "error"], applying=True
        )
    versions = [v for v in checked.agreements if v.agreement == name]
    return versions, document_specs(name, doc)


def _refuse(errors: Sequence[Problem]) -> None:
    if not errors:
        return
    if all(p.code in LIFECYCLE_CODES for p in errors):
        raise LifecycleError(errors[0])
    raise DefinitionError(problems=list(errors), applying=True)


def _exists(before: repo.StoredAgreement | None, name: str) -> None:
    if before is None:
        raise NotFoundError(
            f"no agreement named {name!r} is stored",
            hint="create it: POST /api/v1/agreements (or define it and sync)",
        )


def _find(doc: Document, name: str, number: int) -> dict[str, Any]:
    spec = doc.get("spec")
    if spec is None:
        _exists(None, name)
    for item in spec["versions"] if spec else ():
        if item["version"] == number:
            found: dict[str, Any] = item
            return found
    raise NotFoundError(f"agreement {name!r} has no version {number}")


def _check_keys(version: Mapping[str, Any], *, number: int) -> None:
    if "version" in version and version["version"] != number:
        raise InputError(
            f"the body says version {version['version']!r}, the path {number}",
            hint="leave `version` out of the body (the path names it)",
        )
    if "status" in version:
        raise InputError(
            "a version's status is not changed with its terms",
            hint="leave `status` out; use .../propose, .../sign, .../terminate or .../status",
        )


def _new(version: Mapping[str, Any], number: int) -> Document:
    _check_keys(version, number=number)
    return {**version, "version": number, "status": VersionStatus.DRAFT.value}
