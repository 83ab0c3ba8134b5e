"""The audit log's table (SQLAlchemy 2 Core), on the store's shared ``metadata``.

``audit_log``: one row per change to anything Covenant keeps (SLOs, agreements, corrections,
API tokens, tickets, incidents, event batches), numbered ``seq`` 1, 2, 3… with no gap, each
chained to the row before by ``hash`` = SHA-256 of the previous row's hash and this row's
canonical content (see ``store.audit``). ``before``/``after`` are canonical JSON (or NULL: the
entity did not exist before / does not after). Migration ``0010_audit_log`` creates it.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, String, Table, Text

from covenant.store.tables import UtcDateTime, metadata

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(255), nullable=False),
    Column("action", String(64), nullable=False),
    Column("entity_kind", String(32), nullable=False),
    Column("entity_id", String(255), nullable=False),
    Column("reason", Text, nullable=True),
    Column("before", Text, nullable=True),
    Column("after", Text, nullable=True),
    Column("prev_hash", String(64), nullable=True),
    Column("hash", String(64), nullable=False),
    # one entity's history, newest last (the SLO history, `audit list --kind --id`)
    Index("ix_audit_log_entity", "entity_kind", "entity_id", "seq"),
)
