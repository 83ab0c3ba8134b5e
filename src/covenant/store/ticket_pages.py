"""One customer's tickets a page at a time, newest first (the portal's "Earlier tickets").

Keyset paging on (created, id), the order of the index on (customer, created): a page reads at
most its size, the tickets left out and one more row, whatever the customer's history holds
(100,000 tickets cost what 50 do), and the count is one ``COUNT(*)`` on the same index. A page
is named by the ticket it starts after (``older``: the last one of the page before, going back)
or before (``newer``: the first one of the page after, coming forward), so a ticket added
meanwhile neither repeats nor hides one.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from covenant.core.tickets import Ticket
from covenant.core.timeutil import require_utc
from covenant.store import record_tables
from covenant.store.records import ticket_columns, ticket_of

PAGE_SIZE = 50

Cursor = tuple[datetime, str]  # a ticket's (created, id): where a page starts or ends


@dataclass(frozen=True)
class TicketPage:
    """A page of a customer's tickets, newest first, and where the pages beside it start."""

    tickets: tuple[Ticket, ...]
    total: int  # the customer's tickets, those left out excepted
    older: Cursor | None  # the page after this one, going back (None: this is the oldest)
    newer: Cursor | None  # the page before it, coming forward (None: this is the newest)


def ticket_page(
    conn: Connection,
    *,
    customer: str,
    older: Cursor | None = None,
    newer: Cursor | None = None,
    leave_out: Collection[str] = (),
    size: int = PAGE_SIZE,
) -> TicketPage:
    """``customer``'s tickets but those of ``leave_out`` (ids of its own tickets), ``size`` a
    page, newest first: the newest page, or the one just older than ``older``, or the one just
    newer than ``newer``; a ``newer`` page that reaches the newest ticket is the newest page."""
    t = record_tables.tickets.c
    out = frozenset(leave_out)
    total = conn.execute(
        select(func.count()).select_from(record_tables.tickets).where(t.customer == customer)
    ).scalar_one()
    total = max(0, int(total) - len(out))
    if newer is not None:
        at, id_ = require_utc(newer[0], what="newer"), newer[1]
        # ``created >= at`` first, so the index's range starts at the place
        after = and_(t.created >= at, or_(t.created > at, t.id > id_))
        rows = _read(conn, customer, after, (t.created, t.id), size + len(out) + 1)
        found = [x for x in rows if x.id not in out]
        if len(found) > size:  # newer ones remain: a page between
            shown = list(reversed(found[:size]))
            return TicketPage(tuple(shown), total, _cursor(shown[-1]), _cursor(shown[0]))
        older = None  # the newest page
    condition: ColumnElement[bool] = t.customer == customer  # the newest page: no bound
    if older is not None:
        at, id_ = require_utc(older[0], what="older"), older[1]
        condition = and_(t.created <= at, or_(t.created < at, t.id < id_))
    order = (t.created.desc(), t.id.desc())
    rows = _read(conn, customer, condition, order, size + len(out) + 1)
    found = [x for x in rows if x.id not in out]
    shown = found[:size]
    return TicketPage(
        tickets=tuple(shown),
        total=total,
        older=_cursor(shown[-1]) if len(found) > size else None,
        newer=_cursor(shown[0]) if older is not None and shown else None,
    )


def _read(
    conn: Connection,
    customer: str,
    condition: ColumnElement[bool],
    order: tuple[Any, ...],
    limit: int,
) -> list[Ticket]:
    t = record_tables.tickets.c
    query = (
        select(*ticket_columns())
        .where(t.customer == customer, condition)
        .order_by(*order)
        .limit(limit)
    )
    return [ticket_of(row) for row in conn.execute(query)]


def _cursor(ticket: Ticket) -> Cursor:
    return (ticket.created, ticket.id)
