"""The bucket write journal: which series got data where, for the worker's incremental tick.

Every writer of ``bucket_chunks`` (``buckets.add_counts``, ``buckets.add_chunks``,
``bucket_ranges.replace_range``) calls :func:`note_writes` in its own transaction with the range
of buckets it touched per series, so a journal row is committed exactly when its data is. The
worker reads the rows in the same snapshot as the buckets it sums (``read_writes``): a row whose
range starts before what the worker has already summed is late data, and the worker re-reads
that series in full. It then deletes the rows it read, by ``seq`` (``forget_writes``): a row
committed later, even with a smaller ``seq`` (PostgreSQL hands out sequence values before
commit), is still there for the next tick.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from covenant.core.series import unique_sorted
from covenant.store.chunk_reads import query_of, run_many

TABLE = "bucket_writes"  # store.worker_tables.bucket_writes (plain SQL: no SQLAlchemy here)

Int64Array = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class BucketWrite:
    seq: int
    series_id: int
    lo: int  # epoch seconds: the first bucket written starts here
    hi: int  # the last bucket written ends here


def note_writes(
    conn: Any,
    *,
    series_ids: npt.ArrayLike,
    lo: npt.ArrayLike,
    hi: npt.ArrayLike,
) -> None:
    """Journal one write per entry (``series_ids[i]`` got buckets in ``[lo[i], hi[i])``);
    entries of one series are merged into one row covering them all."""
    sid = np.asarray(series_ids, dtype=np.int64)
    if not sid.size:
        return
    start = np.asarray(lo, dtype=np.int64)
    end = np.asarray(hi, dtype=np.int64)
    ids, inverse = np.unique(sid, return_inverse=True)
    first = np.full(ids.size, np.iinfo(np.int64).max, dtype=np.int64)
    last = np.full(ids.size, np.iinfo(np.int64).min, dtype=np.int64)
    np.minimum.at(first, inverse, start)
    np.maximum.at(last, inverse, end)
    rows = list(zip(ids.tolist(), first.tolist(), last.tolist(), strict=True))
    run_many(conn, f"INSERT INTO {TABLE} (series_id, lo, hi) VALUES (?, ?, ?)", rows)


def read_writes(conn: Any) -> list[BucketWrite]:
    """Every journalled write (any connection ``chunk_reads.query_of`` takes)."""
    run = query_of(conn)
    rows = run(f"SELECT seq, series_id, lo, hi FROM {TABLE} ORDER BY seq", [])
    return [BucketWrite(int(s), int(i), int(a), int(b)) for s, i, a, b in rows]


def read_journal(conn: Any) -> tuple[Int64Array, Int64Array, Int64Array]:
    """Every journalled write as arrays ``(seq, series_id, lo)``, by ``seq`` (``read_writes``
    without a Python object per row: the worker reads one row per series every minute)."""
    run = query_of(conn)
    rows = run(f"SELECT seq, series_id, lo FROM {TABLE} ORDER BY seq", [])
    table = np.array([tuple(r) for r in rows], dtype=np.int64).reshape(-1, 3)
    return table[:, 0].copy(), table[:, 1].copy(), table[:, 2].copy()


def forget_writes(conn: Any, seqs: Sequence[int]) -> int:
    """Delete the journal rows ``seqs`` (read earlier); return how many were deleted.

    Runs of consecutive ``seqs`` are deleted by range: every ``seq`` of such a run was read, so
    no row committed later (``seq`` is unique) falls inside one."""
    raw = conn if hasattr(conn, "exec_driver_sql") else conn.connection()
    mark = "?" if raw.dialect.paramstyle == "qmark" else "%s"
    ordered = unique_sorted(np.asarray(seqs, dtype=np.int64))
    if not ordered.size:
        return 0
    cut = np.flatnonzero(np.diff(ordered) != 1)
    lows = ordered[np.concatenate(([0], cut + 1))].tolist()
    highs = ordered[np.concatenate((cut, [ordered.size - 1]))].tolist()
    deleted = 0
    sql = f"DELETE FROM {TABLE} WHERE seq >= {mark} AND seq <= {mark}"
    for low, high in zip(lows, highs, strict=True):
        result = raw.exec_driver_sql(sql, (low, high))
        deleted += int(result.rowcount or 0)
    return deleted
