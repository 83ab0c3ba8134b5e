"""Replacing a range of buckets: what a re-read of a metrics source writes (idempotent).

``buckets.add_counts`` *adds* events (a file ingested twice would count twice, so files are
remembered by hash). A source that is read again over the same range gives the counts of that
range again, so its write *sets* the buckets of the range: the stored day chunks are read, the
range's slots overwritten and the chunks written back; slots outside the range keep what they
held. Same layout, same locks as ``buckets`` (docs/adr/0002-bucket-store.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import Connection

from covenant.errors import InputError
from covenant.store.bucket_journal import note_writes
from covenant.store.chunk_layout import (
    DAY,
    IN_LIMIT,
    Int64Array,
    batched,
    buckets_per_day,
    decode_chunk,
    dialect,
)
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
    return replace_ranges(conn, [Range(series_id, start, good, total)], step=step)


class Range(NamedTuple):
    """The buckets ``[start, start + len(total) * step)`` of one series, to be set."""

    series_id: int
    start: int
    good: Int64Array
    total: Int64Array


def replace_ranges(conn: Executor, ranges: Sequence[Range], *, step: int = 60) -> int:
    """Set several ranges (of different series, or of one series without overlapping) in a
    few statements: the day chunks they touch read in one query per batch of series, written
    back with one statement per kind (update, insert, delete). Returns chunks written."""
    per_day = buckets_per_day(step)
    items = []
    for r in ranges:
        g = np.asarray(r.good, dtype=np.int64)
        t = np.asarray(r.total, dtype=np.int64)
        if g.shape != t.shape or g.ndim != 1:
            raise InputError("good and total must be one-dimensional and of one length")
        if r.start % step:
            raise InputError(f"the range must start on the step {step}s")
        if np.any(g < 0) or np.any(g > t):
            raise InputError("counts must satisfy 0 <= good <= total")
        if t.size:
            items.append((int(r.series_id), int(r.start), g, t))
    if not items:
        return 0
    ids = sorted({i for i, *_ in items})
    _lock(conn, ids)
    ends = [start + t.size * step for _, start, _, t in items]
    note_writes(
        conn,
        series_ids=[i for i, *_ in items],
        lo=[start for _, start, *_ in items],
        hi=ends,
    )
    days = sorted(
        {
            day
            for (_, start, *_), end in zip(items, ends, strict=True)
            for day in range(start - start % DAY, end, DAY)
        }
    )
    stored: dict[tuple[int, int], Int64Array] = {}
    for part in batched(ids, max(IN_LIMIT - len(days), 1)):
        query = select(
            bucket_chunks.c.series_id,
            bucket_chunks.c.day,
            bucket_chunks.c.itemsize,
            bucket_chunks.c.counts,
        ).where(bucket_chunks.c.series_id.in_(part), bucket_chunks.c.day.in_(days))
        for series_id, day, itemsize, blob in conn.execute(query):
            decoded = decode_chunk(bytes(blob), int(itemsize), per_day).astype(np.int64)
            stored[(int(series_id), int(day))] = decoded
    changed: dict[tuple[int, int], Int64Array] = {}
    for (series_id, start, g, t), end in zip(items, ends, strict=True):
        for day in range(start - start % DAY, end, DAY):
            key = (series_id, day)
            if key not in changed:
                known = stored.get(key)
                changed[key] = np.zeros((2, per_day), dtype=np.int64) if known is None else known
            chunk = changed[key]
            lo, hi = max(start, day), min(end, day + DAY)
            i0, i1 = (lo - start) // step, (hi - start) // step
            s0, s1 = (lo - day) // step, (hi - day) // step
            chunk[0, s0:s1] = g[i0:i1]
            chunk[1, s0:s1] = t[i0:i1]
    updates: list[tuple[int, bytes, int, int, int, int]] = []
    inserts: list[tuple[int, bytes, int, int, int, int]] = []
    deletes: list[tuple[int, int]] = []
    for (series_id, day), chunk in changed.items():
        good_sum, total_sum = int(chunk[0].sum()), int(chunk[1].sum())
        if total_sum == 0:
            if (series_id, day) in stored:
                deletes.append((series_id, day))
            continue
        peak = int(chunk[1].max())
        size = next((s for s, limit in _LIMITS if peak <= limit), 8)
        blob = chunk.astype(np.dtype(f"<u{size}")).tobytes()
        row = (size, blob, good_sum, total_sum, series_id, day)
        (updates if (series_id, day) in stored else inserts).append(row)
    raw = conn if isinstance(conn, Connection) else conn.connection()
    mark = "?" if raw.dialect.paramstyle == "qmark" else "%s"
    table = bucket_chunks.name
    if deletes:
        raw.exec_driver_sql(
            f"DELETE FROM {table} WHERE series_id = {mark} AND day = {mark}", deletes
        )
    if updates:
        raw.exec_driver_sql(
            f"UPDATE {table} SET itemsize = {mark}, counts = {mark}, good_sum = {mark}, "
            f"total_sum = {mark} WHERE series_id = {mark} AND day = {mark}",
            updates,
        )
    if inserts:
        raw.exec_driver_sql(
            f"INSERT INTO {table} (itemsize, counts, good_sum, total_sum, series_id, day) "
            f"VALUES ({', '.join([mark] * 6)})",
            inserts,
        )
    return len(deletes) + len(updates) + len(inserts)


def _lock(conn: Executor, series_ids: Sequence[int]) -> None:
    """PostgreSQL: hold the series rows as ``buckets`` merges do, so writers of one series
    queue (SQLite's ``write_transaction`` already holds the only write lock)."""
    if dialect(conn) == "postgresql":
        for part in batched(list(series_ids), IN_LIMIT):
            conn.execute(
                select(series.c.id)
                .where(series.c.id.in_(part))
                .order_by(series.c.id)
                .with_for_update(key_share=True)
            ).all()
