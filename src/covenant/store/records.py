"""Repository of ticket and incident records: upsert by id, load as core objects.

Every function takes the open connection (or ORM session) first and never commits: the
caller owns the transaction, so one file is written all or nothing.

A record is keyed by its ``id`` alone (one id space per kind, across customers). Saving a
record whose id is stored already replaces the stored record when its content differs (the
ticket was resolved since the last export) and leaves it alone when it does not; the
``content_sha256`` of the stored fields tells the two apart without comparing field by field.
Instants are stored in UTC to the second.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from covenant.core.agreements import Incident
from covenant.core.tickets import StatusChange, Ticket, settled_since
from covenant.core.timeutil import EPOCH, from_epoch, require_utc, utc_text
from covenant.errors import InputError, StoreError
from covenant.store import record_tables

Executor = Connection | Session
_IN_LIMIT = 900  # bound parameters per IN list
_WRITE_BATCH = 1000  # rows per upsert statement


@dataclass(frozen=True, slots=True, kw_only=True)
class SaveCounts:
    """What saving a batch of records did."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: SaveCounts) -> SaveCounts:
        return SaveCounts(
            inserted=self.inserted + other.inserted,
            updated=self.updated + other.updated,
            unchanged=self.unchanged + other.unchanged,
        )


# --- encoding --------------------------------------------------------------------------------


def ticket_row(ticket: Ticket) -> dict[str, Any]:
    """The store row of ``ticket`` by column (instants as UTC datetimes): ``ticket_values``."""
    return _row(TICKET_VALUES, ticket_values(ticket), TICKET_INSTANTS)


def incident_row(incident: Incident) -> dict[str, Any]:
    """The store row of ``incident`` by column: ``incident_values``."""
    return _row(INCIDENT_VALUES, incident_values(incident), INCIDENT_INSTANTS)


def _row(names: Sequence[str], values: Sequence[Any], instants: frozenset[str]) -> dict[str, Any]:
    row = dict(zip(names, values, strict=True))
    for name in instants:
        if row[name] is not None:
            row[name] = from_epoch(row[name])
    return row


# --- plain values (bulk ingestion) ------------------------------------------------------------
# The store rows (``ticket_row``/``incident_row`` by column) as tuples of plain
# values — instants as integer epoch seconds — for staging and bulk writes: no per-field
# conversions through timezone-aware arithmetic beyond one subtraction per instant.

TICKET_VALUES = (
    "id",
    "customer",
    "priority",
    "created",
    "first_response",
    "resolved",
    "history",
    "settled_at",
    "content_sha256",
)
INCIDENT_VALUES = (
    "id",
    "services",
    "start_at",
    "end_at",
    "severity",
    "customer_caused",
    "force_majeure",
    "planned_maintenance",
    "customers",
    "content_sha256",
)
TICKET_INSTANTS = frozenset({"created", "first_response", "resolved", "settled_at"})
INCIDENT_INSTANTS = frozenset({"start_at", "end_at"})
_SECOND = timedelta(seconds=1)
# the encoders ``json.dumps`` would make on every call with these options
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_LIST = json.JSONEncoder(ensure_ascii=False).encode
_CANONICAL = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


def _utc(moment: datetime) -> datetime:
    moment = moment if moment.tzinfo is UTC else require_utc(moment)
    return moment.replace(microsecond=0) if moment.microsecond else moment


def _plain(moment: datetime | None) -> tuple[int | None, str | None]:
    """``(epoch seconds, ISO text with Z)`` of an instant, to the second; ``(None, None)``."""
    if moment is None:
        return None, None
    moment = _utc(moment)
    return (moment - EPOCH) // _SECOND, moment.isoformat()[:-6] + "Z"


def ticket_values(ticket: Ticket) -> tuple[Any, ...]:
    """The store row of ``ticket`` (``ticket_row``) as plain values, in ``TICKET_VALUES`` order."""
    created, created_text = _plain(ticket.created)
    answered, answered_text = _plain(ticket.first_response)
    resolved, resolved_text = _plain(ticket.resolved)
    history = _COMPACT([{"at": _plain(c.at)[1], "status": c.status} for c in ticket.history])
    canonical = {
        "id": ticket.id,
        "customer": ticket.customer,
        "priority": ticket.priority,
        "created": created_text,
        "first_response": answered_text,
        "resolved": resolved_text,
        "history": history,
    }
    return (
        ticket.id,
        ticket.customer,
        ticket.priority,
        created,
        answered,
        resolved,
        history,
        _plain(settled_since(ticket))[0],
        _sha(canonical),
    )


def incident_values(incident: Incident) -> tuple[Any, ...]:
    """The store row of ``incident`` (``incident_row``) as plain values (``INCIDENT_VALUES``)."""
    start, start_text = _plain(incident.start)
    end, end_text = _plain(incident.end)
    canonical: dict[str, Any] = {
        "id": incident.id,
        "services": _LIST(list(incident.services)),
        "start_at": start_text,
        "end_at": end_text,
        "severity": incident.severity,
        "customer_caused": incident.customer_caused,
        "force_majeure": incident.force_majeure,
        "planned_maintenance": incident.planned_maintenance,
        "customers": _LIST(list(incident.customers)),
    }
    return (
        *(canonical[name] for name in INCIDENT_VALUES[:2]),
        start,
        end,
        *(canonical[name] for name in INCIDENT_VALUES[4:9]),
        _sha(canonical),
    )


def _sha(canonical: dict[str, Any]) -> str:
    return hashlib.sha256(_CANONICAL(canonical).encode()).hexdigest()


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _names(text: str) -> tuple[str, ...]:
    value = json.loads(text)
    if not isinstance(value, list):
        raise StoreError("a stored record holds a malformed list", hint="re-ingest the record")
    return tuple(str(item) for item in value)


# --- writing ---------------------------------------------------------------------------------


def _batched(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _dialect(conn: Executor) -> str:
    bind = conn.get_bind() if isinstance(conn, Session) else conn
    return str(bind.dialect.name)


def save_rows(
    conn: Executor, table: Table, rows: Sequence[dict[str, Any]], at: datetime
) -> SaveCounts:
    """Upsert store rows (``ticket_row``/``incident_row``; ids distinct) into ``table``."""
    at = require_utc(at)
    ids = [row["id"] for row in rows]
    if len(set(ids)) != len(ids):
        raise InputError(
            f"{len(ids) - len(set(ids))} of the records repeat an id in one save",
            hint="pass each id once (the latest state of the record)",
        )
    stored: dict[str, str] = {}
    for part in _batched(ids, _IN_LIMIT):
        query = select(table.c.id, table.c.content_sha256).where(table.c.id.in_(part))
        stored.update((str(id_), str(sha)) for id_, sha in conn.execute(query))
    changed = [
        {**row, "updated_at": at} for row in rows if stored.get(row["id"]) != row["content_sha256"]
    ]
    updated = sum(1 for row in changed if row["id"] in stored)
    if changed:
        dialect = _dialect(conn)
        if dialect == "postgresql":
            statement: Any = pg_insert(table)
        elif dialect == "sqlite":
            statement = sqlite_insert(table)
        else:  # pragma: no cover - only SQLite and PostgreSQL are supported
            raise StoreError(f"records cannot be saved on {dialect}")
        # a concurrent writer may insert the same id after our read: update it instead
        columns = [c.name for c in table.columns if c.name != "id"]
        upsert = statement.on_conflict_do_update(
            index_elements=["id"], set_={name: statement.excluded[name] for name in columns}
        )
        for part in _batched(changed, _WRITE_BATCH):
            conn.execute(upsert, list(part))
    return SaveCounts(
        inserted=len(changed) - updated,
        updated=updated,
        unchanged=len(rows) - len(changed),
    )


def save_tickets(conn: Executor, *, tickets: Sequence[Ticket], at: datetime) -> SaveCounts:
    """Insert new tickets and replace changed ones (by id); ``at`` stamps what was written."""
    return save_rows(conn, record_tables.tickets, [ticket_row(t) for t in tickets], at)


def save_incidents(conn: Executor, *, incidents: Sequence[Incident], at: datetime) -> SaveCounts:
    """Insert new incidents and replace changed ones (by id); ``at`` stamps what was written."""
    return save_rows(conn, record_tables.incidents, [incident_row(i) for i in incidents], at)


# --- reading ---------------------------------------------------------------------------------


def load_tickets(
    conn: Executor,
    *,
    customer: str | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    ids: Sequence[str] | None = None,
    open_at: datetime | None = None,
) -> list[Ticket]:
    """Tickets, by creation time then id; ``created_from``/``created_to`` bound ``[from, to)``;
    ``ids``: only those tickets; ``open_at``: only those created by then and not settled
    (resolved for good) by then — a superset of the tickets open then (one resolved and
    reopened before it was settled may be in a resolved stretch at ``open_at``).

    With ``open_at`` (and ``customer``), the tickets are read in two parts, the unsettled ones
    and those settled after ``open_at``, each through the index on (customer, settled_at): one
    condition ``settled_at IS NULL OR settled_at > …`` led SQLite to the (customer, created)
    index instead, reading the customer's whole history."""
    t = record_tables.tickets.c
    query = select(*ticket_columns()).order_by(t.created, t.id)
    if customer is not None:
        query = query.where(t.customer == customer)
    if ids is not None:
        query = query.where(t.id.in_(list(ids)))
    if created_from is not None:
        query = query.where(t.created >= require_utc(created_from, what="created_from"))
    if created_to is not None:
        query = query.where(t.created < require_utc(created_to, what="created_to"))
    queries = [query]
    moment: datetime | None = None
    if open_at is not None:
        moment = require_utc(open_at, what="open_at")
        # ``created <= moment`` is checked on the rows read, and they are sorted here: in the
        # query, either would send SQLite to the (customer, created) index
        unordered = query.order_by(None)
        queries = [unordered.where(t.settled_at.is_(None)), unordered.where(t.settled_at > moment)]
    rows = [row for q in queries for row in conn.execute(q)]
    if moment is not None:
        rows = sorted((r for r in rows if r[3] <= moment), key=lambda r: (r[3], r[0]))
    return [ticket_of(row) for row in rows]


def ticket_columns() -> tuple[Any, ...]:
    """The columns ``ticket_of`` reads, in its order."""
    t = record_tables.tickets.c
    return (t.id, t.customer, t.priority, t.created, t.first_response, t.resolved, t.history)


def ticket_of(row: Sequence[Any]) -> Ticket:
    """A ticket from a row of ``ticket_columns()``."""
    id_, cust, priority, created, first_response, resolved, history = row
    changes = tuple(
        StatusChange(at=_instant(entry["at"]), status=entry["status"])
        for entry in json.loads(history)
    )
    return Ticket(
        id=id_,
        customer=cust,
        priority=priority,
        created=created,
        history=changes,
        first_response=first_response,
        resolved=resolved,
    )


def load_incidents(
    conn: Executor,
    *,
    services: Sequence[str] | None = None,
    start: datetime,
    end: datetime,
    customer: str | None = None,
) -> list[Incident]:
    """Incidents overlapping ``[start, end)`` (open ones included), by start then id.

    ``services``: only incidents on at least one of them (None: every service).
    ``customer``: only incidents for that customer or for every customer.
    """
    start = require_utc(start, what="start")
    end = require_utc(end, what="end")
    if end < start:
        raise InputError(f"end {utc_text(end)} is before start {utc_text(start)}")
    i = record_tables.incidents.c
    query = (
        select(
            i.id,
            i.services,
            i.start_at,
            i.end_at,
            i.severity,
            i.customer_caused,
            i.force_majeure,
            i.planned_maintenance,
            i.customers,
        )
        .where(i.start_at < end, or_(i.end_at.is_(None), i.end_at > start))
        .order_by(i.start_at, i.id)
    )
    wanted = None if services is None else set(services)
    result = []
    for row in conn.execute(query):
        affected = _names(row.services)
        customers = _names(row.customers)
        if wanted is not None and wanted.isdisjoint(affected):
            continue
        if customer is not None and customers and customer not in customers:
            continue
        result.append(
            Incident(
                id=row.id,
                services=affected,
                start=row.start_at,
                end=row.end_at,
                severity=row.severity,
                customer_caused=bool(row.customer_caused),
                force_majeure=bool(row.force_majeure),
                planned_maintenance=bool(row.planned_maintenance),
                customers=customers,
            )
        )
    return result
