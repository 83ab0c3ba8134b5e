"""How defined agreement versions change the store: one set of lifecycle rules for
``covenant agreements sync`` (the workspace's YAML) and the API's agreement writes.

``plan_changes`` compares defined versions with the stored ones and lists what to record and
every problem; ``apply_plan`` records it (the caller owns the transaction). The rules:

- a version not stored yet is inserted (event ``created``);
- a status change is recorded (``status-changed``) only when ``core.agreements.can_move``
  allows it;
- a draft or proposed version may change its terms (``content-changed``); a signed version
  (status in ``BINDING``) may not: a change is an amendment, a new version;
- a signed version may not disappear from the definitions.

Every ``created``/``content-changed`` event records the version's definition as written
(``spec``, in the event's hash-chained details), so ``covenant agreements pull`` can write the
store's versions back into the workspace. A change made over the API records ``via: api``; such
a version is *held* by the store until a sync finds the workspace agreeing with it (it then
records ``in-workspace``): meanwhile a sync that would change it is refused
(``agreement-changed-over-api``) instead of silently undoing the API's change.

Every change is also recorded in the audit log (``store.audit``, entity ``agreement``) with the
version before and after (``in-workspace`` changes nothing and is not).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Connection

from covenant.core.agreements import BINDING, TRANSITIONS, AgreementVersion, VersionStatus, can_move
from covenant.errors import Problem
from covenant.services.agreement_gaps import stored_reading
from covenant.store import agreements as repo
from covenant.store import audit
from covenant.store.agreement_content import content_hash, version_content
from covenant.store.agreement_history import HistoryEvent, append_event, events_by_id

WARNING = "warning"
API = "api"
PULL_HINT = "run `covenant agreements pull` to write the store's versions into the workspace"

Key = tuple[str, int]  # (agreement, version)


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncChange:
    agreement: str
    version: int | None
    event: str  # created | status-changed | content-changed | customer-changed | in-workspace
    from_status: str | None = None
    to_status: str | None = None


@dataclass(slots=True)
class Plan:
    problems: list[Problem] = field(default_factory=list)
    steps: list[tuple[str, AgreementVersion, str, str | None]] = field(default_factory=list)
    unchanged: int = 0
    confirmed: list[Key] = field(default_factory=list)  # held versions the workspace now has

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def jsonable(value: Any) -> Any:
    """A definition as read (``Decimal`` numbers, maybe dates) as JSON data: numbers as their
    exact text in plain notation (``8e3`` is recorded ``8000``: the money fields refuse an
    exponent), which every percentage and money field reads back the same."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def spec_of(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A version's definition as recorded: as written, without its status."""
    spec: dict[str, Any] = jsonable(raw)
    spec.pop("status", None)
    return spec


def document_specs(agreement: str, raw: Mapping[str, Any]) -> dict[Key, dict[str, Any]]:
    """The versions of one Agreement document (its raw mapping) by number."""
    spec = raw.get("spec")
    versions = spec.get("versions") if isinstance(spec, Mapping) else None
    found: dict[Key, dict[str, Any]] = {}
    for item in versions if isinstance(versions, list) else ():
        if isinstance(item, Mapping) and isinstance(item.get("version"), int):
            found[(agreement, item["version"])] = spec_of(item)
    return found


def history_of(
    conn: Connection, stored: Iterable[repo.StoredAgreement]
) -> dict[str, list[HistoryEvent]]:
    by_id = events_by_id(conn, {a.id: a.name for a in stored})
    names = {a.id: a.name for a in stored}
    return {names[i]: events for i, events in by_id.items()}


def held_versions(history: Mapping[str, Sequence[HistoryEvent]]) -> set[Key]:
    """The versions whose last recorded change was made over the API (not yet in-workspace)."""
    last: dict[Key, HistoryEvent] = {}
    for name, events in history.items():
        for item in events:
            if item.version is not None:
                last[(name, item.version)] = item
    return {key for key, item in last.items() if item.details.get("via") == API}


def recorded_specs(history: Mapping[str, Sequence[HistoryEvent]]) -> dict[Key, dict[str, Any]]:
    """Each version's definition as last recorded (versions recorded before definitions were
    kept have none)."""
    found: dict[Key, dict[str, Any]] = {}
    for name, events in history.items():
        for item in events:
            spec = item.details.get("spec")
            if item.version is not None and isinstance(spec, dict):
                found[(name, item.version)] = spec
    return found


def plan_changes(
    defined: Mapping[str, Sequence[AgreementVersion]],
    stored: Mapping[str, repo.StoredAgreement],
    *,
    origins: Mapping[str, str],
    held: set[Key],
    specs: Mapping[Key, Mapping[str, Any]] | None = None,
) -> Plan:
    """What recording ``defined`` changes in the store, and every problem (module docstring).

    ``specs`` (each version as written): a stored version whose hash differs only because a
    time written in a DST gap is now read as the gap's end is the same version, kept as stored
    (``services.agreement_gaps``; a ``time-in-dst-gap`` warning names the fields)."""
    plan = Plan()
    for name, versions in sorted(defined.items()):
        before = stored.get(name)
        known = {v.version: v for v in before.versions} if before else {}
        for written in sorted(versions, key=lambda v: v.version):
            version = written  # the stored version instead when only a DST-gap reading differs
            where = origins.get(version.key, name)
            old = known.get(version.version)
            if old is None:
                plan.steps.append((name, version, "created", None))
                continue
            same = old.content_sha256 == content_hash(version)
            legacy = None
            if not same and specs is not None:
                legacy = stored_reading(
                    version, specs.get((name, version.version)), old.content_sha256
                )
            if legacy is not None:
                version, same = legacy.version, True
                plan.problems.append(_gap_kept(version, legacy.fields, where))
            moved = old.status is not version.status
            if (name, version.version) in held:
                if same and not moved:
                    plan.confirmed.append((name, version.version))
                    plan.unchanged += 1
                else:
                    plan.problems.append(_changed_over_api(version, old.status, where))
                continue
            if not same and old.status in BINDING:
                plan.problems.append(_immutable(version, old.status, where, versions, known))
            if moved and not can_move(old.status, version.status):
                plan.problems.append(_illegal_move(version, old.status, where))
            if not same and old.status not in BINDING:
                plan.steps.append((name, version, "content-changed", None))
            if moved:
                plan.steps.append((name, version, "status-changed", old.status.value))
            if same and not moved:
                plan.unchanged += 1
        numbers = {v.version for v in versions}
        plan.problems.extend(
            _removed(name, old, held=(name, old.version) in held)
            for old in (before.versions if before else ())
            if old.version not in numbers
        )
    return plan


def apply_plan(
    conn: Connection,
    plan: Plan,
    *,
    stored: Mapping[str, repo.StoredAgreement],
    defined: Mapping[str, Sequence[AgreementVersion]],
    specs: Mapping[Key, Mapping[str, Any]],
    at: datetime,
    actor: str | None,
    via: str | None = None,
) -> list[SyncChange]:
    """Record ``plan`` (checked: no errors) in the caller's transaction; ``via`` marks events
    made over the API."""
    changes: list[SyncChange] = []
    ids = {name: agreement.id for name, agreement in stored.items()}
    mark = {} if via is None else {"via": via}
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
                details={"from": stored[name].customer, "to": customer, **mark},
            )
            changes.append(SyncChange(agreement=name, version=None, event="customer-changed"))
            audit.append(
                conn,
                actor=actor or "sync",
                action="customer-changed",
                entity_kind="agreement",
                entity_id=name,
                before={"customer": stored[name].customer},
                after={"customer": customer},
                at=at,
            )
        repo.touch_versions(conn, agreement_id=ids[name], at=at)
    for name, version, event, from_status in plan.steps:
        agreement_id = ids[name]
        if event == "created":
            repo.insert_version(conn, agreement_id=agreement_id, version=version, at=at)
        else:
            repo.update_version(conn, agreement_id=agreement_id, version=version, at=at)
        to_status = None if event == "content-changed" else version.status.value
        details: dict[str, Any] = dict(mark)
        if event != "status-changed":
            details["content_sha256"] = content_hash(version)
            spec = specs.get((name, version.version))
            if spec is not None:
                details["spec"] = dict(spec)
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
        before, after = _audited(version, event, from_status, stored.get(name))
        audit.append(
            conn,
            actor=actor or "sync",
            action=event,
            entity_kind="agreement",
            entity_id=name,
            before=before,
            after=after,
            at=at,
            reason=version.reason if event == "created" else None,
        )
    for name, number in plan.confirmed:
        append_event(
            conn,
            agreement_id=ids[name],
            agreement=name,
            version=number,
            event="in-workspace",
            at=at,
            actor=actor,
            details={},
        )
        changes.append(SyncChange(agreement=name, version=number, event="in-workspace"))
    return changes


def _version_json(version: AgreementVersion) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(version_content(version))
    data["status"] = version.status.value
    return data


def _audited(
    version: AgreementVersion,
    event: str,
    from_status: str | None,
    stored: repo.StoredAgreement | None,
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """What the audit log keeps of a step: the version before and after (its status alone for
    a status change, its terms for a new version or new terms)."""
    if event == "status-changed":
        number = version.version
        return {"version": number, "status": from_status}, {
            "version": number,
            "status": version.status.value,
        }
    old = None
    if event == "content-changed" and stored is not None:
        old = next((v for v in stored.versions if v.version == version.version), None)
    before = None
    if old is not None:
        before = {**json.loads(old.content), "status": old.status.value}
    return before, _version_json(version)


def _gap_kept(version: AgreementVersion, fields: Sequence[str], where: str) -> Problem:
    return Problem(
        code="time-in-dst-gap",
        message=f"{version.agreement} v{version.version}: {', '.join(fields)} is a time "
        f"{version.zone} skips (a DST gap); it is read as stored when the version was "
        "recorded (the old reading), so the stored version is kept unchanged",
        where=where,
        field=f"v{version.version}",
        fix="write the offset of the instant stored, the zone's offset before the gap (e.g. "
        "2026-03-29T02:30:00+01:00 in Europe/Berlin): it reads and hashes the same",
        severity=WARNING,
    )


def _changed_over_api(version: AgreementVersion, status: VersionStatus, where: str) -> Problem:
    return Problem(
        code="agreement-changed-over-api",
        message=f"{version.agreement} v{version.version} was last changed over the API (it is "
        f"{status.value} in the store) and the workspace's copy differs from it; syncing would "
        "undo that change",
        where=where,
        field=f"v{version.version}",
        fix=f"{PULL_HINT}, then make your change there and sync again",
    )


def _immutable(
    version: AgreementVersion,
    status: VersionStatus,
    where: str,
    written: Sequence[AgreementVersion],
    known: Mapping[int, object],
) -> Problem:
    """The fix names where the change goes: a later draft or proposal of the workspace, or the
    next free number (never a later version that is signed already)."""
    open_later = sorted(
        (v.version, v.status.value)
        for v in written
        if v.version > version.version and v.status.value in {"draft", "proposed"}
    )
    if open_later:
        number, state = open_later[0]
        where_to = f"put the change in v{number} ({state})"
    else:
        number = max([version.version, *known, *(v.version for v in written)]) + 1
        where_to = f"a new version v{number}"
    return Problem(
        code="signed-version-changed",
        message=f"{version.agreement} v{version.version} is {status.value}: the version is signed "
        "and immutable, but its terms differ from the stored ones",
        where=where,
        field=f"v{version.version}",
        fix=f"restore v{version.version} as signed and write an amendment: {where_to} with its "
        "own effectiveFrom and reason",
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


def _removed(name: str, old: repo.StoredVersion, *, held: bool) -> Problem:
    if held:
        return Problem(
            code="agreement-ahead-of-workspace",
            message=f"{name} v{old.version} ({old.status.value}) was written over the API and "
            "is not in the workspace yet; the store keeps it",
            where=name,
            fix=PULL_HINT,
            severity=WARNING,
        )
    if old.status in BINDING:
        return Problem(
            code="signed-version-removed",
            message=f"{name} v{old.version} is {old.status.value} in the store but missing "
            "from the definitions; a signed version is never deleted",
            where=name,
            fix=f"{PULL_HINT} (it restores v{old.version}); or restore it by hand, marked "
            "terminated or expired if it no longer applies",
        )
    return Problem(
        code="draft-version-removed",
        message=f"{name} v{old.version} ({old.status.value}) is no longer in the definitions; "
        "it stays in the store as it was",
        where=name,
        fix=f"set v{old.version} to terminated to withdraw it explicitly",
        severity=WARNING,
    )
