"""Days stored as hour pieces (``store.hour_pieces``): every reader gives the exact answer the
day's true minutes give, or refuses — never a wrong number — on both backends.

The reference here is the day's true minute counts (random, some hours without events) and a
brute-force rule written from the definition: a range's sum is known when every summed hour
with events that it overlaps lies wholly inside it; its buckets when it overlaps none.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sqlalchemy.engine import Engine

from covenant.errors import DaySumsOnlyError
from covenant.store import buckets
from covenant.store.bucket_ranges import Range, replace_ranges
from covenant.store.chunk_reads import read_edge_counts, read_matrix, series_extent
from covenant.store.day_sums import HourSums, hour_sum_days, refuse_day_sums, write_hour_sums
from covenant.store.db import write_transaction
from covenant.store.range_sums import read_range_buckets, read_range_sums

DAY, HOUR = 86400, 3600
T0 = 1_790_000_000 - 1_790_000_000 % DAY
D = T0 + DAY  # the day of hour pieces; T0 and D + DAY hold plain minutes


def _truth(rng: np.random.Generator) -> tuple[Any, Any]:
    total = rng.integers(0, 400, size=1440)
    total[rng.integers(0, 24, size=3)[:, None] * 60 + np.arange(60)] = 0  # hours without events
    good = rng.integers(0, total + 1)
    return good.astype(np.int64), total.astype(np.int64)


def _pieces(good: Any, total: Any, mask: int) -> HourSums:
    g, t = good.copy(), total.copy()
    for h in range(24):
        if not mask >> h & 1:
            hour = slice(h * 60, h * 60 + 60)
            sg, st = int(g[hour].sum()), int(t[hour].sum())
            g[hour], t[hour] = 0, 0
            g[h * 60], t[h * 60] = sg, st
    return HourSums(0, D, g, t, mask)


def _summed(total: Any, mask: int) -> list[int]:
    """Hours whose minutes are not stored: summed and with events."""
    return [h for h in range(24) if not mask >> h & 1 and total[h * 60 : h * 60 + 60].any()]


def _sum_known(total: Any, mask: int, lo: int, hi: int) -> bool:
    for h in _summed(total, mask):
        a, b = D + h * HOUR, D + (h + 1) * HOUR
        if a < hi and lo < b and not (lo <= a and b <= hi):
            return False
    return True


def _buckets_known(total: Any, mask: int, lo: int, hi: int) -> bool:
    hours = _summed(total, mask)
    return lo >= hi or not any(D + h * HOUR < hi and lo < D + (h + 1) * HOUR for h in hours)


def _attempt(read: Any, *args: Any, **kwargs: Any) -> tuple[Any, DaySumsOnlyError | None]:
    try:
        return read(*args, **kwargs), None
    except DaySumsOnlyError as exc:
        return None, exc


def _store(engine: Engine, good: Any, total: Any, mask: int) -> int:
    with write_transaction(engine) as conn:
        sid = buckets.ensure_series(conn, keys=["s"])["s"]
        ones = np.ones(1440, dtype=np.int64)
        replace_ranges(conn, [Range(sid, T0, ones, 2 * ones), Range(sid, D + DAY, ones, ones)])
        write_hour_sums(conn, [_pieces(good, total, mask)._replace(series_id=sid)])
    return sid


def _minute(rng: np.random.Generator, lo: int, hi: int) -> int:
    """A random minute in ``[lo, hi]``, often an hour boundary."""
    if rng.random() < 0.3:
        return min(max(int(rng.integers(lo // HOUR, hi // HOUR + 1)) * HOUR, lo), hi)
    return int(rng.integers(lo // 60, hi // 60 + 1)) * 60


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_readers_give_the_true_minutes_answer_or_refuse(engine: Engine, seed: int) -> None:
    rng = np.random.default_rng(seed)
    good, total = _truth(rng)
    mask = int(rng.integers(0, 1 << 24))
    sid = _store(engine, good, total, mask)
    # the true minutes of the three days (T0: 1 of 2 a minute; D + DAY: 1 of 1)
    true_g = np.concatenate([np.ones(1440), good, np.ones(1440)]).astype(np.int64)
    true_t = np.concatenate([2 * np.ones(1440), total, np.ones(1440)]).astype(np.int64)
    refused = answered = 0
    with engine.connect() as conn:
        stored = hour_sum_days(conn, series_ids=[sid], days=[T0, D, D + DAY])
        assert set(stored) <= {(sid, D)}
        kept = stored.get((sid, D), (1 << 24) - 1)  # hours without events are minutes (zeros)
        assert [h for h in range(24) if not kept >> h & 1] == _summed(total, mask)
        for _ in range(60):
            lo, hi = sorted((_minute(rng, T0, D + 2 * DAY), _minute(rng, T0, D + 2 * DAY)))
            a, b = (lo - T0) // 60, (hi - T0) // 60
            sum_ok = _sum_known(total, mask, lo, hi)
            bucket_ok = _buckets_known(total, mask, lo, hi)
            found, error = _attempt(read_range_sums, conn, ids={sid: 0}, ranges=[(lo, hi)], rows=1)
            assert (error is None) == sum_ok, (lo - D, hi - D)
            if error is None:
                g, t = found
                assert (int(g[0, 0]), int(t[0, 0])) == (true_g[a:b].sum(), true_t[a:b].sum())
                answered += 1
            else:
                assert error.needed == ((sid, D),)
                refused += 1
            # cumulative counts at both edges: their difference is the range's sum
            unread: dict[int, set[int]] = {}
            edges = read_edge_counts(conn, keys=["s"], edges=[lo, hi], unread=unread)
            edge_ok = _sum_known(total, mask, T0, lo) and _sum_known(total, mask, T0, hi)
            assert (not unread) == edge_ok
            if edge_ok:
                z = a - a % 1440  # counts are cumulative from the first edge's day
                assert edges.total[0].tolist()[-1] == true_t[z:b].sum()
                assert edges.good[0].tolist()[-1] == true_g[z:b].sum()
                assert edges.total[0].tolist()[0] == true_t[z:a].sum()
            else:
                assert unread == {sid: {D}}
            m, error = _attempt(read_matrix, conn, keys=["s"], start=lo, end=hi)
            assert (error is None) == bucket_ok
            if m is not None:
                assert m.total[0].tolist() == true_t[a:b].tolist()
                assert m.good[0].tolist() == true_g[a:b].tolist()
            _, error = _attempt(refuse_day_sums, conn, keys=["s"], start=lo, end=hi)
            assert (error is None) == bucket_ok
            # buckets read ahead: only [lo, need) must be minutes; ``until`` says where they stop
            need = _minute(rng, lo, hi)
            until: list[int] = []
            found, error = _attempt(
                read_range_buckets,
                conn,
                ids={sid: 0},
                ranges=[(lo, hi)],
                rows=1,
                need=[need],
                until=until,
            )
            assert (error is None) == _buckets_known(total, mask, lo, need)
            if found is not None:
                ((bg, bt),) = found
                assert need <= until[0] <= hi
                assert _buckets_known(total, mask, lo, until[0])
                assert until[0] == hi or not _buckets_known(total, mask, lo, until[0] + 60)
                n = (until[0] - lo) // 60
                assert bt[0, :n].tolist() == true_t[a : a + n].tolist()
                assert bg[0, :n].tolist() == true_g[a : a + n].tolist()
        lo_hi = series_extent(conn, keys=["s"])["s"]
        assert lo_hi == (T0, D + 2 * DAY)
    assert refused  # both outcomes were met
    assert answered


def test_writes_turn_wholly_written_hours_into_minutes_and_keep_the_rest(engine: Engine) -> None:
    rng = np.random.default_rng(9)
    good, total = _truth(rng)
    total[:60] += 1  # hours 0 and 5 have events, and are summed
    total[300:360] += 1
    total[420:480] += 1
    mask = ((1 << 24) - 1) & ~1 & ~(1 << 5) & ~(1 << 7)
    sid = _store(engine, good, total, mask)
    new_g, new_t = np.full(1440, 2, dtype=np.int64), np.full(1440, 3, dtype=np.int64)
    with write_transaction(engine) as conn:  # all of hour 0, half of hour 5, hour 8 (minutes)
        replace_ranges(
            conn,
            [
                Range(sid, D, new_g[:60], new_t[:60]),
                Range(sid, D + 5 * HOUR, new_g[:30], new_t[:30]),
                Range(sid, D + 8 * HOUR, new_g[:60], new_t[:60]),
            ],
            sums="replace",  # other counts than hour 0's sums (the check: test_kept_sums.py)
        )
    want_g, want_t = good.copy(), total.copy()
    want_g[:60], want_t[:60] = 2, 3
    want_g[480:540], want_t[480:540] = 2, 3  # hour 5 keeps its true sums, not the half written
    still = ((1 << 24) - 1) & ~(1 << 5) & ~(1 << 7)
    with engine.connect() as conn:
        stored = hour_sum_days(conn, series_ids=[sid], days=[D])
        assert stored == {(sid, D): still}
        edges = read_edge_counts(conn, keys=["s"], edges=[D, D + DAY])
        assert int(edges.total[0, 1] - edges.total[0, 0]) == int(want_t.sum())
        assert int(edges.good[0, 1] - edges.good[0, 0]) == int(want_g.sum())
        m = read_matrix(conn, keys=["s"], start=D, end=D + 5 * HOUR)
        assert m.total[0].tolist() == want_t[:300].tolist()
        with pytest.raises(DaySumsOnlyError):
            read_matrix(conn, keys=["s"], start=D, end=D + 6 * HOUR)
    with write_transaction(engine) as conn:  # every minute: a plain minute chunk again
        replace_ranges(conn, [Range(sid, D, new_g, new_t)], sums="replace")
    with engine.connect() as conn:
        assert hour_sum_days(conn, series_ids=[sid], days=[D]) == {}
        m = read_matrix(conn, keys=["s"], start=D, end=D + DAY)
        assert m.total[0].tolist() == new_t.tolist()


def test_adding_events_to_a_day_of_hour_pieces_is_refused(engine: Engine) -> None:
    good, total = _truth(np.random.default_rng(4))
    total[:60] += 1
    sid = _store(engine, good, total, ((1 << 24) - 1) & ~1)
    with write_transaction(engine) as conn, pytest.raises(DaySumsOnlyError):
        buckets.add_counts(
            conn,
            series_ids=np.asarray([sid]),
            bucket_starts=np.asarray([D + 600]),
            good=np.asarray([1]),
            total=np.asarray([1]),
        )
