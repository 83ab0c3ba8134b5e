"""SLO change history: each change of an SLO's definition, recorded in the audit log with who,
when and why, and read back with what changed.

An SLO is a definition in the workspace's YAML, so a change is not made through Covenant: it is
*found*. :func:`record_slo_changes` compares each SLO's content now (its document as written,
with the SLI document it references, as canonical JSON) with the content last recorded for it,
and appends an audit row (``entity_kind`` ``slo``) for every SLO created, changed or removed
since, all in one transaction that holds the audit lock (several servers loading the same
change record it once). The why is the SLO's ``covenant.dev/change-reason`` annotation (left out
of the compared content, so editing only the reason is no change), else the reason given to the
command. ``covenant serve`` records on start and on every reload; ``covenant slo record`` from a
deploy pipeline. See docs/audit.md#slo-change-history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from covenant.core.timeutil import require_utc, utc_iso
from covenant.definitions.workspace import Workspace
from covenant.errors import NotFoundError
from covenant.services.store import store_failure
from covenant.store import audit
from covenant.store.agreement_content import canonical_json
from covenant.store.audit import AuditEntry
from covenant.store.db import write_transaction

KIND = "slo"
REASON_ANNOTATION = "covenant.dev/change-reason"


@dataclass(frozen=True, slots=True, kw_only=True)
class SloChange:
    slo: str
    action: str  # created | changed | removed
    seq: int
    reason: str | None


def _jsonable(value: Any) -> Any:
    """A YAML value as JSON data: dates and times as ISO text, keys as text."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _reason(raw: Mapping[str, Any]) -> str | None:
    metadata = raw.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
    found = annotations.get(REASON_ANNOTATION) if isinstance(annotations, Mapping) else None
    return str(found).strip() or None if found is not None else None


def _without_reason(raw: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = _jsonable(raw)
    annotations = data.get("metadata", {}).get("annotations")
    if isinstance(annotations, dict):
        annotations.pop(REASON_ANNOTATION, None)
        if not annotations:
            del data["metadata"]["annotations"]
    return data


def slo_contents(workspace: Workspace) -> dict[str, tuple[dict[str, Any], str | None]]:
    """Each SLO's content as recorded (its document without the reason annotation, and the SLI
    document it references) and its reason annotation, by SLO name."""
    slis = {d.name: d for d in workspace.documents if d.kind == "SLI"}
    found: dict[str, tuple[dict[str, Any], str | None]] = {}
    for doc in workspace.documents:
        if doc.kind != "SLO":
            continue
        content: dict[str, Any] = {"slo": _without_reason(doc.raw)}
        spec = doc.raw.get("spec")
        ref = spec.get("indicatorRef") if isinstance(spec, Mapping) else None
        if isinstance(ref, str) and ref in slis:
            content["indicator"] = _jsonable(slis[ref].raw)
        found[doc.name] = (content, _reason(doc.raw))
    return found


def record_slo_changes(
    engine: Engine,
    *,
    workspace: Workspace,
    actor: str,
    at: datetime,
    reason: str | None = None,
) -> list[SloChange]:
    """Record every SLO created, changed or removed since the last recording (one transaction);
    the rows appended. Running it again without a change of the definitions appends nothing."""
    at = require_utc(at)
    contents = slo_contents(workspace)
    changes: list[SloChange] = []
    try:
        with write_transaction(engine, subject="the SLO changes were not recorded") as conn:
            audit.lock(conn)  # before reading what was recorded: no two servers record twice
            recorded = audit.latest(conn, entity_kind=KIND)
            for name in sorted(set(contents) | set(recorded)):
                last = recorded.get(name)
                known = None if last is None else last.after
                now, why = contents.get(name, (None, None))
                if now is not None and known is not None and canonical_json(now) == known:
                    continue
                if now is None and known is None:
                    continue  # removed, and recorded as removed
                action = "removed" if now is None else "created" if known is None else "changed"
                entry = audit.append(
                    conn,
                    actor=actor,
                    action=action,
                    entity_kind=KIND,
                    entity_id=name,
                    before=None if last is None or known is None else last.after_data(),
                    after=now,
                    at=at,
                    reason=reason or why,
                )
                changes.append(
                    SloChange(slo=name, action=action, seq=entry.seq, reason=entry.reason)
                )
    except SQLAlchemyError as exc:
        raise store_failure("record SLO changes", exc) from exc
    return changes


def slo_history(engine: Engine, *, name: str, known: bool) -> list[AuditEntry]:
    """Every recorded change of SLO ``name``, oldest first (NotFoundError when it has none and
    is not defined: ``known`` says whether the workspace defines it)."""
    try:
        with engine.connect() as conn:
            found: list[AuditEntry] = []
            after = 0
            while True:
                page = audit.entries(
                    conn, entity_kind=KIND, entity_id=name, after_seq=after, limit=1000
                )
                found += page
                if len(page) < 1000:
                    break
                after = page[-1].seq
    except SQLAlchemyError as exc:
        raise store_failure("read the SLO history", exc) from exc
    if not found and not known:
        raise NotFoundError(
            f"no SLO named {name!r} is defined or was ever recorded",
            hint="covenant evaluate (over HTTP: GET /api/v1/slos) lists the SLOs",
        )
    return found


def changed_fields(before: Any, after: Any, path: str = "") -> list[dict[str, Any]]:
    """Every leaf that differs between two JSON values, as ``{path, before, after}`` (a dotted
    path; list items by index; a list of another length compared whole)."""
    if isinstance(before, dict) and isinstance(after, dict):
        found: list[dict[str, Any]] = []
        for key in sorted(set(before) | set(after)):
            inner = f"{path}.{key}" if path else str(key)
            found += changed_fields(before.get(key), after.get(key), inner)
        return found
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        found = []
        for index, (b, a) in enumerate(zip(before, after, strict=True)):
            found += changed_fields(b, a, f"{path}[{index}]")
        return found
    if before == after:
        return []
    return [{"path": path, "before": before, "after": after}]


def history_json(entry: AuditEntry) -> dict[str, Any]:
    """One change of an SLO: who, when, why, the definitions before and after, what differs."""
    before, after = entry.before_data(), entry.after_data()
    return {
        "seq": entry.seq,
        "at": utc_iso(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "reason": entry.reason,
        "before": before,
        "after": after,
        "changes": changed_fields(before, after),
    }
