"""An agreement's append-only history: events numbered per agreement, each chained to the one
before by a SHA-256 over its canonical body, so an edited or deleted event breaks the chain.

Functions take the connection first; the caller owns the transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from covenant.core.timeutil import require_utc
from covenant.store.agreement_content import canonical_json, sha256
from covenant.store.agreement_tables import agreement_events


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryEvent:
    """One entry of an agreement's append-only history."""

    agreement: str
    seq: int
    version: int | None
    event: str  # created | status-changed | content-changed | customer-changed
    from_status: str | None
    to_status: str | None
    at: datetime
    actor: str | None
    details: dict[str, Any]
    prev_hash: str | None
    hash: str


def _event_hash(prev_hash: str | None, body: Mapping[str, Any]) -> str:
    return sha256((prev_hash or "") + "\n" + canonical_json(body))


def _event_body(
    agreement: str, row: Mapping[str, Any], details: Mapping[str, Any]
) -> dict[str, Any]:
    return {
        "agreement": agreement,
        "seq": row["seq"],
        "version": row["version"],
        "event": row["event"],
        "from_status": row["from_status"],
        "to_status": row["to_status"],
        "at": require_utc(row["at"]).isoformat(),
        "actor": row["actor"],
        "details": dict(details),
    }


def append_event(
    conn: Connection,
    *,
    agreement_id: int,
    agreement: str,
    version: int | None,
    event: str,
    at: datetime,
    from_status: str | None = None,
    to_status: str | None = None,
    actor: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Append one event, numbered after and chained to the agreement's last one."""
    last = conn.execute(
        sa.select(agreement_events.c.seq, agreement_events.c.hash)
        .where(agreement_events.c.agreement_id == agreement_id)
        .order_by(agreement_events.c.seq.desc())
        .limit(1)
    ).first()
    seq, prev_hash = (1, None) if last is None else (int(last.seq) + 1, str(last.hash))
    row = {
        "seq": seq,
        "version": version,
        "event": event,
        "from_status": from_status,
        "to_status": to_status,
        "at": at,
        "actor": actor,
    }
    details = dict(details or {})
    conn.execute(
        sa.insert(agreement_events).values(
            agreement_id=agreement_id,
            details=canonical_json(details),
            prev_hash=prev_hash,
            hash=_event_hash(prev_hash, _event_body(agreement, row, details)),
            **row,
        )
    )


def _event(agreement: str, row: sa.RowMapping) -> HistoryEvent:
    try:
        details = json.loads(row["details"])
    except ValueError:
        details = None
    return HistoryEvent(
        agreement=agreement,
        seq=row["seq"],
        version=row["version"],
        event=row["event"],
        from_status=row["from_status"],
        to_status=row["to_status"],
        at=row["at"],
        actor=row["actor"],
        # unreadable details (edited outside Covenant) keep their text: the hash shows it
        details=details if isinstance(details, dict) else {"unreadable": row["details"]},
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


def events_by_id(conn: Connection, names_by_id: Mapping[int, str]) -> dict[int, list[HistoryEvent]]:
    found: dict[int, list[HistoryEvent]] = {i: [] for i in names_by_id}
    if not names_by_id:
        return found
    rows = conn.execute(
        sa.select(agreement_events)
        .where(agreement_events.c.agreement_id.in_(list(names_by_id)))
        .order_by(agreement_events.c.agreement_id, agreement_events.c.seq)
    ).mappings()
    for row in rows:
        found[row["agreement_id"]].append(_event(names_by_id[row["agreement_id"]], row))
    return found


def chain_problems(events: Sequence[HistoryEvent]) -> list[str]:
    """Where the hash chain of ``events`` (one agreement's, oldest first) is broken."""
    wrong: list[str] = []
    previous: str | None = None
    for index, item in enumerate(events, start=1):
        row = {
            "seq": item.seq,
            "version": item.version,
            "event": item.event,
            "from_status": item.from_status,
            "to_status": item.to_status,
            "at": item.at,
            "actor": item.actor,
        }
        expected = _event_hash(previous, _event_body(item.agreement, row, item.details))
        if item.seq != index:
            wrong.append(f"history event #{index} is missing (the next one is #{item.seq})")
            return wrong
        if item.prev_hash != previous:
            wrong.append(f"history event #{item.seq} is not chained to the event before it")
        if item.hash != expected:
            wrong.append(f"history event #{item.seq} was changed after it was recorded")
        previous = item.hash
    return wrong
