"""Reading day chunks: dense bucket matrices, cumulative counts at window edges, extents.

Written once, in plain SQL through the DB-API, so the same code reads through a SQLAlchemy
connection or ORM session (any dialect: ``buckets.read_matrix`` … are these functions) and
through a plain ``sqlite3`` connection (``store.sqlite_reader``: ``covenant evaluate`` on the
embedded store without loading SQLAlchemy, a large part of its start-up). SQL here uses
``?`` placeholders; they become ``%s`` for drivers that want them (psycopg).

Storage layout (``docs/adr/0002-bucket-store.md``): one ``bucket_chunks`` row per series per
UTC day; its blob is the day's ``good`` array then its ``total`` array, ``86400 / step``
buckets each, little-endian, in the smallest unsigned dtype that holds the day's largest count.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from covenant.core.series import BucketMatrix, EdgeCounts, unique_sorted
from covenant.errors import InputError, StoreError
from covenant.store import hour_pieces

DAY = 86400
IN_LIMIT = 900  # bound parameters per IN list (SQLite allows 32766; stay well below)

Query = Callable[[str, Sequence[Any]], list[Any]]
"""Runs one SELECT with ``?`` placeholders and returns its rows."""


def query_of(conn: Any) -> Query:
    """A :data:`Query` on ``conn``: a ``sqlite3.Connection``, a SQLAlchemy ``Connection`` or
    an ORM ``Session`` (its connection, inside its transaction)."""
    if isinstance(conn, sqlite3.Connection):
        return lambda sql, params: conn.execute(sql, tuple(params)).fetchall()
    bind = conn if hasattr(conn, "exec_driver_sql") else conn.connection()
    if bind.dialect.paramstyle in ("format", "pyformat"):
        return lambda sql, params: bind.exec_driver_sql(
            sql.replace("?", "%s"), tuple(params)
        ).fetchall()
    if bind.dialect.paramstyle != "qmark":  # pragma: no cover - SQLite and psycopg only
        raise StoreError(f"unsupported database driver {bind.dialect.driver}")
    return lambda sql, params: bind.exec_driver_sql(sql, tuple(params)).fetchall()


def run_many(conn: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run one statement (``?`` marks) for each row, on any connection ``query_of`` takes."""
    if not rows:
        return
    if isinstance(conn, sqlite3.Connection):
        conn.executemany(sql, [tuple(r) for r in rows])
        return
    bind = conn if hasattr(conn, "exec_driver_sql") else conn.connection()
    if bind.dialect.paramstyle in ("format", "pyformat"):
        sql = sql.replace("?", "%s")
    bind.exec_driver_sql(sql, [tuple(r) for r in rows])


def dialect_of(conn: Any) -> str:
    """``sqlite`` or ``postgresql`` for any connection ``query_of`` takes."""
    if isinstance(conn, sqlite3.Connection):
        return "sqlite"
    bind = conn if hasattr(conn, "exec_driver_sql") else conn.get_bind()
    return str(bind.dialect.name)


def buckets_per_day(step: int) -> int:
    """Buckets in one UTC day chunk; the step must divide a day."""
    if step <= 0 or DAY % step:
        raise InputError(
            f"bucket step {step}s does not divide a day",
            hint="use a step such as 60, 300 or 3600 seconds",
        )
    return DAY // step


def batched(items: Sequence[Any], size: int = IN_LIMIT) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def series_rows(conn: Any, keys: Sequence[str]) -> dict[str, tuple[int, int]]:
    """``key → (id, step)`` of the stored series among ``keys``."""
    run = query_of(conn)
    found: dict[str, tuple[int, int]] = {}
    for part in batched(list(keys)):
        sql = f"SELECT key, id, step_s FROM series WHERE key IN ({_marks(len(part))})"
        for key, id_, step in run(sql, part):
            found[str(key)] = (int(id_), int(step))
    return found


def check_step(found: dict[str, tuple[int, int]], step: int) -> None:
    wrong = sorted(key for key, (_, s) in found.items() if s != step)
    if wrong:
        raise StoreError(
            f"series {', '.join(wrong[:5])} are stored with a step other than {step}s",
            hint="read and write a series with the step it was created with",
        )


def counts_type(itemsize: int) -> np.dtype[Any]:
    """The stored counts' type: unsigned little-endian integers of 1, 2, 4 or 8 bytes."""
    if itemsize not in (1, 2, 4, 8):
        raise StoreError(
            f"stored day chunks say their counts are {itemsize}-byte integers, which Covenant "
            "never writes",
            hint="the store is damaged or was edited: restore it from a backup, or ingest the "
            "series again into a new store",
        )
    return np.dtype(f"<u{itemsize}")


def decode_chunk(
    blob: bytes, itemsize: int, per_day: int, *, series_id: int = 0, day: int = 0
) -> npt.NDArray[np.unsignedinteger[Any]]:
    if hour_pieces.is_partial(blob):  # hour sums: a reader of every minute refuses it
        from covenant.store.day_sums import refused  # noqa: PLC0415

        raise refused(series_id, day)
    data = np.frombuffer(blob, dtype=counts_type(itemsize))
    if data.size != 2 * per_day:
        _refuse_day_sums([blob], [itemsize], [series_id], [day])
        raise StoreError(
            f"a stored day chunk holds {data.size} values, expected {2 * per_day}",
            hint="the series was written with another step; the store may be corrupt",
        )
    return data.reshape(2, per_day)


def _refuse_day_sums(
    blobs: Sequence[bytes], itemsizes: Sequence[int], ids: Sequence[int], days: Sequence[int]
) -> None:
    """Raise for the first chunk that holds only its day's sums (``store.day_sums``): a reader
    that needs minutes never reads them as zeros or spreads them."""
    from covenant.store.day_sums import is_day_sum, refused  # noqa: PLC0415

    for blob, size, series_id, day in zip(blobs, itemsizes, ids, days, strict=True):
        if is_day_sum(blob, size):
            raise refused(series_id, day)


def _sums_only(blob: Any, itemsize: Any) -> bool:
    """A day-sum chunk (``store.day_sums.is_day_sum``; not imported: that module imports this)."""
    return int(itemsize) == 8 and len(blob) == 16


def _left_out(sums_only: Sequence[tuple[int, int]], unread: dict[int, set[int]] | None) -> None:
    """Refuse the day-sum chunks a reader met (all of them named), or name them in ``unread``."""
    if not sums_only:
        return
    if unread is None:
        from covenant.store.day_sums import refused  # noqa: PLC0415

        raise refused(*sums_only[0], *sums_only[1:])
    for series_id, day in sums_only:
        unread.setdefault(series_id, set()).add(day)


def _decode_all(
    blobs: list[bytes],
    itemsize: int,
    per_day: int,
    *,
    ids: Sequence[int] = (),
    days: Sequence[int] = (),
) -> npt.NDArray[Any]:
    data = np.frombuffer(b"".join(blobs), dtype=counts_type(itemsize))
    if data.size != len(blobs) * 2 * per_day:
        if len(ids) == len(blobs) and len(days) == len(blobs):
            _refuse_day_sums(blobs, [itemsize] * len(blobs), ids, days)
        raise StoreError(
            "stored day chunks have an unexpected size",
            hint="the series was written with another step; the store may be corrupt",
        )
    return data.reshape(len(blobs), 2, per_day)


def read_matrix(
    conn: Any,
    *,
    keys: Sequence[str],
    start: int,
    end: int,
    step: int = 60,
    unread: dict[int, set[int]] | None = None,
) -> BucketMatrix:
    """Dense counts of ``keys`` over ``[start, end)``; missing chunks and unknown keys are zeros.

    ``start`` and ``end`` are epoch seconds aligned to ``step``. The returned arrays may be
    views into a slightly larger day-aligned buffer (no copy is made to trim them). A day
    stored as its sums only (``store.day_sums``) is refused with every such day in range
    (``DaySumsOnlyError.needed``); with ``unread`` it is left as zeros and named there.
    """
    per_day = buckets_per_day(step)
    if start % step or end % step:
        raise InputError(f"start and end must be aligned to the step {step}s")
    if end < start:
        raise InputError(f"end {end} is before start {start}")
    names = tuple(keys)
    if len(set(names)) != len(names):
        raise InputError("read_matrix keys must be unique")
    run = query_of(conn)
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
    sums_only: list[tuple[int, int]] = []
    for part in batched(sorted(row_of)):
        sql = (
            "SELECT series_id, day, itemsize, counts FROM bucket_chunks "
            f"WHERE series_id IN ({_marks(len(part))}) AND day >= ? AND day < ?"
        )
        for series_id, day, itemsize, stored in run(sql, [*part, day0, day1]):
            blob = stored
            if _sums_only(blob, itemsize):
                sums_only.append((int(series_id), int(day)))
                continue
            if hour_pieces.is_partial(blob):  # exact only if [start, end) has no hour sums
                blob, mask = hour_pieces.split(blob)
                lo = max(start - int(day), 0) // step
                hi = min(end - int(day), DAY) // step
                if not hour_pieces.buckets_exact(mask, lo, hi, per_day):
                    sums_only.append((int(series_id), int(day)))
                    continue
            rows, cols, blobs = by_size.setdefault(int(itemsize), ([], [], []))
            rows.append(row_of[int(series_id)])
            cols.append((int(day) - day0) // DAY)
            blobs.append(bytes(blob))
    _left_out(sums_only, unread)
    id_of = {row: series_id for series_id, row in row_of.items()}
    for itemsize, (rows, cols, blobs) in by_size.items():
        chunks = _decode_all(
            blobs,
            itemsize,
            per_day,
            ids=[id_of[r] for r in rows],
            days=[day0 + c * DAY for c in cols],
        )
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
    conn: Any,
    *,
    keys: Sequence[str],
    edges: Sequence[int],
    step: int = 60,
    unread: dict[int, set[int]] | None = None,
) -> EdgeCounts:
    """Cumulative counts of ``keys`` at ``edges`` (epoch seconds aligned to ``step``).

    Whole days between edges are summed by the database from each chunk's stored day sums;
    only the day chunks an edge falls inside are read and decoded. Unknown keys count zero.
    A day an edge cuts that holds its sums only is refused (or, with ``unread``, its minutes
    count zero and it is named there: as ``read_matrix``).
    """
    per_day = buckets_per_day(step)
    at = unique_sorted(list(edges))
    if np.any(at % step):
        raise InputError(f"edges must be aligned to the step {step}s")
    names = tuple(keys)
    if len(set(names)) != len(names):
        raise InputError("read_edge_counts keys must be unique")
    good = np.zeros((len(names), at.size), dtype=np.int64)
    total = np.zeros((len(names), at.size), dtype=np.int64)
    run = query_of(conn)
    found = series_rows(conn, names)
    check_step(found, step)
    row_of = {found[key][0]: i for i, key in enumerate(names) if key in found}
    if at.size and row_of:
        edge_day = at - at % DAY
        days = unique_sorted(edge_day)  # sum whole days [days[i], days[i + 1]) in the database
        day_good = np.zeros((len(names), days.size), dtype=np.int64)
        day_total = np.zeros((len(names), days.size), dtype=np.int64)
        ids = sorted(row_of)
        if days.size > 1:
            bounds = [int(d) for d in days[1:-1]]
            # segment i + 1 holds the days before bounds[i]; the last one the rest
            whens = " ".join(f"WHEN day < ? THEN {i + 1}" for i in range(len(bounds)))
            segment = f"CASE {whens} ELSE {len(bounds) + 1} END" if bounds else "1"
            for part in batched(ids, max(IN_LIMIT - len(bounds), 1)):
                sql = (
                    f"SELECT series_id, {segment}, SUM(good_sum), SUM(total_sum) "
                    f"FROM bucket_chunks WHERE series_id IN ({_marks(len(part))}) "
                    "AND day >= ? AND day < ? GROUP BY 1, 2"
                )
                params = [*bounds, *part, int(days[0]), int(days[-1])]
                for series_id, seg, g, t in run(sql, params):
                    day_good[row_of[int(series_id)], int(seg)] = int(g)
                    day_total[row_of[int(series_id)], int(seg)] = int(t)
            np.cumsum(day_good, axis=1, out=day_good)
            np.cumsum(day_total, axis=1, out=day_total)
        column = np.searchsorted(days, edge_day)
        good[:] = day_good[:, column]
        total[:] = day_total[:, column]
        slot = (at - edge_day) // step
        inside = [int(d) for d in unique_sorted(edge_day[slot > 0])]  # days an edge cuts: decode
        by_size: dict[int, tuple[list[int], list[int], list[bytes]]] = {}
        sums_only: list[tuple[int, int]] = []
        for part in batched(ids if inside else [], max(IN_LIMIT - len(inside), 1)):
            sql = (
                "SELECT series_id, day, itemsize, counts FROM bucket_chunks "
                f"WHERE series_id IN ({_marks(len(part))}) AND day IN ({_marks(len(inside))})"
            )
            for series_id, day, itemsize, stored in run(sql, [*part, *inside]):
                blob = stored
                if _sums_only(blob, itemsize):
                    sums_only.append((int(series_id), int(day)))
                    continue
                if hour_pieces.is_partial(blob):  # exact if each edge's slots sum exactly
                    blob, mask = hour_pieces.split(blob)
                    cuts = slot[(edge_day == int(day)) & (slot > 0)]
                    if not all(hour_pieces.sums_exact(mask, 0, int(c), per_day) for c in cuts):
                        sums_only.append((int(series_id), int(day)))
                        continue
                chunk_rows, chunk_days, blobs = by_size.setdefault(int(itemsize), ([], [], []))
                chunk_rows.append(row_of[int(series_id)])
                chunk_days.append(int(day))
                blobs.append(bytes(blob))
        _left_out(sums_only, unread)
        id_of = {row: series_id for series_id, row in row_of.items()}
        for itemsize, (chunk_rows, chunk_days, blobs) in by_size.items():
            decoded = _decode_all(
                blobs, itemsize, per_day, ids=[id_of[r] for r in chunk_rows], days=chunk_days
            )
            running = np.cumsum(decoded, axis=2, dtype=np.int64)
            r = np.asarray(chunk_rows, dtype=np.intp)
            d = np.asarray(chunk_days, dtype=np.int64)
            for day in inside:  # buckets [0, slot) of the day an edge cuts
                j = np.flatnonzero((edge_day == day) & (slot > 0))
                mine = np.flatnonzero(d == day)
                picked = running[mine][:, :, slot[j] - 1]
                good[r[mine][:, None], j[None, :]] += picked[:, 0, :]
                total[r[mine][:, None], j[None, :]] += picked[:, 1, :]
    return EdgeCounts(keys=names, step=step, edges=at, good=good, total=total)


def series_extent(conn: Any, *, keys: Sequence[str]) -> dict[str, tuple[int, int] | None]:
    """Per key, ``(first bucket start, last bucket end)`` of buckets with events, else None."""
    run = query_of(conn)
    found = series_rows(conn, list(dict.fromkeys(keys)))
    result: dict[str, tuple[int, int] | None] = dict.fromkeys(keys)
    key_of = {id_: key for key, (id_, _) in found.items()}
    step_of = {id_: step for _, (id_, step) in found.items()}
    ranges: dict[int, tuple[int, int]] = {}
    for part in batched(sorted(key_of)):
        sql = (
            "SELECT series_id, MIN(day), MAX(day) FROM bucket_chunks "
            f"WHERE series_id IN ({_marks(len(part))}) AND total_sum > 0 GROUP BY series_id"
        )
        for series_id, lo, hi in run(sql, part):
            ranges[int(series_id)] = (int(lo), int(hi))
    wanted = sorted({(s, d) for s, (lo, hi) in ranges.items() for d in (lo, hi)})
    totals: dict[tuple[int, int], npt.NDArray[np.unsignedinteger[Any]]] = {}
    for part in batched(wanted, IN_LIMIT // 2):
        pairs = " OR ".join(["(series_id = ? AND day = ?)"] * len(part))
        sql = f"SELECT series_id, day, itemsize, counts FROM bucket_chunks WHERE {pairs}"
        for series_id, day, itemsize, blob in run(sql, [v for pair in part for v in pair]):
            per_day = buckets_per_day(step_of[int(series_id)])
            if len(blob) == 16 and int(itemsize) == 8:  # a day of sums only (store.day_sums)
                totals[(int(series_id), int(day))] = np.ones(per_day, dtype=np.uint8)
                continue
            if hour_pieces.is_partial(blob):  # a summed hour with events: all of it may hold some
                body, mask = hour_pieces.split(blob)
                spread = decode_chunk(body, int(itemsize), per_day)[1].astype(np.int64)
                per_hour = per_day // hour_pieces.HOURS
                for h in hour_pieces.summed(mask):
                    spread[h * per_hour : (h + 1) * per_hour] = spread[h * per_hour]
                totals[(int(series_id), int(day))] = spread
                continue
            totals[(int(series_id), int(day))] = decode_chunk(bytes(blob), int(itemsize), per_day)[
                1
            ]
    for series_id, (lo, hi) in ranges.items():
        step = step_of[series_id]
        first_slot = int(np.flatnonzero(totals[(series_id, lo)])[0])
        last_slot = int(np.flatnonzero(totals[(series_id, hi)])[-1])
        result[key_of[series_id]] = (lo + first_slot * step, hi + (last_slot + 1) * step)
    return result
