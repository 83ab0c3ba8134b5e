"""Sums of short bucket ranges, reading only those buckets: the worker's minute tick.

A window that moved by a minute needs the one bucket it gained and the one it lost, not the 30
days in between. Each range is cut at UTC days; every day's pieces are read in one query whose
columns are ``substr`` slices of the day chunk's blob (``good`` then ``total`` arrays, see
``chunk_reads``), so the database returns a few bytes per series and piece. The same SQL runs
on SQLite and PostgreSQL (``substr`` on a BLOB / ``bytea``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from covenant.errors import InputError
from covenant.store import hour_pieces
from covenant.store.chunk_reads import (
    DAY,
    IN_LIMIT,
    batched,
    buckets_per_day,
    counts_type,
    query_of,
)
from covenant.store.day_sums import Unread, note_unread

Int64Array = npt.NDArray[np.int64]


def _pieces(ranges: Sequence[tuple[int, int]], step: int) -> dict[int, list[tuple[int, int, int]]]:
    """Per day start: ``(range index, first slot, slot count)`` of each range's part in it."""
    by_day: dict[int, list[tuple[int, int, int]]] = {}
    for index, (lo, hi) in enumerate(ranges):
        if lo % step or hi % step or hi < lo:
            raise InputError(f"range [{lo}, {hi}) is not aligned to the step {step}s")
        cursor = lo
        while cursor < hi:
            day = cursor - cursor % DAY
            stop = min(hi, day + DAY)
            by_day.setdefault(day, []).append(
                (index, (cursor - day) // step, (stop - cursor) // step)
            )
            cursor = stop
    return by_day


def read_range_sums(
    conn: Any,
    *,
    ids: Mapping[int, int],
    ranges: Sequence[tuple[int, int]],
    rows: int,
    step: int = 60,
    unread: Unread | None = None,
) -> tuple[Int64Array, Int64Array]:
    """``(good, total)`` of shape ``(rows, len(ranges))``: the events of each series in each
        range ``[lo, hi)`` (epoch seconds aligned to ``step``). ``ids`` maps a stored series id to
        its output row; series without a chunk on a day count zero there. A day stored as its sums
    only, or a range that cuts an hour stored as its sums (``store.hour_pieces``), is refused
    (``store.day_sums``), or with ``unread`` counts zero and is named there."""
    good = np.zeros((rows, len(ranges)), dtype=np.int64)
    total = np.zeros((rows, len(ranges)), dtype=np.int64)
    if not ids or not ranges:
        return good, total
    for _, pieces, where, values in _slices(conn, ids=ids, ranges=ranges, step=step, unread=unread):
        column = 0
        for index, _, count in pieces:
            for target in (good, total):
                # one row per series and day: no repeated index in ``where``
                target[where, index] += values[:, column : column + count].sum(
                    axis=1, dtype=np.int64
                )
                column += count
    return good, total


def read_range_buckets(
    conn: Any,
    *,
    ids: Mapping[int, int],
    ranges: Sequence[tuple[int, int]],
    rows: int,
    step: int = 60,
    unread: Unread | None = None,
    need: Sequence[int] | None = None,
    until: list[int] | None = None,
) -> list[tuple[npt.NDArray[Any], npt.NDArray[Any]]]:
    """Per range ``[lo, hi)``: ``(good, total)`` of shape ``(rows, (hi − lo) / step)``, every
    bucket per series (``ids`` as for :func:`read_range_sums`), in the widest unsigned type
    read. One query per day and batch of series for all the ranges.

    A range that overlaps an hour stored as its sums (``store.hour_pieces``) is refused as a
    day of sums is; with ``need`` (per range, the end of the buckets that must be read) only
    its part before ``need`` must be real minutes, and ``until`` (per range, filled in) is
    where the real minutes of every row end: buckets from there on are not to be used."""
    if until is not None:
        until[:] = [hi for _, hi in ranges]
    found = (
        list(
            _slices(
                conn,
                ids=ids,
                ranges=ranges,
                step=step,
                unread=unread,
                whole=True,
                need=need,
                until=until,
            )
        )
        if ids and ranges
        else []
    )
    dtype = np.result_type(np.uint8, *(values.dtype for _, _, _, values in found))
    out = [
        (
            np.zeros((rows, (hi - lo) // step), dtype=dtype),
            np.zeros((rows, (hi - lo) // step), dtype=dtype),
        )
        for lo, hi in ranges
    ]
    for day, pieces, where, values in found:
        column = 0
        for index, first, count in pieces:
            good, total = out[index]
            at = (day + first * step - ranges[index][0]) // step
            good[where, at : at + count] = values[:, column : column + count]
            total[where, at : at + count] = values[:, column + count : column + 2 * count]
            column += 2 * count
    return out


def _slices(
    conn: Any,
    *,
    ids: Mapping[int, int],
    ranges: Sequence[tuple[int, int]],
    step: int,
    unread: Unread | None = None,
    whole: bool = False,
    need: Sequence[int] | None = None,
    until: list[int] | None = None,
) -> Iterator[tuple[int, list[tuple[int, int, int]], npt.NDArray[np.intp], npt.NDArray[Any]]]:
    """Per day and item size: the day, its pieces of ``ranges``, the output rows, and per row
    the pieces' buckets (``good`` then ``total`` of each piece, in the order of the pieces).
    A row whose pieces are not exact on a day of hour sums is refused (or named in
    ``unread``): ``whole``, every bucket is wanted (up to ``need``, see
    ``read_range_buckets``), else each piece's sum."""
    per_day = buckets_per_day(step)
    run = query_of(conn)
    blob = _blob_type(conn)
    series_ids = sorted(ids)
    for day, pieces in sorted(_pieces(ranges, step).items()):
        columns: list[str] = []
        params: list[int] = []
        for _, first, count in pieces:
            for offset in (first, per_day + first):  # the good slice, then the total slice
                columns.append(
                    "substr(counts, CAST(1 + ? * itemsize AS INTEGER), "
                    "CAST(? * itemsize AS INTEGER))"
                )
                params.extend((offset, count))
        # One blob per row: the slices concatenated in SQL (a Python object per slice and row
        # cost more than the database's work).
        joined_sql = f"CAST({' || '.join(columns)} AS {blob})"
        limit = max(IN_LIMIT - len(params), 1)
        found: dict[int, tuple[list[int], list[bytes]]] = {}
        for part in batched(series_ids, limit):
            sql = (
                f"SELECT series_id, itemsize, {joined_sql}, length(counts), "
                f"CAST(substr(counts, length(counts) - 2, 3) AS {blob}) FROM bucket_chunks "
                f"WHERE day = ? AND series_id IN ({', '.join('?' * len(part))})"
            )
            for series_id, itemsize, data, size, tail in run(sql, [*params, day, *part]):
                if len(data) != 2 * sum(c for _, _, c in pieces) * int(itemsize):
                    note_unread(unread, int(series_id), day)  # a day of sums only: refused
                    continue
                if int(size) % 2 and not _exact(
                    int.from_bytes(bytes(tail), "little"),
                    day,
                    pieces,
                    per_day=per_day,
                    step=step,
                    whole=whole,
                    need=need,
                    until=until,
                ):
                    note_unread(unread, int(series_id), day)  # a cut hour of sums: refused
                    continue
                out_rows, blobs = found.setdefault(int(itemsize), ([], []))
                out_rows.append(ids[int(series_id)])
                blobs.append(data)
        width = 2 * sum(count for _, _, count in pieces)
        for itemsize, (out_rows, blobs) in found.items():
            dtype = counts_type(itemsize)
            where = np.asarray(out_rows, dtype=np.intp)
            values = np.frombuffer(b"".join(blobs), dtype=dtype).reshape(len(out_rows), width)
            yield day, pieces, where, values


def _exact(
    mask: int,
    day: int,
    pieces: Sequence[tuple[int, int, int]],
    *,
    per_day: int,
    step: int,
    whole: bool,
    need: Sequence[int] | None,
    until: list[int] | None,
) -> bool:
    """Whether a row of hour pieces (``mask``) answers ``pieces`` of ``day`` exactly; with
    ``until``, lower each range's end of real minutes to this row's."""
    for index, first, count in pieces:
        if not whole:
            if not hour_pieces.sums_exact(mask, first, first + count, per_day):
                return False
            continue
        stop = first + count
        if need is not None:
            stop = min(stop, max(first, (need[index] - day) // step))
        if not hour_pieces.buckets_exact(mask, first, stop, per_day):
            return False
        real = hour_pieces.real_until(mask, first, per_day)
        if until is not None and real < per_day:  # else real up to the day's end, and on
            until[index] = min(until[index], day + real * step)
    return True


def _blob_type(conn: Any) -> str:
    """The binary type to cast a concatenation back to (SQLite's ``||`` yields text)."""
    if isinstance(conn, sqlite3.Connection):
        return "BLOB"
    bind = conn if hasattr(conn, "dialect") else conn.connection()
    return "BYTEA" if bind.dialect.name == "postgresql" else "BLOB"
