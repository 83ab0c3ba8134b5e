"""Writing the bucket store: series, day chunks merged in, ingestion batches (and its reads).

Every function takes the open connection (or ORM session) first and never commits: the
caller owns the transaction, so one ingestion is written all or nothing.

Storage layout (see ``docs/adr/0002-bucket-store.md``): one ``bucket_chunks`` row per series
per UTC day; its blob is the day's ``good`` array then its ``total`` array, ``86400 / step``
buckets each, little-endian, in the smallest unsigned dtype that holds the day's largest count.
The layout's helpers live in ``chunk_layout``, the reads in ``bucket_reads`` (re-exported here).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import insert as core_insert
from sqlalchemy import select
from sqlalchemy.engine import Connection

from covenant.errors import InputError
from covenant.store import ingest_totals
from covenant.store.bucket_journal import note_writes
from covenant.store.bucket_reads import (
    SeriesInfo,
    list_series,
    read_edge_counts,
    read_matrix,
    series_extent,
)
from covenant.store.chunk_layout import (
    DAY,
    Int64Array,
    batched,
    buckets_per_day,
    check_step,
    decode_chunk,
    dialect,
    series_rows,
)
from covenant.store.ingest_totals import batch_totals
from covenant.store.tables import bucket_chunks, ingest_batches, series

__all__ = [
    "DAY",
    "MAX_KEY_LENGTH",
    "BatchRecord",
    "SeriesInfo",
    "add_chunks",
    "add_counts",
    "batch_totals",
    "buckets_per_day",
    "ensure_series",
    "find_batch",
    "list_series",
    "read_edge_counts",
    "read_matrix",
    "record_batch",
    "series_extent",
]

MAX_KEY_LENGTH = 255
_CHUNK_BATCH = 2048  # day chunks merged per round trip (bounds memory on huge inputs)
_ITEMSIZES = (1, 2, 4, 8)
_LIMITS = tuple(np.iinfo(np.dtype(f"<u{size}")).max for size in _ITEMSIZES)

if TYPE_CHECKING:  # the ORM and dialect inserts load only where a write needs them
    from covenant.store.chunk_layout import Executor


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchRecord:
    """One ingested source (a file), remembered by the sha256 of its bytes."""

    sha256: str
    filename: str
    rows_read: int
    rows_ingested: int
    rows_rejected: int
    events_min: int | None
    events_max: int | None
    ingested_at: datetime
    outcome: str | None = None  # JSON: the refused rows and unmatched counts (a keyed batch)


def ensure_series(conn: Executor, *, keys: Sequence[str], step: int = 60) -> dict[str, int]:
    """The id of every key, creating missing series with ``step`` (safe under concurrency)."""
    buckets_per_day(step)
    unique = list(dict.fromkeys(keys))
    for key in unique:
        if not key or len(key) > MAX_KEY_LENGTH:
            raise InputError(
                f"series key {key!r} must be 1–{MAX_KEY_LENGTH} characters",
                hint="name series like checkout-availability or checkout-latency:lte300",
            )
    found = series_rows(conn, unique)
    # sorted: concurrent writers insert new keys in one order, so they never deadlock
    missing = sorted(key for key in unique if key not in found)
    if missing:
        now = datetime.now(UTC)
        kind = dialect(conn)
        values = [{"key": key, "step_s": step, "created_at": now} for key in missing]
        if kind == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert  # noqa: PLC0415

            conn.execute(pg_insert(series).on_conflict_do_nothing(index_elements=["key"]), values)
        elif kind == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert  # noqa: PLC0415

            conn.execute(
                sqlite_insert(series).on_conflict_do_nothing(index_elements=["key"]), values
            )
        else:  # pragma: no cover - only SQLite and PostgreSQL are supported
            conn.execute(core_insert(series), values)
        found.update(series_rows(conn, missing))
    check_step(found, step)
    return {key: found[key][0] for key in unique}


def _as_int64(name: str, values: npt.ArrayLike) -> Int64Array:
    array = np.asarray(values)
    if array.ndim != 1:
        raise InputError(f"{name} must be a one-dimensional array")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise InputError(f"{name} must hold integers, got {array.dtype}")
    return array.astype(np.int64, copy=False)


def _itemsizes(peaks: Int64Array) -> Int64Array:
    conditions = [peaks <= limit for limit in _LIMITS[:-1]]
    return np.select(conditions, list(_ITEMSIZES[:-1]), default=8).astype(np.int64)


def add_counts(
    conn: Executor,
    *,
    series_ids: npt.ArrayLike,
    bucket_starts: npt.ArrayLike,
    good: npt.ArrayLike,
    total: npt.ArrayLike,
    step: int = 60,
) -> int:
    """Add counts to the stored buckets (merging into existing day chunks); return chunks written.

    ``bucket_starts`` are epoch seconds aligned to ``step``; entries may repeat and come in any
    order. Counts must be non-negative with ``good <= total``. The caller's transaction holds
    every write.
    """
    per_day = buckets_per_day(step)
    sid = _as_int64("series_ids", series_ids)
    starts = _as_int64("bucket_starts", bucket_starts)
    g = _as_int64("good", good)
    t = _as_int64("total", total)
    if not sid.size == starts.size == g.size == t.size:
        raise InputError("series_ids, bucket_starts, good and total must have the same length")
    if sid.size == 0:
        return 0
    if np.any(starts % step):
        raise InputError(f"bucket starts must be aligned to the step {step}s (floor them first)")
    if np.any(g < 0) or np.any(g > t):
        raise InputError("counts must satisfy 0 <= good <= total")
    busy = t > 0  # a bucket given no events changes nothing (good <= total)
    note_writes(conn, series_ids=sid[busy], lo=starts[busy], hi=starts[busy] + step)

    day = starts - starts % DAY
    slot = (starts - day) // step
    sid_min = int(sid.min())
    day_min = int(day.min())
    n_days = (int(day.max()) - day_min) // DAY + 1
    chunk_key = (sid - sid_min) * n_days + (day - day_min) // DAY
    if chunk_key.size > 1 and np.any(chunk_key[1:] < chunk_key[:-1]):
        order = np.argsort(chunk_key, kind="stable")
        chunk_key, slot, g, t = chunk_key[order], slot[order], g[order], t[order]
    bounds = np.flatnonzero(chunk_key[1:] != chunk_key[:-1]) + 1
    first = np.concatenate(([0], bounds))
    last = np.concatenate((bounds, [chunk_key.size]))
    keys = chunk_key[first]
    chunk_sid = keys // n_days + sid_min
    chunk_day = (keys % n_days) * DAY + day_min

    _lock_series(conn, np.unique(chunk_sid).tolist())
    written = 0
    for c0 in range(0, keys.size, _CHUNK_BATCH):
        c1 = min(c0 + _CHUNK_BATCH, keys.size)
        e0, e1 = int(first[c0]), int(last[c1 - 1])
        local = np.repeat(np.arange(c1 - c0), last[c0:c1] - first[c0:c1])
        dense = np.zeros((c1 - c0, 2, per_day), dtype=np.int64)
        np.add.at(dense[:, 0, :], (local, slot[e0:e1]), g[e0:e1])
        np.add.at(dense[:, 1, :], (local, slot[e0:e1]), t[e0:e1])
        written += _merge_chunks(
            conn,
            sids=chunk_sid[c0:c1],
            days=chunk_day[c0:c1],
            dense=dense,
            per_day=per_day,
        )
    return written


def add_chunks(
    conn: Executor,
    *,
    series_ids: npt.ArrayLike,
    days: npt.ArrayLike,
    chunks: npt.ArrayLike,
    step: int = 60,
) -> int:
    """Add whole day chunks into the stored ones; return chunks written.

    ``chunks[i]`` is ``(good, total)`` over the ``86400 / step`` buckets of the UTC day that
    starts at epoch second ``days[i]``, for series ``series_ids[i]``; each (series, day) at most
    once. The same merge as ``add_counts`` (and the same locks), without going through
    per-bucket entries.
    """
    per_day = buckets_per_day(step)
    sid = _as_int64("series_ids", series_ids)
    day = _as_int64("days", days)
    dense = np.asarray(chunks)
    if sid.size != day.size or dense.shape != (sid.size, 2, per_day):
        raise InputError(f"chunks must have the shape (len(series_ids), 2, {per_day})")
    if sid.size == 0:
        return 0
    if not np.issubdtype(dense.dtype, np.integer):
        raise InputError(f"chunks must hold integers, got {dense.dtype}")
    if np.any(day % DAY):
        raise InputError("days must be UTC day starts (epoch seconds divisible by 86400)")
    if np.any(dense[:, 0] < 0) or np.any(dense[:, 0] > dense[:, 1]):
        raise InputError("counts must satisfy 0 <= good <= total")
    order = np.lexsort((day, sid))
    same = (sid[order][1:] == sid[order][:-1]) & (day[order][1:] == day[order][:-1])
    if np.any(same):
        raise InputError("each (series, day) chunk may be given once")
    _lock_series(conn, np.unique(sid).tolist())
    busy = dense[:, 1, :] > 0
    written_to = np.flatnonzero(busy.any(axis=1))
    first = np.argmax(busy[written_to], axis=1)
    last = per_day - np.argmax(busy[written_to, ::-1], axis=1)
    note_writes(
        conn,
        series_ids=sid[written_to],
        lo=day[written_to] + first * step,
        hi=day[written_to] + last * step,
    )
    if dense.dtype not in (np.int32, np.int64):  # int32 chunks are merged as they are
        dense = dense.astype(np.int64)
    written = 0
    for c0 in range(0, sid.size, _CHUNK_BATCH):  # in the given order: slices, not copies
        part = slice(c0, c0 + _CHUNK_BATCH)
        written += _merge_chunks(
            conn, sids=sid[part], days=day[part], dense=dense[part], per_day=per_day
        )
    return written


def _lock_series(conn: Executor, ids: list[int]) -> None:
    """Hold every merged series until the transaction ends, so concurrent merges queue.

    The merge reads a day chunk, adds to it in numpy and writes it back: two writers must not
    both read the old chunk. PostgreSQL: ``SELECT … FOR NO KEY UPDATE`` on the series rows
    (ascending ids, so two writers never deadlock; the lock also covers chunks not written
    yet, which a row lock on ``bucket_chunks`` could not). SQLite has one writer at a time: a
    ``write_transaction`` holds the write lock from its start, and a deferred transaction
    fails rather than overwrite a chunk another writer changed after it read.
    """
    if dialect(conn) != "postgresql":
        return
    for part in batched(ids):
        query = (
            select(series.c.id)
            .where(series.c.id.in_(part))
            .order_by(series.c.id)
            .with_for_update(key_share=True)
        )
        conn.execute(query).all()


def _merge_chunks(
    conn: Executor,
    *,
    sids: Int64Array,
    days: Int64Array,
    dense: npt.NDArray[np.int32 | np.int64],
    per_day: int,
) -> int:
    """Add the stored chunks to ``dense`` (n, 2, per_day, int32 or int64; left unchanged),
    write them back."""
    position = {(int(s), int(d)): i for i, (s, d) in enumerate(zip(sids, days, strict=True))}
    exists = np.zeros(sids.size, dtype=bool)
    stored: list[tuple[int, npt.NDArray[np.unsignedinteger[Any]]]] = []
    day_lo, day_hi = int(days.min()), int(days.max())
    for part in batched(sorted(set(sids.tolist()))):
        query = select(
            bucket_chunks.c.series_id,
            bucket_chunks.c.day,
            bucket_chunks.c.itemsize,
            bucket_chunks.c.counts,
        ).where(
            bucket_chunks.c.series_id.in_(part),
            bucket_chunks.c.day >= day_lo,
            bucket_chunks.c.day <= day_hi,
        )
        for series_id, day, itemsize, blob in conn.execute(query):
            i = position.get((int(series_id), int(day)))
            if i is not None:
                chunk = decode_chunk(
                    bytes(blob), int(itemsize), per_day, series_id=int(series_id), day=int(day)
                )
                stored.append((i, chunk))
                exists[i] = True
    if stored:  # merge into an int64 copy: the caller's chunks stay as they were
        dense = dense.astype(np.int64)
        for i, chunk in stored:
            dense[i] += chunk

    sizes = _itemsizes(dense[:, 1, :].max(axis=1).astype(np.int64))  # totals bound goods too
    sums = dense.sum(axis=2, dtype=np.int64).tolist()
    sid_list, day_list = sids.tolist(), days.tolist()
    inserts: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    for size in _ITEMSIZES:
        chosen = np.flatnonzero(sizes == size)
        if not chosen.size:
            continue
        chosen_rows = dense if chosen.size == sizes.size else dense[chosen]
        encoded = chosen_rows.astype(np.dtype(f"<u{size}"))
        for j, i in enumerate(chosen.tolist()):
            blob = encoded[j].tobytes()
            good_sum, total_sum = sums[i]
            if exists[i]:
                updates.append((size, blob, good_sum, total_sum, sid_list[i], day_list[i]))
            else:
                inserts.append((sid_list[i], day_list[i], size, blob, good_sum, total_sum))
    raw = conn if isinstance(conn, Connection) else conn.connection()
    mark = "?" if raw.dialect.paramstyle == "qmark" else "%s"  # SQLite, or psycopg
    if updates:  # the driver's executemany: no per-row work in SQLAlchemy
        raw.exec_driver_sql(
            f"UPDATE {bucket_chunks.name} SET itemsize = {mark}, counts = {mark}, "
            f"good_sum = {mark}, total_sum = {mark} WHERE series_id = {mark} AND day = {mark}",
            updates,
        )
    if inserts:
        raw.exec_driver_sql(
            f"INSERT INTO {bucket_chunks.name} "
            "(series_id, day, itemsize, counts, good_sum, total_sum) "
            f"VALUES ({', '.join([mark] * 6)})",
            inserts,
        )
    return len(inserts) + len(updates)


def find_batch(conn: Executor, *, sha256: str) -> BatchRecord | None:
    """The earlier ingestion of a source with this sha256, if any."""
    t = ingest_batches.c
    query = select(
        t.source_sha256,
        t.filename,
        t.rows_read,
        t.rows_ingested,
        t.rows_rejected,
        t.events_min,
        t.events_max,
        t.ingested_at,
        t.outcome,
    ).where(t.source_sha256 == sha256)
    row = conn.execute(query).first()
    if row is None:
        return None
    return BatchRecord(
        sha256=row[0],
        filename=row[1],
        rows_read=int(row[2]),
        rows_ingested=int(row[3]),
        rows_rejected=int(row[4]),
        events_min=None if row[5] is None else int(row[5]),
        events_max=None if row[6] is None else int(row[6]),
        ingested_at=row[7],
        outcome=row[8],
    )


def record_batch(conn: Executor, *, batch: BatchRecord) -> None:
    """Remember an ingested source (the unique sha256 makes a concurrent duplicate fail) and
    add it to the running totals /metrics reads (``ingest_totals``)."""
    conn.execute(
        core_insert(ingest_batches).values(
            source_sha256=batch.sha256,
            filename=batch.filename,
            rows_read=batch.rows_read,
            rows_ingested=batch.rows_ingested,
            rows_rejected=batch.rows_rejected,
            events_min=batch.events_min,
            events_max=batch.events_max,
            ingested_at=batch.ingested_at,
            outcome=batch.outcome,
        )
    )
    ingest_totals.add_batch(
        conn,
        rows_ingested=batch.rows_ingested,
        rows_rejected=batch.rows_rejected,
        ingested_at=batch.ingested_at,
        events_max=batch.events_max,
    )
