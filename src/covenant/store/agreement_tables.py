"""Agreement tables (SQLAlchemy 2 Core), on the shared ``metadata`` of :mod:`covenant.store.tables`.

- ``agreements``: one row per agreement (name, customer).
- ``agreement_versions``: one row per version; ``content`` is the canonical JSON of the version's
  terms (sorted keys, no status), ``content_sha256`` its hash. A signed version's hash never
  changes; ``status`` moves only along ``core.agreements.TRANSITIONS``.
- ``agreement_events``: append-only history. Each agreement's events are numbered ``seq``
  1, 2, 3… and chained: ``hash`` = sha256 of ``prev_hash`` and the event's canonical JSON, so
  an edited or deleted row breaks the chain (``store.agreements.chain_intact``).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from covenant.store.tables import UtcDateTime, metadata

agreements = Table(
    "agreements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("customer", String(255), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

agreement_versions = Table(
    "agreement_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "agreement_id",
        Integer,
        ForeignKey("agreements.id", ondelete="RESTRICT"),
        nullable=False,
    ),
    Column("version", Integer, nullable=False),
    Column("status", String(32), nullable=False),
    Column("effective_from", UtcDateTime, nullable=False),
    Column("effective_to", UtcDateTime, nullable=True),
    Column("content", Text, nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("first_seen", UtcDateTime, nullable=False),
    Column("last_seen", UtcDateTime, nullable=False),
    UniqueConstraint("agreement_id", "version", name="uq_agreement_versions_agreement_id"),
)

agreement_events = Table(
    "agreement_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "agreement_id",
        Integer,
        ForeignKey("agreements.id", ondelete="RESTRICT"),
        nullable=False,
    ),
    Column("seq", Integer, nullable=False),
    Column("version", Integer, nullable=True),
    Column("event", String(32), nullable=False),
    Column("from_status", String(32), nullable=True),
    Column("to_status", String(32), nullable=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(255), nullable=True),
    Column("details", Text, nullable=False),
    Column("prev_hash", String(64), nullable=True),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("agreement_id", "seq", name="uq_agreement_events_agreement_id"),
)
