"""Issued statements (SQLAlchemy 2 Core), on the store's shared ``metadata``.

``issued_statements`` (migration ``0023_issued_statements``): one row per issued revision of a
customer's statement for a period, numbered ``revision`` 1, 2, 3… per (customer, period); a
reissue adds a row and keeps the earlier ones. ``document`` is the statement's JSON exactly as
issued (canonical: sorted keys, no spaces, UTF-8) and ``digest`` the SHA-256 of those bytes;
``html`` the HTML document the customer was given (with the issue line in its footer; the PDF
is that page printed). ``issued_by`` is the actor as the audit log names it; ``reason`` why a
revision was issued again (None for the first); ``complete`` False when it was issued with
``--force`` while provisional. Rows are never changed or deleted.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, String, Table, Text, UniqueConstraint

from covenant.store.tables import UtcDateTime, metadata

issued_statements = Table(
    "issued_statements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer", String(255), nullable=False),
    Column("period", String(16), nullable=False),  # 2026-11, 2026-Q4
    Column("revision", Integer, nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("issued_by", String(255), nullable=False),
    Column("reason", Text, nullable=True),
    Column("complete", Boolean, nullable=False),
    Column("digest", String(64), nullable=False),  # sha256 hex of `document` (UTF-8)
    Column("document", Text, nullable=False),  # canonical JSON (covenant.statement/v1)
    Column("html", Text, nullable=False),
    UniqueConstraint("customer", "period", "revision", name="uq_issued_statements_customer"),
)
