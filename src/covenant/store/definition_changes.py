"""Repository of the definitions the store records (Corrections, MaintenanceWindows; ADR 0006).

Functions take the connection first; the caller owns the transaction. See
:mod:`covenant.store.definition_tables` for what a row means.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from covenant.core.timeutil import require_utc
from covenant.store.agreement_content import canonical_json
from covenant.store.definition_tables import definition_changes

CREATED, CHANGED, DELETED, IN_WORKSPACE = "created", "changed", "deleted", "in-workspace"
API_ACTIONS = frozenset({CREATED, CHANGED, DELETED})  # the store holds the definition


@dataclass(frozen=True, slots=True, kw_only=True)
class DefinitionChange:
    """One event of one recorded definition."""

    kind: str
    name: str
    seq: int
    action: str
    document: Mapping[str, Any] | None  # the whole definition (None: deleted)
    content_sha256: str  # "" when deleted
    replaced_sha256: str  # what it replaced ("" when nothing was defined)
    actor: str
    at: datetime
    reason: str | None = None

    @property
    def held(self) -> bool:
        """Made over the API: the store's definition applies until a pull hands it back."""
        return self.action in API_ACTIONS


def _change(row: Mapping[str, Any]) -> DefinitionChange:
    document = row["document"]
    return DefinitionChange(
        kind=row["kind"],
        name=row["name"],
        seq=int(row["seq"]),
        action=row["action"],
        document=None if document is None else json.loads(document),
        content_sha256=row["content_sha256"],
        replaced_sha256=row["replaced_sha256"],
        actor=row["actor"],
        at=require_utc(row["at"]),
        reason=row["reason"],
    )


def version(conn: Connection) -> tuple[int, int]:
    """What changes whenever a change is recorded: (rows, largest id)."""
    found = conn.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.max(definition_changes.c.id), 0))
    ).one()
    return int(found[0]), int(found[1])


def changes(
    conn: Connection, *, kind: str | None = None, name: str | None = None
) -> dict[tuple[str, str], list[DefinitionChange]]:
    """Every event (of ``kind``, of ``name``) by (kind, name), oldest first."""
    query = sa.select(definition_changes).order_by(
        definition_changes.c.kind, definition_changes.c.name, definition_changes.c.seq
    )
    if kind is not None:
        query = query.where(definition_changes.c.kind == kind)
    if name is not None:
        query = query.where(definition_changes.c.name == name)
    found: dict[tuple[str, str], list[DefinitionChange]] = {}
    for row in conn.execute(query).mappings():
        event = _change(dict(row))
        found.setdefault((event.kind, event.name), []).append(event)
    return found


def append(
    conn: Connection,
    *,
    kind: str,
    name: str,
    action: str,
    document: Mapping[str, Any] | None,
    content_sha256: str,
    replaced_sha256: str,
    actor: str,
    at: datetime,
    reason: str | None = None,
) -> DefinitionChange:
    """Record the next event of (``kind``, ``name``); a concurrent writer's event with the
    same number makes one of the two commits fail (IntegrityError)."""
    last = conn.execute(
        sa.select(sa.func.max(definition_changes.c.seq)).where(
            definition_changes.c.kind == kind, definition_changes.c.name == name
        )
    ).scalar()
    row = {
        "kind": kind,
        "name": name,
        "seq": 1 if last is None else int(last) + 1,
        "action": action,
        "document": None if document is None else canonical_json(document),
        "content_sha256": content_sha256,
        "replaced_sha256": replaced_sha256,
        "actor": actor,
        "at": require_utc(at, what="definition change instant"),
        "reason": reason,
    }
    conn.execute(sa.insert(definition_changes).values(**row))
    return _change({**row, "at": row["at"]})
