"""The notice outbox table (SQLAlchemy 2 Core), on the store's shared ``metadata``.

Migration ``0009_notice_outbox`` creates it. One row per (notice key, state, firing episode,
target): the worker's notice is written once per target it goes to, in the transaction that
changed the alert's state, and delivery's dispatcher sends the row and marks it ``sent``. The
episode (``starts_at``) is part of the key so an alert that resolves and fires again later is
sent again; a retried tick, or a second replica writing the same notice, is not.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text, UniqueConstraint

from covenant.store.tables import UtcDateTime, metadata

PENDING = "pending"
SENT = "sent"
FAILED = "failed"  # gave up after the target's maxAttempts; `covenant alerts outbox retry`
STATUSES = (PENDING, SENT, FAILED)

notice_outbox = Table(
    "notice_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("notice_key", String(512), nullable=False),
    Column("state", String(16), nullable=False),  # firing | resolved
    Column("starts_at", UtcDateTime, nullable=False),
    Column("target", String(255), nullable=False),  # an AlertNotificationTarget's name
    Column("kind", String(32), nullable=False),
    Column("notice", Text, nullable=False),  # the AlertNotice as JSON (services.delivery)
    # how the target was reached when the row was routed (services.senders.encode_target):
    # a resolution reaches a target removed since (0016_outbox_target_spec; NULL before it)
    Column("target_spec", Text, nullable=True),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("claimed_until", UtcDateTime, nullable=True),  # a sender's lease on the row
    Column("claimed_by", String(64), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
    UniqueConstraint("notice_key", "state", "starts_at", "target", name="uq_notice_outbox_notice"),
    Index("ix_notice_outbox_due", "status", "next_attempt_at"),
)
