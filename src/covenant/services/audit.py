"""Use cases on the audit log: verify its hash chain, list its rows (``covenant audit``,
``GET /api/v1/audit``). Writers append through ``store.audit.append`` in their own
transactions; see docs/audit.md."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from covenant.core.timeutil import utc_iso
from covenant.errors import AuditChainError, InputError
from covenant.services.store import store_failure
from covenant.store import audit as repo
from covenant.store.audit import AuditEntry, Verification

MAX_LIMIT = 1000
_ANCHOR = re.compile(r"^(\d{1,18}):([0-9a-f]{64})$")
ENTITY_KINDS = (  # the audit page's suggestions: every kind docs/audit.md lists
    "agreement",
    "correction",
    "event-batch",
    "incident",
    "incident-file",
    "maintenance-window",
    "slo",
    "statement",
    "ticket",
    "ticket-file",
    "token",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditFilter:
    entity_kind: str | None = None
    entity_id: str | None = None
    actor: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    after_seq: int = 0
    limit: int = 100


def parse_anchor(text: str | None) -> tuple[int, str] | None:
    """``SEQ:HASH`` (as ``covenant audit verify`` prints the head) → ``(seq, hash)``."""
    if text is None:
        return None
    found = _ANCHOR.match(text.strip().lower())
    if not found or int(found[1]) < 1:
        raise InputError(
            f"the anchor {text!r} is not SEQ:HASH",
            hint="give the head an earlier `covenant audit verify` printed, e.g. "
            "42:3f1c… (the row number, a colon and its 64-hex-digit hash)",
        )
    return int(found[1]), found[2]


def verify_log(engine: Engine, *, anchor: tuple[int, str] | None = None) -> Verification:
    """Check the whole chain (and the anchor, if given); the result says where it breaks."""
    try:
        with engine.connect() as conn, conn.begin():
            return repo.verify(conn, anchor=anchor)
    except SQLAlchemyError as exc:
        raise store_failure("read the audit log", exc) from exc


def broken_error(result: Verification) -> AuditChainError:
    """The coded error for a broken chain, naming the first broken row and why."""
    assert result.broken is not None
    return AuditChainError(
        f"the audit log is broken at row #{result.broken.seq}: {result.broken.reason}",
        hint="the store was changed outside Covenant: restore it from a backup taken before "
        "the change; `covenant audit list --after N` shows the rows around it",
    )


def list_entries(engine: Engine, *, where: AuditFilter) -> list[AuditEntry]:
    """Rows matching ``where``, oldest first (at most ``where.limit``, ≤ 1000)."""
    if not 1 <= where.limit <= MAX_LIMIT:
        raise InputError(
            f"limit {where.limit} is not between 1 and {MAX_LIMIT}",
            hint=f"give a limit of 1 to {MAX_LIMIT} and page on with the last row's seq",
        )
    if where.after_seq < 0:
        raise InputError(f"after {where.after_seq} is negative", hint="give a row number ≥ 0")
    try:
        with engine.connect() as conn:
            return repo.entries(
                conn,
                entity_kind=where.entity_kind,
                entity_id=where.entity_id,
                actor=where.actor,
                action=where.action,
                since=where.since,
                until=where.until,
                after_seq=where.after_seq,
                limit=where.limit,
            )
    except SQLAlchemyError as exc:
        raise store_failure("read the audit log", exc) from exc


def entry_json(entry: AuditEntry) -> dict[str, Any]:
    """One row as JSON-ready data (``before``/``after`` parsed back from their JSON)."""
    return {
        "seq": entry.seq,
        "at": utc_iso(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "entity_kind": entry.entity_kind,
        "entity_id": entry.entity_id,
        "reason": entry.reason,
        "before": entry.before_data(),
        "after": entry.after_data(),
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }
