"""Replacing a range of buckets: what a re-read of a metrics source writes (idempotent).

``buckets.add_counts`` *adds* events (a file ingested twice would count twice, so files are
remembered by hash). A source that is read again over the same range gives the counts of that
range again, so its write *sets* the buckets of the range: the stored day chunks are read, the
range's slots overwritten and the chunks written back; slots outside the range keep what they
held. A day stored as its sums only (``store.day_sums``) is replaced when a write sets all its
minutes, and otherwise keeps its exact sums (the minutes of a part of it are not written); an
hour stored as its sums (``store.hour_pieces``) likewise: a write of all its minutes makes it
minutes, a write of part of it leaves it as it was. Such sums are exact, so a write of all
the minutes of a day (or hour) of sums replaces them only when those minutes add up to exactly
the stored sums (good and total), checked against the row read in the same transaction; else
the sums are kept (a day of sums whole; of hour pieces that hour, the day's other hours
written as read) and the span is listed as a :class:`SumsChange` (``sums="check"``, every read
but one: the reader's frontier stops at the span's start). ``sums="replace"`` (``covenant
ingest prometheus``, the user's explicit read of a
range) writes them anyway and lists the spans whose totals changed.
Same layout, same locks as ``buckets`` (docs/adr/0002-bucket-store.md). Plain SQL through the
DB-API (``chunk_reads.query_of`` and ``run_many``): an engine's connection, or ``sqlite3``'s
(``sqlite_writer``: a catch-up that loads no SQLAlchemy).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from covenant.errors import InputError
from covenant.store import hour_pieces
from covenant.store.bucket_journal import note_writes
from covenant.store.chunk_reads import (
    DAY,
    IN_LIMIT,
    batched,
    buckets_per_day,
    decode_chunk,
    dialect_of,
    query_of,
    run_many,
)
from covenant.store.day_sums import is_day_sum

if TYPE_CHECKING:
    import sqlite3

    from covenant.store.chunk_layout import Executor

    Writer = Executor | sqlite3.Connection

Int64Array = npt.NDArray[np.int64]

_LIMITS = ((1, 0xFF), (2, 0xFFFF), (4, 0xFFFFFFFF))
CHUNKS = "bucket_chunks"  # store.tables.bucket_chunks (plain SQL: no SQLAlchemy here)


def replace_range(
    conn: Writer,
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


class SumsChange(NamedTuple):
    """A day (or hour) stored as its exact sums whose minutes, all written, add up to other
    counts: ``kept`` when the sums were kept (``sums="check"``), else they were replaced."""

    series_id: int
    start: int
    span: int  # DAY or 3600
    stored_good: int
    stored_total: int
    read_good: int
    read_total: int
    kept: bool


SumsMode = Literal["check", "replace"]


def replace_ranges(
    conn: Writer,
    ranges: Sequence[Range],
    *,
    step: int = 60,
    sums: SumsMode = "check",
    changes: list[SumsChange] | None = None,
) -> int:
    """Set several ranges (of different series, or of one series without overlapping) in a
    few statements: the day chunks they touch read in one query per batch of series, written
    back with one statement per kind (update, insert, delete). Returns chunks written.

    A day or hour stored as its sums and wholly written is replaced when its minutes add up to
    the stored sums; otherwise kept (``sums="check"``) or replaced (``"replace"``), and listed
    in ``changes`` when given."""
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
    sums_only: dict[tuple[int, int], int] = {}  # day-sum chunks: minutes written to them
    held: dict[tuple[int, int], tuple[int, int]] = {}  # day-sum chunks: their stored sums
    pieces: dict[tuple[int, int], tuple[int, Int64Array, npt.NDArray[np.bool_]]] = {}
    run = query_of(conn)
    for part in batched(ids, max(IN_LIMIT - len(days), 1)):
        sql = (
            f"SELECT series_id, day, itemsize, counts FROM {CHUNKS} "
            f"WHERE series_id IN ({', '.join('?' * len(part))}) "
            f"AND day IN ({', '.join('?' * len(days))})"
        )
        for series_id, day, itemsize, blob in run(sql, [*part, *days]):
            key = (int(series_id), int(day))
            if is_day_sum(blob, int(itemsize)):  # sums only: replaced by a whole day of minutes
                sums_only[key] = 0
                g0, t0 = np.frombuffer(bytes(blob), dtype="<u8")
                held[key] = (int(g0), int(t0))
                stored[key] = np.zeros((2, per_day), dtype=np.int64)
                continue
            if hour_pieces.is_partial(blob):  # hour sums: (mask, as stored, slots written)
                body, mask = hour_pieces.split(blob)
                chunk = decode_chunk(body, int(itemsize), per_day).astype(np.int64)
                pieces[key] = (mask, chunk.copy(), np.zeros(per_day, dtype=bool))
                stored[key] = chunk
                continue
            stored[key] = decode_chunk(bytes(blob), int(itemsize), per_day).astype(np.int64)
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
            if key in sums_only:
                sums_only[key] += s1 - s0
            if key in pieces:
                pieces[key][2][s0:s1] = True
    found: list[SumsChange] = []
    for key, covered in sums_only.items():  # a day of sums read in part keeps its exact sums
        if covered < per_day:
            del changed[key]
            continue
        read = (int(changed[key][0].sum()), int(changed[key][1].sum()))
        if read != held[key]:  # minutes that do not add up to the exact sums
            found.append(SumsChange(*key, DAY, *held[key], *read, kept=sums == "check"))
            if sums == "check":
                del changed[key]
    masks: dict[tuple[int, int], int] = {}
    per_hour = per_day // hour_pieces.HOURS
    for key, (was_mask, was, written) in pieces.items():  # an hour of sums read in part: kept
        if key not in changed:
            continue
        mask = was_mask
        chunk = changed[key]
        # per hour (rows): written in full, and its sums as stored and as read
        full = np.asarray(written.reshape(hour_pieces.HOURS, per_hour).all(axis=1))
        had = was.reshape(2, hour_pieces.HOURS, per_hour).sum(axis=2)
        read = chunk.reshape(2, hour_pieces.HOURS, per_hour).sum(axis=2)
        keep = np.zeros(hour_pieces.HOURS, dtype=bool)  # hours whose stored slots stay
        for h in hour_pieces.summed(was_mask):
            if not full[h]:
                keep[h] = True
                continue
            if read[0, h] != had[0, h] or read[1, h] != had[1, h]:
                start = key[1] + h * per_hour * step
                pair = (int(had[0, h]), int(had[1, h]), int(read[0, h]), int(read[1, h]))
                found.append(SumsChange(key[0], start, per_hour * step, *pair, sums == "check"))
                if sums == "check":  # this hour's sums stay; the other hours are written
                    keep[h] = True
                    continue
            mask |= 1 << h
        if keep.any():
            slots = np.repeat(keep, per_hour)
            chunk[:, slots] = was[:, slots]
        masks[key] = mask
    if changes is not None:
        changes.extend(sorted(found))
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
        mask = masks.get((series_id, day), hour_pieces.ALL)
        if mask != hour_pieces.ALL:  # still some hours of sums
            size, blob, good_sum, total_sum = hour_pieces.encode(chunk[0], chunk[1], mask)
        row = (size, blob, good_sum, total_sum, series_id, day)
        (updates if (series_id, day) in stored else inserts).append(row)
    run_many(conn, f"DELETE FROM {CHUNKS} WHERE series_id = ? AND day = ?", deletes)
    run_many(
        conn,
        f"UPDATE {CHUNKS} SET itemsize = ?, counts = ?, good_sum = ?, total_sum = ? "
        "WHERE series_id = ? AND day = ?",
        updates,
    )
    run_many(
        conn,
        f"INSERT INTO {CHUNKS} (itemsize, counts, good_sum, total_sum, series_id, day) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        inserts,
    )
    return len(deletes) + len(updates) + len(inserts)


def _lock(conn: Writer, series_ids: Sequence[int]) -> None:
    """PostgreSQL: hold the series rows as ``buckets`` merges do, so writers of one series
    queue (SQLite's write transaction already holds the only write lock)."""
    if dialect_of(conn) == "postgresql":
        run = query_of(conn)
        for part in batched(list(series_ids), IN_LIMIT):
            marks = ", ".join("?" * len(part))
            run(f"SELECT id FROM series WHERE id IN ({marks}) ORDER BY id FOR NO KEY UPDATE", part)
