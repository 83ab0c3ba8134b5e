"""Issued statements repository: append a revision, read a period's revisions.

Functions take the connection first; the caller owns the transaction. See
:mod:`covenant.store.statement_tables` for the table's meaning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from covenant.core.timeutil import require_utc
from covenant.store.statement_tables import issued_statements as t


@dataclass(frozen=True, slots=True, kw_only=True)
class IssuedStatement:
    """One issued revision of a customer's statement for a period."""

    customer: str
    period: str
    revision: int
    issued_at: datetime
    issued_by: str
    reason: str | None
    complete: bool
    digest: str
    document: str  # canonical JSON, exactly as issued
    html: str


def _issued(row: sa.RowMapping) -> IssuedStatement:
    return IssuedStatement(
        customer=row["customer"],
        period=row["period"],
        revision=int(row["revision"]),
        issued_at=require_utc(row["issued_at"]),
        issued_by=row["issued_by"],
        reason=row["reason"],
        complete=bool(row["complete"]),
        digest=row["digest"],
        document=row["document"],
        html=row["html"],
    )


def revisions(
    conn: Connection, *, customer: str, period: str, at: datetime | None = None
) -> list[IssuedStatement]:
    """The revisions issued for ``customer`` and ``period``, oldest first (those issued at or
    before ``at`` only, when it is given)."""
    query = sa.select(t).where(t.c.customer == customer, t.c.period == period)
    if at is not None:
        query = query.where(t.c.issued_at <= require_utc(at))
    return [_issued(r) for r in conn.execute(query.order_by(t.c.revision)).mappings()]


def append(conn: Connection, issued: IssuedStatement) -> None:
    """Store ``issued`` (its revision the next of its period: the unique key refuses a second
    writer of the same revision)."""
    values = {name: getattr(issued, name) for name in IssuedStatement.__slots__}
    conn.execute(sa.insert(t).values(**values))


@dataclass(frozen=True, slots=True, kw_only=True)
class LatestIssue:
    """A period's latest issued revision, without its text."""

    period: str
    revision: int
    issued_at: datetime


def latest_issues(
    conn: Connection, *, customer: str, periods: Sequence[str], at: datetime
) -> dict[str, LatestIssue]:
    """Of ``periods`` (``2026-11``, ``2026-Q4``), those issued to ``customer`` at or before
    ``at``, each with its latest revision then (one query; the texts are not read)."""
    if not periods:
        return {}
    query = (
        sa.select(t.c.period, t.c.revision, t.c.issued_at)
        .where(
            t.c.customer == customer,
            t.c.period.in_(list(periods)),
            t.c.issued_at <= require_utc(at),
        )
        .order_by(t.c.period, t.c.revision)
    )
    found: dict[str, LatestIssue] = {}
    for period, revision, issued_at in conn.execute(query):
        found[period] = LatestIssue(
            period=period, revision=int(revision), issued_at=require_utc(issued_at)
        )
    return found


def issued_periods(conn: Connection, *, at: datetime) -> set[tuple[str, str]]:
    """Every (customer, period) with a revision issued at or before ``at`` (one query)."""
    query = (
        sa.select(t.c.customer, t.c.period)
        .where(t.c.issued_at <= require_utc(at))
        .group_by(t.c.customer, t.c.period)
    )
    return {(customer, period) for customer, period in conn.execute(query)}
