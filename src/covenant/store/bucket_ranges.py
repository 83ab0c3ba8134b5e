"""Replacing a range of buckets: what a re-read of a metrics source writes (idempotent).

``buckets.add_counts`` *adds* events (a file ingested twice would count twice, so files are
remembered by hash). A source that is read again over the same range gives the counts of that
range again, so its write *sets* the buckets of the range: the stored day chunks are read, the
range's slots overwritten and the chunks written back; slots outside the range keep what they
held. Same layout, same locks as ``buckets`` (docs/adr/0002-bucket-store.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import Connection

from covenant.errors import InputError
from covenant.store.bucket_journal import note_writes
from covenant.store.chunk_layout import DAY, Int64Array, buckets_per_day, decode_chunk, dialect
from covenant.store.tables import bucket_chunks, series

if TYPE_CHECKING:
    from covenant.store.chunk_layout import Executor

_LIMITS = ((1, 0xFF), (2, 0xFFFF), (4, 0xFFFFFFFF))


def replace_range(
    conn: Executor,
    *,
    series_id: int,
    start: int,
    good: Int64Array,
    total: Int64Array,
    step: int = 60,
) -> int:
    """Set the buckets ``[start, start + len(total) * step)`` of one series; return chunks
    written (a chunk left without events is deleted). The caller's transaction holds it all."""
    per_day = buckets_per_day(step)
    g = np.asarray(good, dtype=np.int64)
    t = np.asarray(total, dtype=np.int64)
    if g.shape != t.shape or g.ndim != 1:
        raise InputError("good and total must be one-dimensional and of one length")
    if start % step:
        raise InputError(f"the range must start on the step {step}s")
    if np.any(g < 0) or np.any(g > t):
        raise InputError("counts must satisfy 0 <= good <= total")
    if t.size == 0:
        return 0
    _lock(conn, series_id)
    end = start + t.size * step
    note_writes(conn, series_ids=[series_id], lo=[start], hi=[end])
    first_day, last_day = start - start % DAY, (end - 1) - (end - 1) % DAY
    stored: dict[int, Int64Array] = {}
    query = select(bucket_chunks.c.day, bucket_chunks.c.itemsize, bucket_chunks.c.counts).where(
        bucket_chunks.c.series_id == series_id,
        bucket_chunks.c.day >= first_day,
        bucket_chunks.c.day <= last_day,
    )
    for day, itemsize, blob in conn.execute(query):
        stored[int(day)] = decode_chunk(bytes(blob), int(itemsize), per_day).astype(np.int64)
    raw = conn if isinstance(conn, Connection) else conn.connection()
    mark = "?" if raw.dialect.paramstyle == "qmark" else "%s"
    written = 0
    for day in range(first_day, last_day + 1, DAY):
        lo, hi = max(start, day), min(end, day + DAY)
        chunk = stored.get(day)
        if chunk is None:
            chunk = np.zeros((2, per_day), dtype=np.int64)
        i0, i1 = (lo - start) // step, (hi - start) // step
        s0, s1 = (lo - day) // step, (hi - day) // step
        chunk[0, s0:s1] = g[i0:i1]
        chunk[1, s0:s1] = t[i0:i1]
        good_sum, total_sum = int(chunk[0].sum()), int(chunk[1].sum())
        if total_sum == 0:
            if day in stored:
                raw.exec_driver_sql(
                    f"DELETE FROM {bucket_chunks.name} WHERE series_id = {mark} AND day = {mark}",
                    (series_id, day),
                )
                written += 1
            continue
        peak = int(chunk[1].max())
        size = next((s for s, limit in _LIMITS if peak <= limit), 8)
        blob = chunk.astype(np.dtype(f"<u{size}")).tobytes()
        if day in stored:
            raw.exec_driver_sql(
                f"UPDATE {bucket_chunks.name} SET itemsize = {mark}, counts = {mark}, "
                f"good_sum = {mark}, total_sum = {mark} WHERE series_id = {mark} AND day = {mark}",
                (size, blob, good_sum, total_sum, series_id, day),
            )
        else:
            raw.exec_driver_sql(
                f"INSERT INTO {bucket_chunks.name} "
                "(series_id, day, itemsize, counts, good_sum, total_sum) "
                f"VALUES ({', '.join([mark] * 6)})",
                (series_id, day, size, blob, good_sum, total_sum),
            )
        written += 1
    return written


def _lock(conn: Executor, series_id: int) -> None:
    """PostgreSQL: hold the series row as ``buckets`` merges do, so writers of one series queue
    (SQLite's ``write_transaction`` already holds the only write lock)."""
    if dialect(conn) == "postgresql":
        conn.execute(
            select(series.c.id).where(series.c.id == series_id).with_for_update(key_share=True)
        ).all()
