"""``read_range_sums`` (the worker's minute reads) against sums of the buckets as written.

Random minute counts for a few series over three UTC days — one series with counts past 255
and one past 65,535 on some days, so day chunks of one read hold different item sizes — and
ranges that are one bucket, cross a day, span a whole day, or are empty; on SQLite and
PostgreSQL (both concatenate the slices in SQL). The expected sums are numpy sums of the arrays
the test wrote.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy.engine import Engine

from covenant.store.buckets import add_counts, ensure_series
from covenant.store.db import write_transaction
from covenant.store.range_sums import read_range_buckets, read_range_sums

STEP = 60
DAY = 86400
T0 = 1_790_000_000 - 1_790_000_000 % DAY  # a UTC midnight


def test_range_sums_equal_the_written_buckets(engine: Engine) -> None:
    rng = np.random.default_rng(5)
    keys = ["a", "b", "c", "d"]
    n = 3 * DAY // STEP
    total = rng.integers(0, 30, (len(keys), n))
    total[1, : DAY // STEP] += 300  # day 0 of "b" in two-byte items
    total[2, DAY // STEP : 2 * DAY // STEP] += 70_000  # day 1 of "c" in four-byte items
    total[3, 2 * DAY // STEP :] = 0  # "d" has nothing on day 2
    good = total - rng.integers(0, 2, total.shape) * np.minimum(total, 3)
    starts = T0 + STEP * np.arange(n)
    with write_transaction(engine) as conn:
        ids = ensure_series(conn, keys=keys, step=STEP)
        for i, key in enumerate(keys):
            keep = total[i] > 0
            add_counts(
                conn,
                series_ids=np.full(int(keep.sum()), ids[key]),
                bucket_starts=starts[keep],
                good=good[i][keep],
                total=total[i][keep],
                step=STEP,
            )
    ranges = [
        (T0 + 60, T0 + 120),  # one bucket
        (T0 + DAY - 600, T0 + DAY + 600),  # across midnight
        (T0 + DAY, T0 + 2 * DAY),  # a whole day
        (T0 + 5 * 60, T0 + 5 * 60),  # empty
        (T0 + 2 * DAY + 3600, T0 + 3 * DAY),  # to the end
        (T0 + 100 * 60, T0 + 2 * DAY + 7 * 60),  # three days
    ]
    rows = {ids[k]: i for i, k in enumerate(keys)}
    with engine.connect() as conn:
        got_good, got_total = read_range_sums(conn, ids=rows, ranges=ranges, rows=4, step=STEP)
        buckets = read_range_buckets(conn, ids=rows, ranges=ranges, rows=4, step=STEP)
    for j, (lo, hi) in enumerate(ranges):
        a, b = (lo - T0) // STEP, (hi - T0) // STEP
        assert got_total[:, j].tolist() == total[:, a:b].sum(axis=1).tolist()
        assert got_good[:, j].tolist() == good[:, a:b].sum(axis=1).tolist()
        # every bucket, not only the sums (the worker's read-ahead of past days)
        assert buckets[j][0].tolist() == good[:, a:b].tolist()
        assert buckets[j][1].tolist() == total[:, a:b].tolist()
