"""Reading and writing ``alert_states`` (one row per alert key; see ``core.alert_state``).

Functions take the open connection first and never commit: the worker writes a tick's state
changes in one transaction (and delivery's outbox rows beside them, when it offers that).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from covenant.core.alert_state import AlertPhase, AlertRecord, Transition
from covenant.core.notices import NoticeKind
from covenant.store.chunk_reads import batched
from covenant.store.worker_tables import alert_states


def load_alert_states(conn: Any) -> dict[str, AlertRecord]:
    """Every stored alert record by key."""
    t = alert_states.c
    rows = conn.execute(
        select(
            t.key,
            t.kind,
            t.state,
            t.severity,
            t.labels,
            t.annotations,
            t.targets,
            t.pending_since,
            t.starts_at,
            t.ends_at,
        )
    )
    found: dict[str, AlertRecord] = {}
    for row in rows:
        found[row[0]] = AlertRecord(
            key=row[0],
            kind=NoticeKind(row[1]),
            phase=AlertPhase(row[2]),
            severity=row[3],
            labels=json.loads(row[4]),
            annotations=json.loads(row[5]),
            targets=_targets(json.loads(row[6])),
            pending_since=row[7],
            starts_at=row[8],
            ends_at=row[9],
        )
    return found


def _values(record: AlertRecord, now: datetime) -> dict[str, Any]:
    return {
        "kind": record.kind.value,
        "state": record.phase.value,
        "severity": record.severity,
        "labels": json.dumps(dict(record.labels), sort_keys=True),
        "annotations": json.dumps(dict(record.annotations), sort_keys=True),
        "targets": json.dumps(None if record.targets is None else list(record.targets)),
        "pending_since": record.pending_since,
        "starts_at": record.starts_at,
        "ends_at": record.ends_at,
        "updated_at": now,
    }


def save_transition(
    conn: Any, *, transition: Transition, stored: Sequence[str], now: datetime
) -> None:
    """Write a tick's changed records (insert or update) and delete the dropped keys.
    ``stored`` are the keys that had a row before the tick."""
    had = set(stored)
    updated: list[dict[str, Any]] = []
    inserted: list[dict[str, Any]] = []
    for record in transition.changed:
        values = _values(record, now)
        if record.key in had:
            updated.append({"b_key": record.key, **values})
        else:
            inserted.append({"key": record.key, **values})
    # each an executemany: one statement per changed alert held the store's write lock for
    # most of a minute on a first tick over 100,000 tickets
    if updated:
        columns: dict[str, Any] = {n: bindparam(n) for n in updated[0] if n != "b_key"}
        conn.execute(
            update(alert_states).where(alert_states.c.key == bindparam("b_key")).values(columns),
            updated,
        )
    if inserted:
        conn.execute(insert(alert_states), inserted)
    for part in batched(list(transition.dropped)):
        conn.execute(delete(alert_states).where(alert_states.c.key.in_(part)))


def _targets(value: Any) -> tuple[str, ...] | None:
    """Stored target names: a list (routed by the worker), or null (not routed)."""
    return None if value is None else tuple(value)
