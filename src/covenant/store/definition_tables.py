"""Definitions recorded in the store (SQLAlchemy 2 Core), on the shared ``metadata``.

``definition_changes``: every change made to a Correction or a MaintenanceWindow over the API,
and every ``pull`` that wrote one back into a workspace (ADR 0006). One row per event, numbered
``seq`` 1, 2, 3… per (``kind``, ``name``) under a unique constraint, so of two writers changing
the same definition at once one commits and the other is refused. ``document`` is the whole
definition as the API validated it (canonical JSON; NULL once deleted); ``content_sha256`` the
hash of what it says ("" once deleted) and ``replaced_sha256`` the hash of what it replaced (""
when nothing was defined), so a workspace copy the store has replaced is known as stale.
``action``: ``created``, ``changed``, ``deleted`` (over the API: the store holds the
definition) or ``in-workspace`` (``pull`` wrote it: the workspace owns it again).
Migration ``0014_definition_changes`` creates it.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table, Text, UniqueConstraint

from covenant.store.tables import UtcDateTime, metadata

definition_changes = Table(
    "definition_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("name", String(255), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("action", String(32), nullable=False),
    Column("document", Text, nullable=True),
    Column("content_sha256", String(64), nullable=False),
    Column("replaced_sha256", String(64), nullable=False),
    Column("actor", String(255), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("reason", Text, nullable=True),
    UniqueConstraint("kind", "name", "seq", name="uq_definition_changes_kind"),
)
