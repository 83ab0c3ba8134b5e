"""A ticket resolved at the very instant of a reopening — its export's ``resolved`` equal to
the time of the status change out of a resolved state that begins its last cycle — is open:
the reopening undid that resolution (``core.tickets.resolution_closes``: a resolution closes a
reopened cycle only when strictly after the reopening). Before that fix such a ticket was
stored with ``settled_at`` at that instant, so the live views, alerts and gauges
(``load_tickets(open_at=…)``) left it out from then on; its ``content_sha256`` does not cover
``settled_at``, so ingesting the same export again did not correct it. This revision
recomputes ``settled_at`` of every ticket stored with one (the rule restated here, as
``0021_ticket_settled`` restated its own, so this revision keeps its meaning) and writes the
ones that differ: NULL for the tickets reopened at their resolution's instant. Data only: the
schema is unchanged, and a downgrade leaves the corrected values (the older code reads them as
they are).

Revision ID: 0024_ticket_settled_instant
Revises: 0023_issued_statements
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0024_ticket_settled_instant"
down_revision: str | None = "0023_issued_statements"
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
    """``core.tickets.settled_since`` of the stored row: the first move into a resolved state
    after the last reopening, else ``resolved`` when it falls in the last cycle — at or after
    the creation for the first cycle, strictly after the reopening for a later one."""
    start, since, reopened = _instant(created), None, False
    for entry in json.loads(history):
        moment = _instant(entry["at"])
        if entry["status"] in RESOLVED_STATES and since is None:
            since = moment
        elif entry["status"] not in RESOLVED_STATES and since is not None:
            start, since, reopened = moment, None, True
    if since is None and resolved is not None:
        done = _instant(resolved)
        if done > start or (done == start and not reopened):
            since = done
    return since


def upgrade() -> None:
    bind = op.get_bind()
    tickets = sa.table(
        "tickets",
        sa.column("id", sa.String()),
        sa.column("created", sa.DateTime(timezone=True)),
        sa.column("resolved", sa.DateTime(timezone=True)),
        sa.column("history", sa.Text()),
        sa.column("settled_at", sa.DateTime(timezone=True)),
    )
    # only a ticket stored as settled can be one the old rule took for settled
    rows = bind.execute(
        sa.select(
            tickets.c.id,
            tickets.c.created,
            tickets.c.resolved,
            tickets.c.history,
            tickets.c.settled_at,
        ).where(tickets.c.settled_at.is_not(None))
    )
    changes = []
    for id_, created, resolved, history, stored in rows:
        settled = _settled(created, resolved, history)
        if settled != _instant(stored):
            changes.append({"ticket": id_, "settled": settled})
    update = (
        tickets.update()
        .where(tickets.c.id == sa.bindparam("ticket"))
        .values(settled_at=sa.bindparam("settled"))
    )
    for i in range(0, len(changes), _BATCH):
        bind.execute(update, changes[i : i + _BATCH])


def downgrade() -> None:
    """Nothing to undo: the corrected ``settled_at`` is what the older code reads as it is."""
