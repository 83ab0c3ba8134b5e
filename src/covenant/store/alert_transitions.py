"""Reading and writing ``alert_transitions``: the alert history (see ``core.alert_state``:
``PhaseChange``).

The worker appends a tick's transitions in the transaction that saves ``alert_states``
(``record``): a transition the store already holds — the same key, instant and new state, as
a replica taking over could compute again — is skipped, never written twice. Rows older than
the retention (``RETENTION``, 400 days) are deleted by ``prune`` (the worker, once an hour).
Functions take the open connection first and never commit.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from covenant.core.alert_state import PhaseChange
from covenant.core.notices import NoticeKind
from covenant.store.worker_tables import alert_transitions

RETENTION = timedelta(days=400)
"""How long the alert history keeps a transition (a year and a month: last year's same month
is still on record)."""

T = alert_transitions.c
_UNIQUE = ["key", "at", "to_state"]


def record(conn: Any, changes: Sequence[PhaseChange]) -> int:
    """Append ``changes``, skipping those already on record; how many were written."""
    if not changes:
        return 0
    values = [
        {
            "key": c.key,
            "kind": c.kind.value,
            "from_state": c.from_state,
            "to_state": c.to_state,
            "at": c.at,
            "severity": c.severity,
            "labels": json.dumps(dict(c.labels), sort_keys=True),
            "annotations": json.dumps(dict(c.annotations), sort_keys=True),
            "starts_at": c.starts_at,
        }
        for c in changes
    ]
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(alert_transitions).on_conflict_do_nothing(index_elements=_UNIQUE)
    # one executemany (SQLAlchemy's batched multi-row INSERT … RETURNING), not a statement per
    # transition: a first tick over 100,000 tickets wrote 200,000 of them, one at a time, for
    # minutes while it held the store's write lock
    return len(conn.execute(stmt.returning(T.id), values).all())


def load(
    conn: Any, *, key_prefix: str = "", limit: int = 200, kinds: Sequence[str] = ()
) -> list[PhaseChange]:
    """The newest ``limit`` transitions of the keys starting with ``key_prefix`` (of
    ``kinds``, when given), newest first."""
    query = select(
        T.key,
        T.kind,
        T.from_state,
        T.to_state,
        T.at,
        T.severity,
        T.labels,
        T.annotations,
        T.starts_at,
    )
    if key_prefix:
        query = query.where(T.key.startswith(key_prefix, autoescape=True))
    if kinds:
        query = query.where(T.kind.in_(list(kinds)))
    query = query.order_by(T.at.desc(), T.id.desc()).limit(limit)
    return [
        PhaseChange(
            key=row[0],
            kind=NoticeKind(row[1]),
            from_state=row[2],
            to_state=row[3],
            at=row[4],
            severity=row[5],
            labels=json.loads(row[6]),
            annotations=json.loads(row[7]),
            starts_at=row[8],
        )
        for row in conn.execute(query)
    ]


def prune(conn: Any, *, before: datetime) -> int:
    """Delete the transitions recorded at an instant before ``before``; how many."""
    return conn.execute(delete(alert_transitions).where(T.at < before)).rowcount or 0
