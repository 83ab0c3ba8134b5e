"""Corrections and maintenance windows recorded in the store, applied over the workspace's
(ADR 0006).

A change made over the API is recorded in the store (``store.definition_changes``), and the
store's definition *applies* — in every evaluation, statement and page, on every replica — in
place of the workspace's copy, until a ``pull`` writes it into the workspace:

- the workspace has the same content as the store's latest: nothing to do;
- the workspace's copy is one the store knows was replaced (an older copy, or none for a
  definition created over the API): the store's applies (``definition-behind-store``);
- the workspace's copy is one the store never saw, while the store holds a change made over
  the API and not pulled since: the store's applies (``definition-changed-in-both``), so a
  reload never silently undoes a change made over the API;
- otherwise (a pull handed the definition back and it was edited since): the workspace's.

A definition is compared by what it says: a correction by the hash of its canonical content
(the one its audit records), a maintenance window by the hash of its times, services,
customers and description. Stored documents are built with the workspace readers' own code
(``documents.parse_document``, ``resolve_corrections``, ``maintenance_window``).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from covenant.core.timeutil import utc_text
from covenant.definitions.parsed import Definition
from covenant.errors import Problem
from covenant.services.store import store_failure
from covenant.store import definition_changes as repo
from covenant.store.agreement_content import canonical_json, sha256

if TYPE_CHECKING:
    from covenant.core.agreements import MaintenanceWindow
    from covenant.definitions.corrections import CorrectionRule
    from covenant.definitions.workspace import Workspace

CORRECTION, MAINTENANCE = "Correction", "MaintenanceWindow"
KINDS = (CORRECTION, MAINTENANCE)
PULL_COMMAND = {CORRECTION: "covenant corrections pull", MAINTENANCE: "covenant maintenance pull"}
STORE_FILE = "<store>"  # the ``file`` of a definition the store holds (``line``: its event)

Key = tuple[str, str]


def correction_sha(rule: CorrectionRule) -> str:
    return rule.sha256


def maintenance_sha(window: MaintenanceWindow, description: str | None) -> str:
    return sha256(
        canonical_json(
            {
                "name": window.name,
                "services": list(window.services),
                "start": window.start,
                "end": window.end,
                "announced_at": window.announced_at,
                "customers": list(window.customers),
                "description": (description or "").strip(),
                "display_name": window.display_name,
            }
        )
    )


def description_of(raw: Mapping[str, Any]) -> str | None:
    spec = raw.get("spec")
    found = spec.get("description") if isinstance(spec, Mapping) else None
    return found if isinstance(found, str) else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """What applies for one recorded definition, and what the workspace has."""

    kind: str
    name: str
    latest: repo.DefinitionChange
    have: str  # the workspace's content hash ("": it does not define it)
    workspace: str  # same, behind (or lacks it), differs, owned (after a pull)
    use_store: bool

    @property
    def warning(self) -> Problem | None:
        pull = PULL_COMMAND[self.kind]
        when = f"{self.latest.action} over the API by {self.latest.actor} at " + utc_text(
            self.latest.at
        )
        if self.workspace == "behind":
            return Problem(
                code="definition-behind-store",
                message=f"{self.kind} {self.name!r} was {when}; the workspace "
                + ("lacks it" if self.latest.document is not None else "still defines it")
                + " or has an older copy, so the store's definition applies",
                where=f"{STORE_FILE}:{self.kind}/{self.name}",
                fix=f"run `{pull}` to write the store's definitions into the workspace",
                severity="warning",
            )
        if self.workspace == "differs":
            return Problem(
                code="definition-changed-in-both",
                message=f"{self.kind} {self.name!r} was {when} and the workspace's copy was "
                "edited too; the store's definition applies, the workspace's edit does not",
                where=f"{STORE_FILE}:{self.kind}/{self.name}",
                fix=f"run `{pull}` (it replaces the workspace's copy), then make the edit "
                "again, in the YAML or over the API",
                severity="warning",
            )
        return None


def decide(kind: str, name: str, events: Sequence[repo.DefinitionChange], have: str) -> Decision:
    """What applies for (``kind``, ``name``) given its events and the workspace's content hash
    (``have``; "" when the workspace does not define it)."""
    latest = events[-1]
    stale = {e.replaced_sha256 for e in events} | {e.content_sha256 for e in events[:-1]}
    stale.discard(latest.content_sha256)
    if have == latest.content_sha256:
        state, store = "same", False
    elif have in stale:
        state, store = "behind", True
    elif latest.held:
        state, store = "differs", True
    else:
        state, store = "owned", False
    return Decision(
        kind=kind, name=name, latest=latest, have=have, workspace=state, use_store=store
    )


def build_recorded(
    kind: str, document: Mapping[str, Any], *, where: str
) -> tuple[Any, list[Problem]]:
    """The rule or window a stored document says, built by the workspace readers' code."""
    from covenant.definitions.documents import parse_document  # noqa: PLC0415
    from covenant.definitions.yamlsource import SourceDocument  # noqa: PLC0415

    source = SourceDocument(file=where, index=0, line=1, data=dict(document))
    parsed, problems = parse_document(source)
    if parsed is None or parsed.model is None or problems:
        return None, problems
    if kind == CORRECTION:
        from covenant.definitions.corrections import resolve_corrections  # noqa: PLC0415

        slos = set(document.get("spec", {}).get("slos") or ())
        rules, found = resolve_corrections([parsed], slos=slos, build=True)
        return (rules[0] if rules else None), found  # a rule only without errors
    from covenant.definitions.agreements import MaintenanceDocument  # noqa: PLC0415
    from covenant.definitions.contracts import maintenance_window  # noqa: PLC0415

    assert isinstance(parsed.model, MaintenanceDocument)
    return maintenance_window(source, parsed.model)


@dataclass(frozen=True, slots=True, kw_only=True)
class Overlay:
    """The store's side of one workspace: what applies, and the warnings."""

    decisions: Mapping[Key, Decision]
    corrections: Mapping[str, CorrectionRule | None]  # by name; None: deleted over the API
    maintenance: Mapping[str, MaintenanceWindow | None]
    documents: Mapping[Key, Definition | None]
    warnings: tuple[Problem, ...]


def overlay_of(
    changes: Mapping[Key, Sequence[repo.DefinitionChange]],
    *,
    corrections: Sequence[CorrectionRule],
    maintenance: Sequence[MaintenanceWindow] = (),
    descriptions: Mapping[str, str | None] | None = None,
) -> Overlay:
    """What the store's records change in a workspace with ``corrections`` and ``maintenance``."""
    have: dict[Key, str] = {(CORRECTION, r.name): correction_sha(r) for r in corrections}
    for w in maintenance:
        have[(MAINTENANCE, w.name)] = maintenance_sha(w, (descriptions or {}).get(w.name))
    decisions: dict[Key, Decision] = {}
    rules: dict[str, CorrectionRule | None] = {}
    windows: dict[str, MaintenanceWindow | None] = {}
    documents: dict[Key, Definition | None] = {}
    warnings: list[Problem] = []
    for key, events in changes.items():
        kind, name = key
        if kind not in KINDS or not events:
            continue
        decision = decide(kind, name, events, have.get(key, ""))
        decisions[key] = decision
        if decision.warning is not None:
            warnings.append(decision.warning)
        if not decision.use_store:
            continue
        document = decision.latest.document
        built = None
        if document is not None:
            where = f"{STORE_FILE}:{kind}/{name}"
            built, problems = build_recorded(kind, document, where=where)
            warnings += [dataclasses.replace(p, severity="warning") for p in problems]
            if built is None:
                continue  # cannot be built any more: the workspace's copy (if any) applies
        (rules if kind == CORRECTION else windows)[name] = built
        documents[key] = (
            None
            if document is None
            else Definition(
                api_version=str(document.get("apiVersion", "")),
                kind=kind,
                name=name,
                file=STORE_FILE,
                line=decision.latest.seq,
                raw=document,
            )
        )
    return Overlay(
        decisions=decisions,
        corrections=rules,
        maintenance=windows,
        documents=documents,
        warnings=tuple(warnings),
    )


def apply_corrections(
    corrections: Sequence[CorrectionRule], overlay: Overlay
) -> tuple[CorrectionRule, ...]:
    """``corrections`` with the store's applied (replaced, added, removed), by name."""
    kept = [r for r in corrections if r.name not in overlay.corrections]
    added = [r for r in overlay.corrections.values() if r is not None]
    return tuple(sorted([*kept, *added], key=lambda r: r.name))


def apply_overlay(workspace: Workspace, overlay: Overlay) -> Workspace:
    """The workspace with the store's corrections and maintenance windows applied."""
    if not overlay.warnings and not any(d.use_store for d in overlay.decisions.values()):
        return workspace  # the workspace says what the store does
    windows = [w for w in workspace.maintenance if w.name not in overlay.maintenance]
    windows += [w for w in overlay.maintenance.values() if w is not None]
    documents = [d for d in workspace.documents if (d.kind, d.name) not in overlay.documents]
    documents += [d for d in overlay.documents.values() if d is not None]
    return dataclasses.replace(
        workspace,
        documents=tuple(documents),
        corrections=apply_corrections(workspace.corrections, overlay),
        maintenance=tuple(sorted(windows, key=lambda w: (w.start, w.name))),
        warnings=[*workspace.warnings, *overlay.warnings],
    )


def workspace_overlay(
    workspace: Workspace, changes: Mapping[Key, Sequence[repo.DefinitionChange]]
) -> Overlay:
    descriptions = {
        d.name: description_of(d.raw) for d in workspace.documents if d.kind == MAINTENANCE
    }
    return overlay_of(
        changes,
        corrections=workspace.corrections,
        maintenance=workspace.maintenance,
        descriptions=descriptions,
    )


class _Kept:
    """The last overlaid workspace, by the workspace object and the records' version: the same
    workspace and records give the same object (callers key their caches on it)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entry: tuple[Workspace, str, tuple[int, int], Workspace] | None = None


_KEPT = _Kept()


def with_recorded_definitions(engine: Engine, workspace: Workspace) -> Workspace:
    """``workspace`` with the store's corrections and maintenance windows applied (one small
    query when nothing changed since the last call for this workspace)."""
    try:
        with engine.connect() as conn:
            version = repo.version(conn)
            with _KEPT.lock:
                kept = _KEPT.entry
            if (
                kept is not None
                and kept[0] is workspace
                and kept[1] == str(engine.url)
                and kept[2] == version
            ):
                return kept[3]
            changes = repo.changes(conn) if version[0] else {}
    except SQLAlchemyError as exc:
        raise store_failure("read the recorded corrections and maintenance windows", exc) from exc
    made = apply_overlay(workspace, workspace_overlay(workspace, changes))
    with _KEPT.lock:
        _KEPT.entry = (workspace, str(engine.url), version, made)
    return made


def recorded_corrections(
    engine: Any, corrections: Sequence[CorrectionRule]
) -> tuple[tuple[CorrectionRule, ...], tuple[Problem, ...]]:
    """``corrections`` (the workspace's) with the store's applied, and the warnings; a store
    without the records (older, or a reader that cannot see them) changes nothing."""
    try:
        with engine.connect() as conn:
            if not repo.version(conn)[0]:
                return tuple(corrections), ()
            changes = repo.changes(conn, kind=CORRECTION)
    except SQLAlchemyError:
        return tuple(corrections), ()
    overlay = overlay_of(changes, corrections=corrections)
    return apply_corrections(corrections, overlay), overlay.warnings
