"""The worker's tables (SQLAlchemy 2 Core), on the store's shared ``metadata``.

Migration ``0008_worker_state`` creates them.

- ``bucket_writes``: a journal of bucket writes, one row per series per write — the range of
  buckets ``[lo, hi)`` (epoch seconds) the write touched. Every writer of ``bucket_chunks``
  appends to it in its own transaction (``store.bucket_journal``); the worker reads it to learn
  which series received data behind what it has already summed (late data) and deletes the rows
  it has read. Nothing else reads it.
- ``alert_states``: one row per alert key (pending, firing or resolved), what the worker
  remembers between ticks and across restarts (``store.alert_states``).
- ``metrics_snapshots`` (migration ``0013_metrics_snapshots``): the ``/metrics`` page of the
  leader's latest tick, one row per name (``worker``), so every server process serves the
  same figures (``store.metrics_snapshots``).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, LargeBinary, String, Table, Text

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

metrics_snapshots = Table(
    "metrics_snapshots",
    metadata,
    Column("name", String(64), primary_key=True),  # "worker": the worker's latest tick
    Column("seq", BigInteger, nullable=False),  # 1, 2, …: one more per publication
    Column("at", UtcDateTime, nullable=False),  # the instant the tick evaluated
    Column("published_at", UtcDateTime, nullable=False),
    Column("body", LargeBinary, nullable=False),  # the exposition text, zlib-compressed
)
