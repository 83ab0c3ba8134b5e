"""The audit log: an append-only record of every change, chained by hashes.

Each row says who (``actor``: ``token:<id>``, ``cli:<user>``, ``sync``…), when (``at``, UTC),
what (``action`` on ``entity_kind``/``entity_id``), why (``reason``, when one is known), and the
entity ``before`` and ``after`` as canonical JSON (the agreement store's: sorted keys, no
spaces, exact numbers as text). Rows are numbered ``seq`` 1, 2, 3… without gaps, and each
row's ``hash`` is the SHA-256 of the previous row's hash and the row's canonical content, so an
edited, deleted or inserted row breaks the chain at that row (:func:`verify`).

:func:`append` writes inside the caller's transaction and serializes appenders so the chain
never forks: on PostgreSQL it first takes a transaction-scoped advisory lock (held to the
commit; its key names the store's schema, so stores in other schemas of the
database never wait for it); on SQLite the database's single write lock does it (callers use
``db.write_transaction``). Append last in a transaction: the lock is held until it ends.
``seq`` is the primary key, so two appenders that somehow read the same head cannot both
commit.

What a chain alone cannot show: that the newest rows were deleted (the shorter chain is still
whole), or rows rewritten wholesale with their hashes recomputed by someone who can write the
database. :func:`verify` checks against an ``anchor`` (a ``(seq, hash)`` kept elsewhere, e.g.
printed by an earlier ``covenant audit verify``) for that. See docs/audit.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from covenant.core.timeutil import require_utc
from covenant.errors import InputError
from covenant.store.agreement_content import canonical_json, sha256
from covenant.store.audit_tables import audit_log
from covenant.store.lock_wait import schema_lock

UNKNOWN_ACTOR = "unknown"  # a caller that did not say who (library use); entry points always do
LOCK_KEY = 0x636F7661  # "cova": the advisory lock PostgreSQL appenders take (per schema)
LOCK = schema_lock(LOCK_KEY)
PAGE = 1000
_LIMITS = {"actor": 255, "action": 64, "entity_kind": 32, "entity_id": 255}


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """One row of the audit log; ``before``/``after`` are its canonical JSON text (or None)."""

    seq: int
    at: datetime
    actor: str
    action: str
    entity_kind: str
    entity_id: str
    reason: str | None
    before: str | None
    after: str | None
    prev_hash: str | None
    hash: str

    def before_data(self) -> Any:
        return _data(self.before)

    def after_data(self) -> Any:
        return _data(self.after)


def _data(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:  # edited outside Covenant: keep the text, the hash shows it
        return {"unreadable": text}


def _body(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": require_utc(entry.at).isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "entity_kind": entry.entity_kind,
        "entity_id": entry.entity_id,
        "reason": entry.reason,
        "before": entry.before,
        "after": entry.after,
    }


def row_hash(prev_hash: str | None, entry: AuditEntry) -> str:
    """The hash a row must have after ``prev_hash`` (the agreement history's chaining rule)."""
    return sha256((prev_hash or "") + "\n" + canonical_json(_body(entry)))


def lock(conn: Connection) -> None:
    """Serialize audit appenders until the caller's transaction ends (PostgreSQL: an advisory
    transaction lock; SQLite: nothing to do, a write transaction holds the only write lock).
    Take it before reading what a change is compared with, as :func:`append` does."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text(LOCK))


def _checked(name: str, value: str) -> str:
    if not value or len(value) > _LIMITS[name]:
        raise InputError(
            f"the audit {name} {value[:80]!r} is empty or longer than {_LIMITS[name]} characters",
            hint=f"give a {name} of 1 to {_LIMITS[name]} characters",
        )
    return value


def append(
    conn: Connection,
    *,
    actor: str,
    action: str,
    entity_kind: str,
    entity_id: str,
    before: Any,
    after: Any,
    at: datetime,
    reason: str | None = None,
) -> AuditEntry:
    """Append one row after the current head, inside the caller's transaction.

    ``before``/``after`` are anything :func:`canonical_json` writes (mappings, lists, dataclass
    values, Fraction, Decimal, UTC datetimes), or None for "did not exist" / "no longer exists".
    """
    lock(conn)
    head = conn.execute(
        sa.select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (1, None) if head is None else (int(head.seq) + 1, str(head.hash))
    entry = AuditEntry(
        seq=seq,
        at=require_utc(at, what="audit instant"),
        actor=_checked("actor", actor),
        action=_checked("action", action),
        entity_kind=_checked("entity_kind", entity_kind),
        entity_id=_checked("entity_id", entity_id),
        reason=reason or None,
        before=None if before is None else canonical_json(before),
        after=None if after is None else canonical_json(after),
        prev_hash=prev_hash,
        hash="",
    )
    digest = row_hash(prev_hash, entry)
    values = {name: getattr(entry, name) for name in AuditEntry.__slots__}
    conn.execute(sa.insert(audit_log).values(**{**values, "hash": digest}))
    return AuditEntry(**{**values, "hash": digest})


def _entry(row: sa.RowMapping) -> AuditEntry:
    return AuditEntry(**{name: row[name] for name in AuditEntry.__slots__})


def _pages(conn: Connection, query: sa.Select[Any], *, after_seq: int = 0) -> Iterator[AuditEntry]:
    last = after_seq
    while True:
        rows = conn.execute(
            query.where(audit_log.c.seq > last).order_by(audit_log.c.seq).limit(PAGE)
        ).mappings()
        page = [_entry(r) for r in rows]
        yield from page
        if len(page) < PAGE:
            return
        last = page[-1].seq


@dataclass(frozen=True, slots=True, kw_only=True)
class Break:
    """The first row where the chain is broken, and how."""

    seq: int
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Verification:
    rows: int  # rows read
    head_seq: int | None  # the newest row (None: the log is empty)
    head_hash: str | None
    broken: Break | None  # None: the chain is whole (and holds the anchor, if one was given)


def verify(conn: Connection, *, anchor: tuple[int, str] | None = None) -> Verification:
    """Read the whole log oldest first and say where its chain first breaks (if it does).

    A missing row (a gap in ``seq``), a row that does not point at its predecessor's hash (a
    row before it deleted, inserted or rewritten with a recomputed hash), or a row whose content
    does not hash to its stored hash (edited) breaks it. ``anchor`` ``(seq, hash)``: that row
    must still be there with that hash (the log was not cut short or rewritten since).
    """
    previous: AuditEntry | None = None
    rows = 0
    broken: Break | None = None
    anchored = anchor is None
    for entry in _pages(conn, sa.select(audit_log)):
        rows += 1
        expected_seq = 1 if previous is None else previous.seq + 1
        prev_hash = None if previous is None else previous.hash
        if broken is None:
            broken = _check(entry, expected_seq=expected_seq, prev_hash=prev_hash)
        if anchor is not None and entry.seq == anchor[0]:
            anchored = entry.hash == anchor[1]
            if not anchored and broken is None:
                broken = Break(
                    seq=entry.seq,
                    reason=f"row #{entry.seq} has the hash {entry.hash[:12]}…, not the anchor's "
                    f"{anchor[1][:12]}…: the log was rewritten since the anchor was taken",
                )
        previous = entry
    if not anchored and broken is None:
        seq = anchor[0] if anchor is not None else 0
        newest = previous.seq if previous is not None else 0
        broken = Break(
            seq=seq,
            reason=f"row #{seq} (the anchor) is missing: the log ends at row #{newest}, so rows "
            "were deleted from its end",
        )
    return Verification(
        rows=rows,
        head_seq=None if previous is None else previous.seq,
        head_hash=None if previous is None else previous.hash,
        broken=broken,
    )


def _check(entry: AuditEntry, *, expected_seq: int, prev_hash: str | None) -> Break | None:
    if entry.seq != expected_seq:
        gap = (
            f"row #{expected_seq}"
            if entry.seq == expected_seq + 1
            else f"rows #{expected_seq}–#{entry.seq - 1}"
        )
        return Break(
            seq=expected_seq,
            reason=f"{gap} missing (deleted): the row after #{expected_seq - 1} is #{entry.seq}",
        )
    if entry.prev_hash != prev_hash:
        what = (
            "the first row has a predecessor hash"
            if prev_hash is None
            else (f"it does not point at row #{entry.seq - 1}'s hash")
        )
        return Break(
            seq=entry.seq,
            reason=f"row #{entry.seq} is not chained: {what}; a row before it was deleted, "
            "inserted, or rewritten with its hash recomputed",
        )
    if entry.hash != row_hash(prev_hash, entry):
        return Break(
            seq=entry.seq,
            reason=f"row #{entry.seq} was edited: its content ({entry.action} "
            f"{entry.entity_kind} {entry.entity_id!r}) does not hash to its stored hash",
        )
    return None


def entries(
    conn: Connection,
    *,
    entity_kind: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after_seq: int = 0,
    limit: int = 100,
) -> list[AuditEntry]:
    """Rows matching every filter given, oldest first, after row ``after_seq``, at most
    ``limit`` (``since`` inclusive, ``until`` exclusive)."""
    query = sa.select(audit_log).where(audit_log.c.seq > after_seq)
    for column, value in (
        (audit_log.c.entity_kind, entity_kind),
        (audit_log.c.entity_id, entity_id),
        (audit_log.c.actor, actor),
        (audit_log.c.action, action),
    ):
        if value is not None:
            query = query.where(column == value)
    if since is not None:
        query = query.where(audit_log.c.at >= require_utc(since, what="since"))
    if until is not None:
        query = query.where(audit_log.c.at < require_utc(until, what="until"))
    rows = conn.execute(query.order_by(audit_log.c.seq).limit(limit)).mappings()
    return [_entry(r) for r in rows]


def latest(conn: Connection, *, entity_kind: str) -> dict[str, AuditEntry]:
    """The newest row of every entity of ``entity_kind``, by entity id."""
    newest = (
        sa.select(sa.func.max(audit_log.c.seq).label("seq"))
        .where(audit_log.c.entity_kind == entity_kind)
        .group_by(audit_log.c.entity_id)
        .subquery()
    )
    rows = conn.execute(
        sa.select(audit_log).join(newest, newest.c.seq == audit_log.c.seq)
    ).mappings()
    return {r["entity_id"]: _entry(r) for r in rows}


def verify_after(conn: Connection, *, anchor: tuple[int, str]) -> Verification:
    """Check only what was appended since a whole-log ``verify`` whose head was ``anchor``
    ``(seq, hash)``: that row still there, unedited and with that hash, and every row after it
    chained to it (``rows`` counts the rows read, the anchor's included). Rows before the anchor
    are not read: an edit there is found by the next whole ``verify``."""
    seq, digest = anchor
    previous: AuditEntry | None = None
    rows = 0
    broken: Break | None = None
    for entry in _pages(conn, sa.select(audit_log), after_seq=seq - 1):
        rows += 1
        if previous is None:
            if (
                entry.seq != seq
                or entry.hash != digest
                or entry.hash != row_hash(entry.prev_hash, entry)
            ):
                broken = Break(
                    seq=seq,
                    reason=f"row #{seq}, the head of the last whole verification, is missing or "
                    "was rewritten since",
                )
        elif broken is None:
            broken = _check(entry, expected_seq=previous.seq + 1, prev_hash=previous.hash)
        previous = entry
    if previous is None:
        broken = Break(
            seq=seq,
            reason=f"row #{seq}, the head of the last whole verification, is missing: rows were "
            "deleted from the log's end",
        )
    return Verification(
        rows=rows,
        head_seq=None if previous is None else previous.seq,
        head_hash=None if previous is None else previous.hash,
        broken=broken,
    )
