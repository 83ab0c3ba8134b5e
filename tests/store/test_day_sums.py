"""Days stored as their sums only (a first read from Prometheus recordings): whole-day edge
counts read them, every reader that needs their minutes refuses them, and only a write of all
their minutes replaces them (when they add up to the sums, or when asked to replace them) — on
both backends (the ``engine`` fixture)."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy.engine import Engine

from covenant.errors import StoreError
from covenant.store import buckets
from covenant.store.bucket_ranges import Range, replace_ranges
from covenant.store.chunk_reads import read_edge_counts, series_extent
from covenant.store.day_sums import DaySum, day_sum_days, write_day_sums
from covenant.store.db import write_transaction
from covenant.store.range_sums import read_range_sums

DAY = 86400
T0 = 1_790_000_000 - 1_790_000_000 % DAY


def _setup(engine: Engine) -> int:
    with write_transaction(engine) as conn:
        sid = buckets.ensure_series(conn, keys=["s"])["s"]
        # minutes on day 0 and day 2, the sums of day 1 (10 good of 12)
        replace_ranges(
            conn,
            [
                Range(sid, T0, np.full(1440, 1), np.full(1440, 2)),
                Range(sid, T0 + 2 * DAY, np.full(1440, 3), np.full(1440, 3)),
            ],
        )
        write_day_sums(conn, [DaySum(sid, T0 + DAY, 10, 12)])
    return sid


def test_whole_days_read_the_sums_and_minute_readers_refuse_them(engine: Engine) -> None:
    sid = _setup(engine)
    with engine.connect() as conn:
        assert day_sum_days(conn, series_ids=[sid], before=T0 + 3 * DAY) == {sid: [T0 + DAY]}
        # edges on the day's boundaries and inside the minute days: day 1 counts as its sums
        edges = [T0 + 600, T0 + DAY, T0 + 2 * DAY, T0 + 2 * DAY + 600]
        counts = read_edge_counts(conn, keys=["s"], edges=edges)
        assert counts.good[0].tolist() == [10, 1440, 1450, 1480]
        assert counts.total[0].tolist() == [20, 2880, 2892, 2922]
        # an edge inside the day of sums needs its minutes: refused, never zeros
        with pytest.raises(StoreError, match="holds only its day's counts"):
            read_edge_counts(conn, keys=["s"], edges=[T0 + DAY + 600])
        with pytest.raises(StoreError, match="ingest prometheus --from"):
            buckets.read_matrix(conn, keys=["s"], start=T0, end=T0 + 3 * DAY)
        with pytest.raises(StoreError, match="holds only its day's counts"):
            read_range_sums(conn, ids={sid: 0}, ranges=[(T0 + DAY, T0 + DAY + 60)], rows=1)
        assert series_extent(conn, keys=["s"])["s"] == (T0, T0 + 3 * DAY)


def test_only_a_write_of_every_minute_replaces_a_day_of_sums(engine: Engine) -> None:
    sid = _setup(engine)
    with write_transaction(engine) as conn:  # a part of the day: the exact sums stay
        replace_ranges(conn, [Range(sid, T0 + DAY, np.full(60, 5), np.full(60, 5))])
    with engine.connect() as conn:
        assert day_sum_days(conn, series_ids=[sid], before=T0 + 3 * DAY) == {sid: [T0 + DAY]}
        counts = read_edge_counts(conn, keys=["s"], edges=[T0 + DAY, T0 + 2 * DAY])
        assert (counts.total[0][1] - counts.total[0][0]) == 12
    with write_transaction(engine) as conn:  # the whole day in two parts of one write (other
        # counts than its sums: replaced only when asked to, as ``ingest prometheus`` does;
        # tests/store/test_kept_sums.py has the check every other read makes)
        replace_ranges(
            conn,
            [
                Range(sid, T0 + DAY, np.full(720, 1), np.full(720, 1)),
                Range(sid, T0 + DAY + 720 * 60, np.zeros(720, dtype=np.int64), np.full(720, 1)),
            ],
            sums="replace",
        )
    with engine.connect() as conn:
        assert day_sum_days(conn, series_ids=[sid], before=T0 + 3 * DAY) == {}
        m = buckets.read_matrix(conn, keys=["s"], start=T0 + DAY, end=T0 + 2 * DAY)
        assert int(m.good.sum()) == 720
        assert int(m.total.sum()) == 1440
