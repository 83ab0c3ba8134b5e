"""Correction audit table (SQLAlchemy 2 Core), on the shared ``metadata``.

``correction_revisions``: one row per distinct content of a correction, numbered ``revision``
1, 2, 3… per name. A correction is recorded the first time an evaluation applies it
(``first_seen``); seeing the same content again only moves ``last_seen``; a changed correction
with the same name becomes a new revision (the old row stays). ``author``/``reason`` are who and
why as the YAML says; ``content`` is the canonical JSON of the definition and
``content_sha256`` its hash (``CorrectionWindow.revision`` in evaluation results).
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table, Text, UniqueConstraint

from covenant.store.tables import UtcDateTime, metadata

correction_revisions = Table(
    "correction_revisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(255), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("content", Text, nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("author", String(255), nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=True),  # as the YAML says (createdAt)
    Column("origin", String(1024), nullable=False),  # file:line where it was first seen
    Column("first_seen", UtcDateTime, nullable=False),
    Column("last_seen", UtcDateTime, nullable=False),
    UniqueConstraint("name", "revision", name="uq_correction_revisions_name"),
    UniqueConstraint("name", "content_sha256", name="uq_correction_revisions_content"),
)
