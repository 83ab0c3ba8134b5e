"""Tables for ticket and incident records (SQLAlchemy 2 Core), on the store's shared ``metadata``.

Migration ``0002_records`` creates them. Instants are ``UtcDateTime`` (aware UTC on both
backends, whole seconds); lists and status histories are JSON text; ``content_sha256`` is the
hash of a record's stored fields, so re-ingesting an unchanged record writes nothing.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, String, Table, Text

from covenant.store.tables import UtcDateTime, metadata

KEY_LENGTH = 255
LABEL_LENGTH = 64

tickets = Table(
    "tickets",
    metadata,
    Column("id", String(KEY_LENGTH), primary_key=True),  # unique across all customers
    Column("customer", String(KEY_LENGTH), nullable=False),
    Column("priority", String(LABEL_LENGTH), nullable=False),
    Column("created", UtcDateTime, nullable=False),
    Column("first_response", UtcDateTime, nullable=True),
    Column("resolved", UtcDateTime, nullable=True),
    Column("history", Text, nullable=False),  # JSON: [{"at": "…Z", "status": "open"}, …]
    # since when it has stayed resolved (``core.tickets.settled_since``); NULL while open
    Column("settled_at", UtcDateTime, nullable=True),
    Column("content_sha256", String(64), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),  # when this content was written
    Index("ix_tickets_customer_created", "customer", "created"),
    Index("ix_tickets_created", "created"),
    Index("ix_tickets_customer_settled", "customer", "settled_at"),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", String(KEY_LENGTH), primary_key=True),
    Column("services", Text, nullable=False),  # JSON list of service names
    Column("start_at", UtcDateTime, nullable=False),
    Column("end_at", UtcDateTime, nullable=True),  # NULL: still open
    Column("severity", String(LABEL_LENGTH), nullable=False),
    Column("customer_caused", Boolean, nullable=False),
    Column("force_majeure", Boolean, nullable=False),
    Column("planned_maintenance", Boolean, nullable=False),
    Column("customers", Text, nullable=False),  # JSON list; [] means every customer
    Column("content_sha256", String(64), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_incidents_start_at", "start_at"),
    Index("ix_incidents_end_at", "end_at"),
)
