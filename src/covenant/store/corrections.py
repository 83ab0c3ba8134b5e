"""Correction audit repository: record each correction's content the first time it is applied.

Functions take the connection first; the caller owns the transaction. See
:mod:`covenant.store.correction_tables` for the table's meaning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from covenant.core.timeutil import require_utc
from covenant.store.correction_tables import correction_revisions


@dataclass(frozen=True, slots=True, kw_only=True)
class CorrectionRecord:
    """One audited revision of a correction: who, why, when first seen, and its content hash."""

    name: str
    revision: int
    content: str
    content_sha256: str
    author: str
    reason: str
    created_at: datetime | None
    origin: str
    first_seen: datetime
    last_seen: datetime


def _record(row: Mapping[str, Any]) -> CorrectionRecord:
    return CorrectionRecord(
        name=row["name"],
        revision=row["revision"],
        content=row["content"],
        content_sha256=row["content_sha256"],
        author=row["author"],
        reason=row["reason"],
        created_at=row["created_at"],
        origin=row["origin"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
    )


def record_seen(
    conn: Connection,
    *,
    name: str,
    content: str,
    content_sha256: str,
    author: str,
    reason: str,
    created_at: datetime | None,
    origin: str,
    at: datetime,
) -> tuple[CorrectionRecord, bool]:
    """Record that ``name`` with ``content`` was applied at ``at``; (record, newly recorded).

    Known content only moves ``last_seen``; new content becomes the next revision.
    """
    at = require_utc(at, what="correction seen at")
    found = (
        conn.execute(
            sa.select(correction_revisions).where(
                correction_revisions.c.name == name,
                correction_revisions.c.content_sha256 == content_sha256,
            )
        )
        .mappings()
        .first()
    )
    if found is not None:
        last_seen = max(require_utc(found["last_seen"]), at)
        conn.execute(
            sa.update(correction_revisions)
            .where(correction_revisions.c.id == found["id"])
            .values(last_seen=last_seen)
        )
        return _record({**dict(found), "last_seen": last_seen}), False
    latest = conn.execute(
        sa.select(sa.func.max(correction_revisions.c.revision)).where(
            correction_revisions.c.name == name
        )
    ).scalar()
    row = {
        "name": name,
        "revision": 1 if latest is None else int(latest) + 1,
        "content": content,
        "content_sha256": content_sha256,
        "author": author,
        "reason": reason,
        "created_at": created_at,
        "origin": origin,
        "first_seen": at,
        "last_seen": at,
    }
    conn.execute(sa.insert(correction_revisions).values(**row))
    return _record(row), True


def correction_history(conn: Connection, *, name: str | None = None) -> list[CorrectionRecord]:
    """Every recorded revision (of ``name``, or of all corrections), by name and revision."""
    query = sa.select(correction_revisions).order_by(
        correction_revisions.c.name, correction_revisions.c.revision
    )
    if name is not None:
        query = query.where(correction_revisions.c.name == name)
    return [_record(dict(row)) for row in conn.execute(query).mappings()]
