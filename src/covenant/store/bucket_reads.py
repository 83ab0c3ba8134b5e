"""Reading the bucket store: dense matrices, cumulative counts at edges, extents, series.

Every function takes the open connection (or ORM session) first; none writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import case, func, select, tuple_

from covenant.core.series import BucketMatrix, EdgeCounts
from covenant.errors import InputError, StoreError
from covenant.store.chunk_layout import (
    DAY,
    IN_LIMIT,
    batched,
    buckets_per_day,
    check_step,
    decode_chunk,
    series_rows,
)
from covenant.store.tables import bucket_chunks, series

if TYPE_CHECKING:
    from covenant.store.chunk_layout import Executor


@dataclass(frozen=True, slots=True, kw_only=True)
class SeriesInfo:
    """One stored series."""

    id: int
    key: str
    step: int
    created_at: datetime


def read_matrix(
    conn: Executor, *, keys: Sequence[str], start: int, end: int, step: int = 60
) -> BucketMatrix:
    """Dense counts of ``keys`` over ``[start, end)``; missing chunks and unknown keys are zeros.

    ``start`` and ``end`` are epoch seconds aligned to ``step``. The returned arrays may be
    views into a slightly larger day-aligned buffer (no copy is made to trim them).
    """
    per_day = buckets_per_day(step)
    if start % step or end % step:
        raise InputError(f"start and end must be aligned to the step {step}s")
    if end < start:
        raise InputError(f"end {end} is before start {start}")
    names = tuple(keys)
    if len(set(names)) != len(names):
        raise InputError("read_matrix keys must be unique")
    found = series_rows(conn, names)
    check_step(found, step)
    row_of = {found[key][0]: i for i, key in enumerate(names) if key in found}

    day0 = start - start % DAY
    day1 = end - end % DAY + (DAY if end % DAY else 0)
    n_days = max((day1 - day0) // DAY, 1)
    good = np.zeros((len(names), n_days * per_day), dtype=np.int64)
    total = np.zeros((len(names), n_days * per_day), dtype=np.int64)
    good3 = good.reshape(len(names), n_days, per_day)
    total3 = total.reshape(len(names), n_days, per_day)

    by_size: dict[int, tuple[list[int], list[int], list[bytes]]] = {}
    ids = sorted(row_of)
    for part in batched(ids):
        query = select(
            bucket_chunks.c.series_id,
            bucket_chunks.c.day,
            bucket_chunks.c.itemsize,
            bucket_chunks.c.counts,
        ).where(
            bucket_chunks.c.series_id.in_(part),
            bucket_chunks.c.day >= day0,
            bucket_chunks.c.day < day1,
        )
        for series_id, day, itemsize, blob in conn.execute(query):
            rows, cols, blobs = by_size.setdefault(int(itemsize), ([], [], []))
            rows.append(row_of[series_id])
            cols.append((day - day0) // DAY)
            blobs.append(blob)
    for itemsize, (rows, cols, blobs) in by_size.items():
        data = np.frombuffer(b"".join(blobs), dtype=np.dtype(f"<u{itemsize}"))
        if data.size != len(blobs) * 2 * per_day:
            raise StoreError(
                "stored day chunks have an unexpected size",
                hint="the series was written with another step; the store may be corrupt",
            )
        chunks = data.reshape(len(blobs), 2, per_day)
        r = np.asarray(rows, dtype=np.intp)
        c = np.asarray(cols, dtype=np.intp)
        good3[r, c] = chunks[:, 0, :]
        total3[r, c] = chunks[:, 1, :]
    offset = (start - day0) // step
    n = (end - start) // step
    return BucketMatrix(
        keys=names,
        start=start,
        step=step,
        good=good[:, offset : offset + n],
        total=total[:, offset : offset + n],
    )


def read_edge_counts(
    conn: Executor, *, keys: Sequence[str], edges: Sequence[int], step: int = 60
) -> EdgeCounts:
    """Cumulative counts of ``keys`` at ``edges`` (epoch seconds aligned to ``step``).

    Whole days between edges are summed by the database from each chunk's stored day sums;
    only the day chunks an edge falls inside are read and decoded. Unknown keys count zero.
    """
    per_day = buckets_per_day(step)
    at = np.unique(np.asarray(list(edges), dtype=np.int64))
    if np.any(at % step):
        raise InputError(f"edges must be aligned to the step {step}s")
    names = tuple(keys)
    if len(set(names)) != len(names):
        raise InputError("read_edge_counts keys must be unique")
    good = np.zeros((len(names), at.size), dtype=np.int64)
    total = np.zeros((len(names), at.size), dtype=np.int64)
    found = series_rows(conn, names)
    check_step(found, step)
    row_of = {found[key][0]: i for i, key in enumerate(names) if key in found}
    if at.size and row_of:
        edge_day = at - at % DAY
        days = np.unique(edge_day)  # sum whole days [days[i], days[i + 1]) in the database
        day_good = np.zeros((len(names), days.size), dtype=np.int64)
        day_total = np.zeros((len(names), days.size), dtype=np.int64)
        ids = sorted(row_of)
        c = bucket_chunks.c
        if days.size > 1:
            bounds = days[1:-1].tolist()
            segment = (
                case(*((c.day < d, i + 1) for i, d in enumerate(bounds)), else_=len(bounds) + 1)
                if bounds
                else None
            )
            for part in batched(ids):
                where = (c.series_id.in_(part), c.day >= int(days[0]), c.day < int(days[-1]))
                sums = (func.sum(c.good_sum), func.sum(c.total_sum))
                rows: list[tuple[Any, ...]]
                if segment is None:  # one span of whole days
                    query = select(c.series_id, *sums).where(*where).group_by(c.series_id)
                    rows = [(r[0], 1, r[1], r[2]) for r in conn.execute(query)]
                else:
                    label = segment.label("segment")
                    query = (
                        select(c.series_id, label, *sums).where(*where).group_by(c.series_id, label)
                    )
                    rows = [tuple(r) for r in conn.execute(query)]
                for series_id, seg, g, t in rows:
                    day_good[row_of[series_id], int(seg)] = int(g)
                    day_total[row_of[series_id], int(seg)] = int(t)
            np.cumsum(day_good, axis=1, out=day_good)
            np.cumsum(day_total, axis=1, out=day_total)
        column = np.searchsorted(days, edge_day)
        good[:] = day_good[:, column]
        total[:] = day_total[:, column]
        slot = (at - edge_day) // step
        inside = np.unique(edge_day[slot > 0]).tolist()  # days an edge cuts: decode those
        by_size: dict[int, tuple[list[int], list[int], list[bytes]]] = {}
        for part in batched(ids if inside else [], max(IN_LIMIT - len(inside), 1)):
            query = select(c.series_id, c.day, c.itemsize, c.counts).where(
                c.series_id.in_(part), c.day.in_(inside)
            )
            for row in conn.execute(query):
                chunk_rows, chunk_days, blobs = by_size.setdefault(int(row[2]), ([], [], []))
                chunk_rows.append(row_of[row[0]])
                chunk_days.append(int(row[1]))
                blobs.append(bytes(row[3]))
        for itemsize, (chunk_rows, chunk_days, blobs) in by_size.items():
            data = np.frombuffer(b"".join(blobs), dtype=np.dtype(f"<u{itemsize}"))
            if data.size != len(blobs) * 2 * per_day:
                raise StoreError(
                    "stored day chunks have an unexpected size",
                    hint="the series was written with another step; the store may be corrupt",
                )
            running = np.cumsum(data.reshape(len(blobs), 2, per_day), axis=2, dtype=np.int64)
            r = np.asarray(chunk_rows, dtype=np.intp)
            d = np.asarray(chunk_days, dtype=np.int64)
            for day in inside:  # buckets [0, slot) of the day an edge cuts
                j = np.flatnonzero((edge_day == day) & (slot > 0))
                mine = np.flatnonzero(d == day)
                picked = running[mine][:, :, slot[j] - 1]
                good[r[mine][:, None], j[None, :]] += picked[:, 0, :]
                total[r[mine][:, None], j[None, :]] += picked[:, 1, :]
    return EdgeCounts(keys=names, step=step, edges=at, good=good, total=total)


def series_extent(conn: Executor, *, keys: Sequence[str]) -> dict[str, tuple[int, int] | None]:
    """Per key, ``(first bucket start, last bucket end)`` of buckets with events, else None."""
    found = series_rows(conn, list(dict.fromkeys(keys)))
    result: dict[str, tuple[int, int] | None] = dict.fromkeys(keys)
    key_of = {id_: key for key, (id_, _) in found.items()}
    step_of = {id_: step for _, (id_, step) in found.items()}
    ranges: dict[int, tuple[int, int]] = {}
    for part in batched(sorted(key_of)):
        query = (
            select(
                bucket_chunks.c.series_id,
                func.min(bucket_chunks.c.day),
                func.max(bucket_chunks.c.day),
            )
            .where(bucket_chunks.c.series_id.in_(part), bucket_chunks.c.total_sum > 0)
            .group_by(bucket_chunks.c.series_id)
        )
        for series_id, lo, hi in conn.execute(query):
            ranges[int(series_id)] = (int(lo), int(hi))
    wanted = [(s, d) for s, (lo, hi) in ranges.items() for d in {lo, hi}]
    totals: dict[tuple[int, int], npt.NDArray[np.unsignedinteger[Any]]] = {}
    for part in batched(wanted, IN_LIMIT // 2):
        query = select(
            bucket_chunks.c.series_id,
            bucket_chunks.c.day,
            bucket_chunks.c.itemsize,
            bucket_chunks.c.counts,
        ).where(tuple_(bucket_chunks.c.series_id, bucket_chunks.c.day).in_(part))
        for row in conn.execute(query):
            per_day = buckets_per_day(step_of[int(row[0])])
            totals[(int(row[0]), int(row[1]))] = decode_chunk(bytes(row[3]), int(row[2]), per_day)[
                1
            ]
    for series_id, (lo, hi) in ranges.items():
        step = step_of[series_id]
        first_slot = int(np.flatnonzero(totals[(series_id, lo)])[0])
        last_slot = int(np.flatnonzero(totals[(series_id, hi)])[-1])
        result[key_of[series_id]] = (lo + first_slot * step, hi + (last_slot + 1) * step)
    return result


def list_series(conn: Executor) -> list[SeriesInfo]:
    """Every stored series, by key."""
    query = select(series.c.id, series.c.key, series.c.step_s, series.c.created_at).order_by(
        series.c.key
    )
    return [
        SeriesInfo(id=int(id_), key=str(key), step=int(step), created_at=created)
        for id_, key, step, created in conn.execute(query)
    ]
