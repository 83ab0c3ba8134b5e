"""The store's tables (SQLAlchemy 2 Core). Migrations in ``migrations/`` create them.

Bucket counts live in *day chunks*: one row per series per UTC day holding the day's
``good`` then ``total`` arrays (``86400 / step`` buckets each) as one little-endian blob of
the smallest unsigned dtype that fits. See ``docs/adr/0002-bucket-store.md``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on both backends (SQLite keeps no zone; we restore it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


series = Table(
    "series",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(255), nullable=False, unique=True),
    Column("step_s", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

bucket_chunks = Table(
    "bucket_chunks",
    metadata,
    Column(
        "series_id",
        Integer,
        ForeignKey("series.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("day", BigInteger, primary_key=True),  # epoch second of the UTC day start
    Column("itemsize", SmallInteger, nullable=False),  # 1, 2, 4 or 8: little-endian unsigned
    Column("counts", LargeBinary, nullable=False),  # good[0..n) then total[0..n)
    Column("good_sum", BigInteger, nullable=False),
    Column("total_sum", BigInteger, nullable=False),
    # Covering: whole days are summed from the index alone, never touching the blobs.
    Index("ix_bucket_chunks_sums", "series_id", "day", "good_sum", "total_sum"),
)

ingest_batches = Table(
    "ingest_batches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_sha256", String(64), nullable=False, unique=True),
    Column("filename", String(1024), nullable=False),
    Column("rows_read", BigInteger, nullable=False),
    Column("rows_ingested", BigInteger, nullable=False),
    Column("rows_rejected", BigInteger, nullable=False),
    Column("events_min", BigInteger, nullable=True),  # epoch seconds, None when no events
    Column("events_max", BigInteger, nullable=True),
    Column("ingested_at", UtcDateTime, nullable=False),
    # JSON: the first refused rows and the unmatched counts, so a retried keyed batch is
    # answered with the same rows (None: recorded before 0009)
    Column("outcome", Text, nullable=True),
)

ingest_totals = Table(
    "ingest_totals",
    metadata,
    # One row (id 1): every recorded batch summed, kept by ``record_batch`` in the batch's own
    # transaction, so /metrics reads one row instead of summing ingest_batches (never pruned)
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("batches", BigInteger, nullable=False),
    Column("rows_ingested", BigInteger, nullable=False),
    Column("rows_rejected", BigInteger, nullable=False),
    Column("last_batch_at", UtcDateTime, nullable=True),  # the newest batch's ingested_at
    Column("events_max", BigInteger, nullable=True),  # the newest event second of any batch
)
