"""Corrections and maintenance windows written over the API, into the store (ADR 0006).

A change is one transaction: it takes the audit lock (writers of the audit log, and so of
these records, are serialised on PostgreSQL; SQLite's write lock does it there), reads the
store's records, applies them over the workspace's definitions (``recorded_definitions``),
validates the new definition together with every other definition exactly as ``covenant
validate`` does (``analyse_sources``: the same reader, the same checks — RRULE bounds, SLO and
customer references, times), checks the domain's rules for the change (a maintenance window is
planned ahead; one that started may only have its end moved; one that ended is history), and
records the event and the audit log's row (who, when, before and after) together. Nothing is
applied when anything is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from covenant.core.agreements import MaintenanceWindow
from covenant.core.timeutil import require_utc, utc_text
from covenant.definitions.articles import with_article
from covenant.definitions.kinds import COVENANT_V1
from covenant.definitions.service_names import known_services, unknown_service
from covenant.definitions.workspace import Workspace, analyse_sources
from covenant.definitions.yamlsource import SourceDocument
from covenant.errors import ConflictError, DefinitionError, InputError, NotFoundError, Problem
from covenant.services.recorded_definitions import (
    CORRECTION,
    MAINTENANCE,
    apply_overlay,
    correction_sha,
    description_of,
    maintenance_sha,
    workspace_overlay,
)
from covenant.store import agreements as agreements_repo
from covenant.store import audit
from covenant.store import corrections as revisions
from covenant.store import definition_changes as repo
from covenant.store.db import write_transaction

Document = dict[str, Any]
AUDIT_KIND = {CORRECTION: "correction", MAINTENANCE: "maintenance-window"}
ROUTE = {CORRECTION: "corrections", MAINTENANCE: "maintenance-windows"}
MAX_AUTHOR = 255  # correction_revisions.author


class MaintenanceRuleError(ConflictError):
    """A change the maintenance window's place in time forbids (409, its own code)."""

    def __init__(self, code: str, message: str, hint: str) -> None:
        super().__init__(message, hint=hint)
        self.code = code


class MaintenanceInPastError(InputError):
    """A new or moved maintenance window that starts before it is recorded (400)."""

    code = "maintenance-in-past"


@dataclass(frozen=True, slots=True, kw_only=True)
class Written:
    """What a change recorded: the event, and the definition as it now applies (None: gone)."""

    change: repo.DefinitionChange
    document: Mapping[str, Any] | None
    before: Mapping[str, Any] | None


DISPLAY_NAME_MOST = 255


def checked_display_name(shown: object) -> str | None:
    """A definition's ``metadata.displayName`` as every surface takes it (the API's write
    routes, the maintenance page): None when not given, else a text of 1 to
    ``DISPLAY_NAME_MOST`` characters once trimmed, trimmed; anything else ``invalid-input``."""
    if shown is None:
        return None
    if not isinstance(shown, str) or not 1 <= len(shown.strip()) <= DISPLAY_NAME_MOST:
        raise InputError(
            f"`displayName` must be a text of 1 to {DISPLAY_NAME_MOST} characters",
            hint="what a customer's statement calls it; leave it out to keep the one it has",
        )
    return shown.strip()


def document_of(
    kind: str, name: str, spec: Mapping[str, Any], display_name: str | None = None
) -> Document:
    metadata = {"name": name} if not display_name else {"name": name, "displayName": display_name}
    return {"apiVersion": COVENANT_V1, "kind": kind, "metadata": metadata, "spec": dict(spec)}


def write_definition(
    engine: Engine,
    *,
    workspace: Workspace,
    kind: str,
    name: str,
    spec: Mapping[str, Any] | None,
    creating: bool,
    at: datetime,
    actor: str,
    reason: str | None = None,
    ending: bool = False,
    display_name: str | None = None,
) -> Written:
    """Create (``creating``), replace (``spec``), delete (``spec`` None) or end (``ending``,
    a maintenance window in progress) the ``kind`` named ``name``; ``display_name`` is its
    ``metadata.displayName`` (what a customer's statement calls a window; None on a change:
    kept). ``workspace``: the definitions as the files say (the store's records are applied
    here, under the lock)."""
    at = require_utc(at, what="change instant")
    try:
        with write_transaction(engine) as conn:
            audit.lock(conn)
            changes = repo.changes(conn)
            effective = apply_overlay(workspace, workspace_overlay(workspace, changes))
            before = next(
                (d for d in effective.documents if d.kind == kind and d.name == name), None
            )
            if creating and before is not None:
                where = "over the API" if before.file == "<store>" else f"in {before.file}"
                raise ConflictError(
                    f"{with_article(kind)} named {name!r} exists ({where})",
                    hint=f"change it: PUT /api/v1/{ROUTE[kind]}/{name}, or pick another name",
                )
            if not creating and before is None:
                raise NotFoundError(
                    f"no {kind} named {name!r} is defined",
                    hint=f"create it: POST /api/v1/{ROUTE[kind]}",
                )
            old = None if before is None else dict(before.raw)
            if ending:
                assert old is not None
                spec = _ended(effective, name, old, at=at)
            after = None
            if display_name is None and old is not None:
                kept = old.get("metadata", {})
                display_name = kept.get("displayName") if isinstance(kept, Mapping) else None
            if spec is not None:
                made = _defaults(kind, spec, old, at=at, actor=actor)
                after = document_of(kind, name, made, display_name)
            built = _validated(effective, kind, name, after)
            was_window = old_window(effective, name) if kind == MAINTENANCE else None
            if (
                after is not None
                and was_window is not None
                and "announcedAt" not in (spec or {})
                and not _within(built, was_window)
            ):  # moved or grown: announced anew, now
                after["spec"]["announcedAt"] = at.isoformat().replace("+00:00", "Z")
                built = _validated(effective, kind, name, after)
            if kind == MAINTENANCE:
                _known_services(conn, effective, after, was_window)
                _maintenance_rules(effective, name, was_window, built, at=at)
            sha = "" if built is None else _sha(kind, built, after)
            was = _was(effective, kind, name)
            if after is not None and sha == was:
                raise ConflictError(
                    f"{kind} {name!r} already says exactly this; nothing was changed",
                    hint="send the definition with the change you mean",
                )
            action = repo.CREATED if creating else repo.DELETED if after is None else repo.CHANGED
            why = reason or (
                str(after["spec"].get("reason")) if kind == CORRECTION and after else None
            )
            event = repo.append(
                conn,
                kind=kind,
                name=name,
                action=action,
                document=after,
                content_sha256=sha,
                replaced_sha256=was,
                actor=actor,
                at=at,
                reason=why,
            )
            if kind == CORRECTION and built is not None:
                _record_revision(conn, built, at=at)
            audit.append(
                conn,
                actor=actor,
                action="ended" if ending else action,
                entity_kind=AUDIT_KIND[kind],
                entity_id=name,
                before=old,
                after=after,
                at=at,
                reason=why,
            )
    except IntegrityError as exc:
        raise ConflictError(
            f"{kind} {name!r} was changed by another request at the same time; nothing was applied",
            hint="read it again and repeat the change",
        ) from exc
    except SQLAlchemyError as exc:
        from covenant.services.store import store_failure  # noqa: PLC0415

        raise store_failure(f"cannot write the {kind}", exc) from exc
    return Written(change=event, document=after, before=old)


def _known_services(
    conn: Connection,
    workspace: Workspace,
    document: Document | None,
    before: MaintenanceWindow | None,
) -> None:
    """Refuse a window naming a service neither the workspace nor the store's agreements (one
    created over the API is only there) name: it would exclude nothing (``service_names``).
    Only a service the write adds is checked: a window that already names one (in the files,
    where validate only warns, or written before this check) can still be ended or cut short."""
    if document is None:
        return
    known = known_services(workspace.documents) | set(() if before is None else before.services)
    services = document["spec"].get("services") or []
    if all(service in known for service in services):
        return
    for stored in agreements_repo.load_agreements(conn, verify=False):
        for version in stored.versions:
            model = version.model()
            known |= {fee for fee, _ in model.fees}
            for commitment in model.availability:
                known |= {*commitment.services, *commitment.measurement.components}
    source = SourceDocument(file="<request>", index=0, line=1, data=document)
    problems = [
        unknown_service(
            source,
            ("spec", "services", i),
            service,
            known,
            severity="error",
            place="the workspace or the store",
        )
        for i, service in enumerate(services)
        if service not in known
    ]
    if problems:
        raise DefinitionError(problems=problems, applying=True)


def old_window(workspace: Workspace, name: str) -> MaintenanceWindow | None:
    return next((w for w in workspace.maintenance if w.name == name), None)


def _was(workspace: Workspace, kind: str, name: str) -> str:
    """The content hash of what applies now ("" when nothing does)."""
    if kind == CORRECTION:
        rule = next((r for r in workspace.corrections if r.name == name), None)
        return "" if rule is None else correction_sha(rule)
    window = old_window(workspace, name)
    if window is None:
        return ""
    raw = next(d.raw for d in workspace.documents if d.kind == kind and d.name == name)
    return maintenance_sha(window, description_of(raw))


def _sha(kind: str, built: Any, document: Mapping[str, Any] | None) -> str:
    if kind == CORRECTION:
        return correction_sha(built)
    return maintenance_sha(built, description_of(document or {}))


def _defaults(
    kind: str, spec: Mapping[str, Any], old: Mapping[str, Any] | None, *, at: datetime, actor: str
) -> Document:
    """The spec as recorded: who and when a correction was written (``author`` defaults to the
    token, ``createdAt`` to now); when a maintenance window was announced (now, unless given,
    or unchanged when its times are)."""
    made = dict(spec)
    for key in ("name", "apiVersion", "kind", "metadata"):
        if key in made:
            raise InputError(
                f"`{key}` is not a field of the {kind}'s spec",
                hint="send the spec's fields (the path names the definition)",
            )
    stamp = at.isoformat().replace("+00:00", "Z")
    if kind == CORRECTION:
        made.setdefault("author", actor)
        made.setdefault("createdAt", stamp)
        if isinstance(made["author"], str) and len(made["author"]) > MAX_AUTHOR:
            raise DefinitionError(
                applying=True,
                problems=[
                    Problem(
                        code="invalid-value",
                        message=f"spec.author is longer than {MAX_AUTHOR} characters",
                        where="<request>",
                        field="spec.author",
                        fix="name who wrote it: an e-mail address or a name",
                    )
                ],
            )
        if isinstance(made.get("reason"), str) and not made["reason"].strip():
            raise DefinitionError(
                applying=True,
                problems=[
                    Problem(
                        code="missing-field",
                        message="spec.reason is blank: a correction says why",
                        where="<request>",
                        field="spec.reason",
                        fix="give the reason the time is left out",
                    )
                ],
            )
    elif "announcedAt" not in made:  # kept while the window only shrinks (write_definition)
        old_spec = old.get("spec", {}) if old else {}
        made["announcedAt"] = old_spec.get("announcedAt", stamp) if old else stamp
    return made


def _within(new: MaintenanceWindow, old: MaintenanceWindow) -> bool:
    """``new`` covers no time, service or customer ``old`` did not (its announcement holds)."""
    customers = not old.customers or (
        bool(new.customers) and set(new.customers) <= set(old.customers)
    )
    return (
        old.start <= new.start
        and new.end <= old.end
        and set(new.services) <= set(old.services)
        and customers
    )


def _validated(workspace: Workspace, kind: str, name: str, document: Document | None) -> Any:
    """The rule or window ``document`` says, validated with every other definition of the
    workspace by the readers' own code (DefinitionError listing every problem)."""
    sources = [
        SourceDocument(file=d.file, index=i, line=d.line, data=d.raw)
        for i, d in enumerate(workspace.documents)
        if not (d.kind == kind and d.name == name)
    ]
    if document is not None:
        sources.append(SourceDocument(file="<request>", index=0, line=1, data=document))
    checked, problems = analyse_sources(sources)
    if checked is None:
        mine = [p for p in problems if p.severity == "error" and p.where.startswith("<request>")]
        raise DefinitionError(
            problems=mine or [p for p in problems if p.severity == "error"], applying=True
        )
    if document is None:
        return None
    found = checked.corrections if kind == CORRECTION else checked.maintenance
    return next(item for item in found if item.name == name)


def _overlaps(a: MaintenanceWindow, b: MaintenanceWindow) -> bool:
    customers = not a.customers or not b.customers or bool(set(a.customers) & set(b.customers))
    return (
        bool(set(a.services) & set(b.services))
        and customers
        and a.start < b.end
        and b.start < a.end
    )


def _maintenance_rules(
    workspace: Workspace,
    name: str,
    old: MaintenanceWindow | None,
    new: MaintenanceWindow | None,
    *,
    at: datetime,
) -> None:
    """A window is planned ahead; a started one may only end earlier (not before now);
    an ended one is history; two windows on a service for the same customers never overlap."""
    route = f"/api/v1/maintenance-windows/{name}"
    if old is not None and old.end <= at:
        raise MaintenanceRuleError(
            "maintenance-ended",
            f"maintenance window {name!r} ended at {utc_text(old.end)}: it is history (the "
            "statements of its period counted it) and is not changed",
            "record a new window for new maintenance",
        )
    if old is not None and old.start <= at:
        if new is None:
            raise MaintenanceRuleError(
                "maintenance-started",
                f"maintenance window {name!r} started at {utc_text(old.start)}: it cannot be "
                "cancelled",
                f"end it now: POST {route}/end",
            )
        same = (new.start, new.services, new.customers) == (old.start, old.services, old.customers)
        if not same or new.end < at or new.end > old.end:
            raise MaintenanceRuleError(
                "maintenance-started",
                f"maintenance window {name!r} started at {utc_text(old.start)}: only its "
                "end may move, earlier but not before now",
                f"end it now (POST {route}/end) or give an earlier end; more time is a new "
                f"window, announced now: POST /api/v1/maintenance-windows from "
                f"{utc_text(old.end)}",
            )
        return None  # shorter: no new overlap
    if new is None:
        return None
    if new.start < at:
        raise MaintenanceInPastError(
            f"maintenance window {name!r} would start at {utc_text(new.start)}, before now "
            f"({utc_text(at)}): a window is announced before it starts",
            hint="give a start after now; record past downtime as an incident "
            "(POST /api/v1/incidents with planned_maintenance)",
        )
    return _no_overlap(workspace, new)


def _no_overlap(workspace: Workspace, new: MaintenanceWindow) -> None:
    for other in workspace.maintenance:
        if other.name != new.name and _overlaps(other, new):
            shared = ", ".join(sorted(set(new.services) & set(other.services)))
            raise MaintenanceRuleError(
                "maintenance-overlap",
                f"maintenance window {new.name!r} ({utc_text(new.start)} to "
                f"{utc_text(new.end)}) overlaps {other.name!r} ({utc_text(other.start)} to "
                f"{utc_text(other.end)}) on {shared}",
                f"move one of them, or change {other.name!r} to cover both",
            )


def _ended(workspace: Workspace, name: str, old: Mapping[str, Any], *, at: datetime) -> Document:
    """The spec of a window in progress ended now (``end``: now, in UTC)."""
    window = old_window(workspace, name)
    assert window is not None
    if window.end <= at:
        _maintenance_rules(workspace, name, window, window, at=at)  # maintenance-ended
    if window.start > at:
        raise MaintenanceRuleError(
            "maintenance-not-started",
            f"maintenance window {name!r} starts at {utc_text(window.start)}: there is "
            "nothing to end",
            f"cancel it: DELETE /api/v1/maintenance-windows/{name}",
        )
    spec = dict(old.get("spec", {}))
    spec["end"] = at.isoformat().replace("+00:00", "Z")
    return spec


def _record_revision(conn: Connection, rule: Any, *, at: datetime) -> None:
    """The correction's audited revision, recorded by the change itself (an evaluation that
    applies it later finds its content known)."""
    revisions.record_seen(
        conn,
        name=rule.name,
        content=rule.content(),
        content_sha256=rule.sha256,
        author=rule.author,
        reason=rule.reason,
        created_at=rule.created_at,
        origin="<store>",
        at=at,
    )
