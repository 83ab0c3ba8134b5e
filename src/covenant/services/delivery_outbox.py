"""What ``covenant alerts outbox``, ``GET /api/v1/alerts/outbox`` and the web outbox page show
of delivery's outbox (``services.delivery``): rows per status and the newest rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from covenant.core.timeutil import utc_iso
from covenant.store import outbox

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxView:
    """What ``covenant alerts outbox`` shows: rows per status and the newest rows."""

    counts: dict[str, int]
    rows: list[outbox.OutboxRow]


def outbox_view(engine: Engine, *, status: str | None = None, limit: int = 20) -> OutboxView:
    with engine.connect() as conn:
        return OutboxView(
            counts=outbox.counts(conn), rows=outbox.rows(conn, status=status, limit=limit)
        )


def outbox_row_json(row: outbox.OutboxRow) -> dict[str, Any]:
    """One outbox row as ``covenant alerts outbox --format json`` and ``GET
    /api/v1/alerts/outbox`` print it (never the notice's text or how its target is reached)."""
    return {
        "id": row.id,
        "status": row.status,
        "state": row.state,
        "notice_key": row.notice_key,
        "target": row.target,
        "kind": row.kind,
        "attempts": row.attempts,
        "next_attempt_at": utc_iso(row.next_attempt_at),
        "created_at": utc_iso(row.created_at),
        "sent_at": utc_iso(row.sent_at) if row.sent_at else None,
        "last_error": row.last_error,
    }
