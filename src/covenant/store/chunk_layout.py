"""The day-chunk layout of the bucket store, and helpers its read and write paths share.

One ``bucket_chunks`` row per series per UTC day; its blob is the day's ``good`` array then
its ``total`` array, ``86400 / step`` buckets each, little-endian, in the smallest unsigned
dtype that holds the day's largest count (see ``docs/adr/0002-bucket-store.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from sqlalchemy.engine import Connection

from covenant.store.chunk_reads import (  # one implementation, shared with the plain-SQL reads
    DAY,
    IN_LIMIT,
    batched,
    buckets_per_day,
    check_step,
    decode_chunk,
    series_rows,
)

__all__ = [
    "DAY",
    "IN_LIMIT",
    "Int64Array",
    "batched",
    "buckets_per_day",
    "check_step",
    "decode_chunk",
    "dialect",
    "series_rows",
]

if TYPE_CHECKING:  # the ORM loads only where a caller passes a Session
    from sqlalchemy.orm import Session

    Executor = Connection | Session
Int64Array = npt.NDArray[np.int64]


def dialect(conn: Executor) -> str:
    # a Connection is checked first: a plain ingest never has to import the ORM for this
    bind = conn if isinstance(conn, Connection) else conn.get_bind()
    return str(bind.dialect.name)


def upsert_insert(conn: Executor) -> Any:
    """The ``insert`` of ``conn``'s dialect, which has ``on_conflict_do_update``/``_nothing``
    (PostgreSQL's or SQLite's), loaded only where a write needs it (not for a read or a
    scrape)."""
    if dialect(conn) == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert  # noqa: PLC0415

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert  # noqa: PLC0415

    return sqlite_insert
