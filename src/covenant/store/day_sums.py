"""Days held as their sums only: what a first read from Prometheus recordings writes.

A first read of a 30-day window reads every minute of it (docs/prometheus.md). When the
server keeps Covenant's recorded counts (``covenant rules prometheus``), the whole UTC days in
the middle of the window can instead be read as one exact ``(good, total)`` per day. Such a
day is stored as a **day-sum chunk**: the same ``bucket_chunks`` row (so ``good_sum`` and
``total_sum``, which ``read_edge_counts`` sums for whole days, are exact), whose blob holds the
two sums and no minutes (``itemsize`` 8, 16 bytes: a minute chunk is ``2 × 1440 × itemsize``).

Every reader that needs the day's minutes finds the blob's length wrong and refuses it with
``StoreError`` (``chunk_reads.decode_chunk``, ``range_sums``): nothing is ever spread over the
minutes or read as zeros. Evaluations of event-based objectives whose window edges fall
outside these days read only the sums, and are exact. Reading the day's minutes again
(``covenant ingest prometheus`` over the whole day, or the catch-up's refinement of the days a
sliding window is about to cut, ``services.prometheus_recorded``) replaces it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from covenant.errors import InputError, StoreError
from covenant.store.bucket_journal import note_writes
from covenant.store.chunk_reads import DAY, IN_LIMIT, batched, dialect_of, query_of, run_many

CHUNKS = "bucket_chunks"
ITEMSIZE = 8
"""A day-sum chunk's item size: its blob is ``good_sum, total_sum`` as two ``<u8``."""


class DaySum(NamedTuple):
    """The events of one series on the UTC day starting at ``day``."""

    series_id: int
    day: int
    good: int
    total: int


def is_day_sum(blob: bytes | memoryview, itemsize: int) -> bool:
    """Whether a stored chunk holds only its day's sums (no minutes)."""
    return int(itemsize) == ITEMSIZE and len(blob) == 2 * ITEMSIZE


def refused(series_id: int, day: int) -> StoreError:
    """The error for a reader that needs the minutes of a day-sum chunk."""
    from covenant.core.timeutil import from_epoch  # noqa: PLC0415

    start = from_epoch(day).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = from_epoch(day + DAY).strftime("%Y-%m-%dT%H:%M:%SZ")
    return StoreError(
        f"series id {series_id}: the day {start} holds only its day's counts (read from "
        "Prometheus recordings), not its minutes",
        hint=f"read its minutes with covenant ingest prometheus --from {start} --to {end}",
    )


def write_day_sums(conn: Any, sums: Sequence[DaySum]) -> int:
    """Set each ``(series, day)`` to its day sums, replacing what the day held (its minutes,
    if any); a day without events is deleted. Journalled like every bucket write. The
    caller's transaction holds it all; returns the chunks written."""
    rows = []
    for s in sums:
        if s.day % DAY:
            raise InputError(f"day {s.day} is not the start of a UTC day")
        if s.good < 0 or s.good > s.total:
            raise InputError("counts must satisfy 0 <= good <= total")
        rows.append(s)
    if not rows:
        return 0
    if dialect_of(conn) == "postgresql":
        run = query_of(conn)
        ids = sorted({s.series_id for s in rows})
        for part in batched(ids, IN_LIMIT):
            marks = ", ".join("?" * len(part))
            run(f"SELECT id FROM series WHERE id IN ({marks}) ORDER BY id FOR NO KEY UPDATE", part)
    note_writes(
        conn,
        series_ids=[s.series_id for s in rows],
        lo=[s.day for s in rows],
        hi=[s.day + DAY for s in rows],
    )
    run_many(
        conn,
        f"DELETE FROM {CHUNKS} WHERE series_id = ? AND day = ?",
        [(s.series_id, s.day) for s in rows],
    )
    kept = [s for s in rows if s.total > 0]
    run_many(
        conn,
        f"INSERT INTO {CHUNKS} (itemsize, counts, good_sum, total_sum, series_id, day) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                ITEMSIZE,
                np.asarray([s.good, s.total], dtype="<u8").tobytes(),
                s.good,
                s.total,
                s.series_id,
                s.day,
            )
            for s in kept
        ],
    )
    return len(rows)


def day_sum_days(
    conn: Any, *, series_ids: Sequence[int], before: int, days: Sequence[int] | None = None
) -> dict[int, list[int]]:
    """Per series id, the starts of its day-sum days before ``before`` (ascending), only among
    ``days`` when given."""
    run = query_of(conn)
    found: dict[int, list[int]] = {}
    among = sorted(set(days)) if days is not None else []
    if days is not None and not among:
        return found
    only = f" AND day IN ({', '.join('?' * len(among))})" if among else ""
    for part in batched(list(series_ids), max(IN_LIMIT - 3 - len(among), 1)):
        sql = (
            f"SELECT series_id, day FROM {CHUNKS} WHERE series_id IN "
            f"({', '.join('?' * len(part))}) AND day < ?{only} AND itemsize = ? "
            "AND length(counts) = ? ORDER BY series_id, day"
        )
        for series_id, day in run(sql, [*part, before, *among, ITEMSIZE, 2 * ITEMSIZE]):
            found.setdefault(int(series_id), []).append(int(day))
    return found
