"""The worker's tables (SQLAlchemy 2 Core), on the store's shared ``metadata``.

Migration ``0008_worker_state`` creates them.

- ``bucket_writes``: a journal of bucket writes, one row per series per write — the range of
  buckets ``[lo, hi)`` (epoch seconds) the write touched. Every writer of ``bucket_chunks``
  appends to it in its own transaction (``store.bucket_journal``); the worker reads it to learn
  which series received data behind what it has already summed (late data) and deletes the rows
  it has read. Nothing else reads it.
- ``alert_states``: one row per alert key (pending, firing or resolved), what the worker
  remembers between ticks and across restarts (``store.alert_states``).
- ``alert_transitions`` (migration ``0017_alert_transitions``): the alert history, one row per
  transition of an alert (pending, firing, resolved, dropped), appended in the transaction
  that saves ``alert_states``; unique per (key, instant, new state) so that a replica taking
  over never records one twice (``store.alert_transitions``).
- ``metrics_snapshots`` (migration ``0013_metrics_snapshots``): the ``/metrics`` page of the
  leader's latest tick, one row per name (``worker``), so every server process serves the
  same figures (``store.metrics_snapshots``).
- ``worker_health`` (migration ``0022_worker_health``): one row, the ticks of every worker
  that ran on the store counted by outcome, the latest tick's instant and duration and the
  latest completed tick's instant (``store.worker_health``: what ``/metrics`` shows of the
  worker, the same on every process and across restarts).
- ``source_health`` and ``source_read_errors`` (the same migration): per DataSource the
  instant its latest read returned data, and its series reads that failed per error code,
  counted by every reader of the store (``store.source_health``).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from covenant.store.tables import UtcDateTime, metadata

bucket_writes = Table(
    "bucket_writes",
    metadata,
    # INTEGER PRIMARY KEY on SQLite (the rowid: autoincrementing), BIGINT identity elsewhere
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("series_id", Integer, nullable=False),
    Column("lo", BigInteger, nullable=False),  # first bucket start written (epoch seconds)
    Column("hi", BigInteger, nullable=False),  # end of the last bucket written
)

alert_states = Table(
    "alert_states",
    metadata,
    Column("key", String(512), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("state", String(16), nullable=False),  # pending | firing | resolved
    Column("severity", String(32), nullable=False),
    Column("labels", Text, nullable=False),  # JSON object of strings
    Column("annotations", Text, nullable=False),  # JSON object of strings
    Column("targets", Text, nullable=False),  # JSON array of notification target names
    Column("pending_since", UtcDateTime, nullable=False),  # when the condition (last) began
    Column("starts_at", UtcDateTime, nullable=True),  # when it started firing
    Column("ends_at", UtcDateTime, nullable=True),  # when it resolved
    Column("updated_at", UtcDateTime, nullable=False),
)

alert_transitions = Table(
    "alert_transitions",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("key", String(512), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("from_state", String(16), nullable=True),  # None: the alert had no record
    Column("to_state", String(16), nullable=False),  # pending | firing | resolved | dropped
    Column("at", UtcDateTime, nullable=False),  # the tick's instant
    Column("severity", String(32), nullable=False),
    Column("labels", Text, nullable=False),  # JSON object of strings
    Column("annotations", Text, nullable=False),  # JSON object of strings
    Column("starts_at", UtcDateTime, nullable=True),  # the episode's first firing instant
    UniqueConstraint("key", "at", "to_state", name="uq_alert_transitions_step"),
    Index("ix_alert_transitions_at", "at"),
)

metrics_snapshots = Table(
    "metrics_snapshots",
    metadata,
    Column("name", String(64), primary_key=True),  # "worker": the worker's latest tick
    Column("seq", BigInteger, nullable=False),  # 1, 2, …: one more per publication
    Column("at", UtcDateTime, nullable=False),  # the instant the tick evaluated
    Column("published_at", UtcDateTime, nullable=False),
    Column("body", LargeBinary, nullable=False),  # the exposition text, zlib-compressed
)

worker_health = Table(
    "worker_health",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # 1: one row
    Column("ticks_ok", BigInteger, nullable=False),
    Column("ticks_problems", BigInteger, nullable=False),  # completed, a part not evaluated
    Column("ticks_failed", BigInteger, nullable=False),  # raised: nothing moved
    Column("last_tick_at", UtcDateTime, nullable=False),  # the latest tick's instant
    Column("last_tick_s", Float, nullable=False),  # how long it took
    Column("last_success_at", UtcDateTime, nullable=True),  # the latest completed tick's
)

source_health = Table(
    "source_health",
    metadata,
    Column("source", String(255), primary_key=True),  # the DataSource name
    Column("last_success_s", BigInteger, nullable=False),  # epoch s: a read returned data
)

source_read_errors = Table(
    "source_read_errors",
    metadata,
    Column("source", String(255), primary_key=True),
    Column("code", String(64), primary_key=True),  # the error code (docs/errors.md)
    Column("errors", BigInteger, nullable=False),  # series reads that failed so
)
