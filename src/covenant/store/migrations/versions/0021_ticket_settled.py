"""Each ticket keeps since when it has stayed resolved (``tickets.settled_at``, NULL while it
is open), indexed with its customer, so the live support timers find the tickets still open —
created in an earlier period too — without reading every ticket ever stored. Stored tickets
get it from their resolution and status history (``core.tickets.settled_since``, restated here
so this revision keeps its meaning).

Revision ID: 0021_ticket_settled
Revises: 0020_source_matches
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0021_ticket_settled"
down_revision: str | None = "0020_source_matches"
branch_labels: str | None = None
depends_on: str | None = None

RESOLVED_STATES = frozenset({"resolved", "closed"})
_BATCH = 1000


def _instant(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00").replace(" ", "T"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _settled(created: Any, resolved: Any, history: str) -> datetime | None:
    start, since = _instant(created), None
    for entry in json.loads(history):
        moment = _instant(entry["at"])
        if entry["status"] in RESOLVED_STATES and since is None:
            since = moment
        elif entry["status"] not in RESOLVED_STATES and since is not None:
            start, since = moment, None
    if since is None and resolved is not None and _instant(resolved) >= start:
        since = _instant(resolved)
    return since


def upgrade() -> None:
    op.add_column("tickets", sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    tickets = sa.table(
        "tickets",
        sa.column("id", sa.String()),
        sa.column("created", sa.DateTime(timezone=True)),
        sa.column("resolved", sa.DateTime(timezone=True)),
        sa.column("history", sa.Text()),
        sa.column("settled_at", sa.DateTime(timezone=True)),
    )
    rows = bind.execute(
        sa.select(tickets.c.id, tickets.c.created, tickets.c.resolved, tickets.c.history)
    ).all()
    update = (
        tickets.update()
        .where(tickets.c.id == sa.bindparam("ticket"))
        .values(settled_at=sa.bindparam("settled"))
    )
    changes = []
    for id_, created, resolved, history in rows:
        settled = _settled(created, resolved, history)
        if settled is not None:
            changes.append({"ticket": id_, "settled": settled})
    for i in range(0, len(changes), _BATCH):
        bind.execute(update, changes[i : i + _BATCH])
    op.create_index("ix_tickets_customer_settled", "tickets", ["customer", "settled_at"])


def downgrade() -> None:
    op.drop_index("ix_tickets_customer_settled", table_name="tickets")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("settled_at")
