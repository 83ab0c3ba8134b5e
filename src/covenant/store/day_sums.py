"""Days held as their sums only: what a first read from Prometheus recordings writes.

A first read of a 30-day window reads every minute of it (docs/prometheus.md). When the
server keeps Covenant's recorded counts (``covenant rules prometheus``), the whole UTC days in
the middle of the window can instead be read as one exact ``(good, total)`` per day. Such a
day is stored as a **day-sum chunk**: the same ``bucket_chunks`` row (so ``good_sum`` and
``total_sum``, which ``read_edge_counts`` sums for whole days, are exact), whose blob holds the
two sums and no minutes (``itemsize`` 8, 16 bytes: a minute chunk is ``2 × 1440 × itemsize``).

Every reader that needs the day's minutes finds the blob's length wrong and refuses it with
``DaySumsOnlyError`` (``chunk_reads.decode_chunk``, ``range_sums``): nothing is ever spread over
the minutes or read as zeros. The evaluation's readers take an ``unread`` map instead: they leave
such a day out, name it there, and the evaluation shows the series "no data (stale)" with the
reason (``services.day_minutes``), while the other series evaluate as usual. Entry points read
the minutes of the days named in the error from the SLI's source and read again
(``services.day_minutes``). Evaluations of event-based objectives whose window edges fall
outside these days read only the sums, and are exact. Reading the day's minutes again
(``covenant ingest prometheus`` over the whole day, or the catch-up's refinement of the days a
sliding window is about to cut, ``services.prometheus_recorded``) replaces it. The hours of
the days an edge cuts are stored the same way, as hour pieces (``store.hour_pieces``,
:func:`write_hour_sums`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from covenant.errors import DaySumsOnlyError, InputError
from covenant.store import hour_pieces
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


def refused(series_id: int, day: int, *more: tuple[int, int]) -> DaySumsOnlyError:
    """The error for a reader that needs the minutes of day-sum chunks: ``(series_id, day)``
    and ``more`` such pairs (all carried in ``needed``, the first named)."""
    from covenant.core.timeutil import from_epoch  # noqa: PLC0415

    needed = tuple(dict.fromkeys([(series_id, day), *more]))
    start = from_epoch(day).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = from_epoch(day + DAY).strftime("%Y-%m-%dT%H:%M:%SZ")
    others = f" (and {len(needed) - 1} more series-days)" if len(needed) > 1 else ""
    return DaySumsOnlyError(
        f"series id {series_id}: the day {start} holds only its day's counts, or some "
        f"hours' counts (read from Prometheus recordings), not all its minutes{others}",
        hint=f"read its minutes with covenant ingest prometheus --from {start} --to {end}",
        needed=needed,
    )


Unread = dict[int, set[int]]
"""Per series id, the day-sum days a lenient reader met and left as zeros."""


def note_unread(unread: Unread | None, series_id: int, day: int) -> None:
    """Record a day-sum day met by a lenient reader (``unread`` given), else refuse it."""
    if unread is None:
        raise refused(series_id, day)
    unread.setdefault(series_id, set()).add(day)


def series_keys(conn: Any, ids: Sequence[int]) -> dict[int, str]:
    """``id → key`` of the stored series among ``ids``."""
    run = query_of(conn)
    found: dict[int, str] = {}
    for part in batched(sorted(set(ids))):
        sql = f"SELECT id, key FROM series WHERE id IN ({', '.join('?' * len(part))})"
        found.update({int(i): str(k) for i, k in run(sql, part)})
    return found


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


class HourSums(NamedTuple):
    """A day of one series as hour pieces (``store.hour_pieces``): its slots (a summed hour's
    sums in its first slot) and the mask of the hours whose minutes are real."""

    series_id: int
    day: int
    good: Any
    total: Any
    mask: int


def write_hour_sums(conn: Any, days: Sequence[HourSums]) -> int:
    """Set each ``(series, day)`` to its hour pieces, replacing what the day held; a day
    without events is deleted. Journalled; the caller's transaction holds it all."""
    rows = []
    for d in days:
        g, t = np.asarray(d.good, dtype=np.int64), np.asarray(d.total, dtype=np.int64)
        if d.day % DAY:
            raise InputError(f"day {d.day} is not the start of a UTC day")
        if np.any(g < 0) or np.any(g > t):
            raise InputError("counts must satisfy 0 <= good <= total")
        rows.append((d, hour_pieces.encode(g, t, d.mask)))
    if not rows:
        return 0
    if dialect_of(conn) == "postgresql":
        run = query_of(conn)
        for part in batched(sorted({d.series_id for d, _ in rows}), IN_LIMIT):
            marks = ", ".join("?" * len(part))
            run(f"SELECT id FROM series WHERE id IN ({marks}) ORDER BY id FOR NO KEY UPDATE", part)
    note_writes(
        conn,
        series_ids=[d.series_id for d, _ in rows],
        lo=[d.day for d, _ in rows],
        hi=[d.day + DAY for d, _ in rows],
    )
    run_many(
        conn,
        f"DELETE FROM {CHUNKS} WHERE series_id = ? AND day = ?",
        [(d.series_id, d.day) for d, _ in rows],
    )
    run_many(
        conn,
        f"INSERT INTO {CHUNKS} (itemsize, counts, good_sum, total_sum, series_id, day) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(size, blob, g, t, d.series_id, d.day) for d, (size, blob, g, t) in rows if t > 0],
    )
    return len(rows)


def hour_sum_days(
    conn: Any, *, series_ids: Sequence[int], days: Sequence[int]
) -> dict[tuple[int, int], int]:
    """``(series id, day) → mask`` of the days among ``days`` stored as hour pieces."""
    run = query_of(conn)
    found: dict[tuple[int, int], int] = {}
    among = sorted(set(days))
    if not among:
        return found
    for part in batched(list(series_ids), max(IN_LIMIT - len(among), 1)):
        sql = (
            f"SELECT series_id, day, substr(counts, length(counts) - 2, 3) FROM {CHUNKS} "
            f"WHERE series_id IN ({', '.join('?' * len(part))}) "
            f"AND day IN ({', '.join('?' * len(among))}) "
            "AND length(counts) / 2 * 2 < length(counts)"
        )
        for series_id, day, tail in run(sql, [*part, *among]):
            found[(int(series_id), int(day))] = int.from_bytes(bytes(tail), "little")
    return found


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


def refuse_day_sums(conn: Any, *, keys: Sequence[str], start: int, end: int) -> None:
    """Refuse at once every day-sum day of ``keys`` that ``[start, end)`` touches (one query):
    for a reader that reads many ranges, so its caller reads every day it needs in one go."""
    from covenant.store.chunk_reads import series_rows  # noqa: PLC0415

    ids = [i for i, _ in series_rows(conn, keys).values()]
    found = day_sum_days(conn, series_ids=ids, before=end) if ids else {}
    pairs = [(i, d) for i, days in sorted(found.items()) for d in days if d + DAY > start]
    days = range(start - start % DAY, end, DAY)
    for (i, d), mask in sorted(hour_sum_days(conn, series_ids=ids, days=days).items()):
        lo, hi = max(start - d, 0) // 60, min(end - d, DAY) // 60  # hour pieces: step 60 only
        if not hour_pieces.buckets_exact(mask, lo, hi, DAY // 60):
            pairs.append((i, d))
    if pairs:
        raise refused(*pairs[0], *pairs[1:])
