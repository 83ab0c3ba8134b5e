"""A write of all the minutes of a day (or hour) stored as its exact sums replaces them only
when the minutes add up to exactly those sums (``sums="check"``, every read but ``covenant
ingest prometheus``); otherwise the row stays byte for byte and the span is listed with both
counts. ``sums="replace"`` writes them anyway and lists them as replaced. Both backends.

The stored sums and the minutes are written by hand: a day of 90 good / 100 total, an hour of
30 good / 40 total.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from covenant.store import buckets
from covenant.store.bucket_ranges import Range, SumsChange, replace_ranges
from covenant.store.chunk_reads import read_matrix
from covenant.store.day_sums import (
    DaySum,
    HourSums,
    day_sum_days,
    hour_sum_days,
    write_day_sums,
    write_hour_sums,
)
from covenant.store.db import write_transaction

DAY, HOUR = 86400, 3600
D = 1_790_000_000 - 1_790_000_000 % DAY  # a UTC day
ALL = (1 << 24) - 1


def _minutes(good: int, total: int, n: int = 1440) -> tuple[Any, Any]:
    """``n`` minutes: ``total`` of them with one event each, the first ``good`` of them good."""
    g, t = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    t[:total] = 1
    g[:good] = 1
    return g, t


def _row(engine: Engine, sid: int, day: int) -> tuple[Any, ...]:
    with engine.connect() as conn:
        found = conn.execute(
            text(
                "SELECT itemsize, counts, good_sum, total_sum FROM bucket_chunks "
                "WHERE series_id = :s AND day = :d"
            ),
            {"s": sid, "d": day},
        ).one()
    return (found[0], bytes(found[1]), found[2], found[3])


def _day_of_sums(engine: Engine) -> int:
    with write_transaction(engine) as conn:
        sid = buckets.ensure_series(conn, keys=["s"])["s"]
        write_day_sums(conn, [DaySum(sid, D, 90, 100)])
    return sid


@pytest.mark.parametrize(
    ("good", "total"), [(0, 0), (45, 50), (95, 110)], ids=["none", "fewer", "more"]
)
def test_minutes_that_do_not_add_up_keep_a_day_of_sums(
    engine: Engine, good: int, total: int
) -> None:
    sid = _day_of_sums(engine)
    before = _row(engine, sid, D)
    assert before == (8, np.asarray([90, 100], dtype="<u8").tobytes(), 90, 100)
    g, t = _minutes(good, total)
    changes: list[SumsChange] = []
    with write_transaction(engine) as conn:
        replace_ranges(conn, [Range(sid, D, g, t)], changes=changes)
    assert changes == [SumsChange(sid, D, DAY, 90, 100, good, total, kept=True)]
    assert _row(engine, sid, D) == before


def test_minutes_that_add_up_replace_a_day_of_sums(engine: Engine) -> None:
    sid = _day_of_sums(engine)
    g, t = _minutes(90, 100)
    changes: list[SumsChange] = []
    with write_transaction(engine) as conn:  # in two parts of one write
        replace_ranges(
            conn,
            [Range(sid, D, g[:700], t[:700]), Range(sid, D + 700 * 60, g[700:], t[700:])],
            changes=changes,
        )
    assert changes == []
    with engine.connect() as conn:
        assert day_sum_days(conn, series_ids=[sid], before=D + DAY) == {}
        m = read_matrix(conn, keys=["s"], start=D, end=D + DAY)
    assert m.total[0].tolist() == [1] * 100 + [0] * 1340
    assert m.good[0].tolist() == [1] * 90 + [0] * 1350


def test_an_explicit_replace_writes_other_counts_and_names_them(engine: Engine) -> None:
    sid = _day_of_sums(engine)
    g, t = _minutes(45, 50)
    changes: list[SumsChange] = []
    with write_transaction(engine) as conn:
        replace_ranges(conn, [Range(sid, D, g, t)], sums="replace", changes=changes)
    assert changes == [SumsChange(sid, D, DAY, 90, 100, 45, 50, kept=False)]
    assert _row(engine, sid, D)[2:] == (45, 50)
    with write_transaction(engine) as conn:  # no events at all: the day is deleted
        sid2 = buckets.ensure_series(conn, keys=["s2"])["s2"]
        write_day_sums(conn, [DaySum(sid2, D, 90, 100)])
        replace_ranges(conn, [Range(sid2, D, *_minutes(0, 0))], sums="replace")
    with engine.connect() as conn:
        assert day_sum_days(conn, series_ids=[sid2], before=D + DAY) == {}
        found = conn.execute(
            text("SELECT count(*) FROM bucket_chunks WHERE series_id = :s"), {"s": sid2}
        )
        assert found.scalar_one() == 0


def _hour_pieces(engine: Engine) -> int:
    """Hour 2 real minutes (60 of 1/1), hour 5 summed (30 good / 40 total), the rest real
    minutes without events."""
    g, t = np.zeros(1440, dtype=np.int64), np.zeros(1440, dtype=np.int64)
    g[120:180], t[120:180] = 1, 1
    g[300], t[300] = 30, 40
    with write_transaction(engine) as conn:
        sid = buckets.ensure_series(conn, keys=["s"])["s"]
        write_hour_sums(conn, [HourSums(sid, D, g, t, ALL & ~(1 << 5))])
    return sid


@pytest.mark.parametrize(
    ("good", "total"), [(0, 0), (20, 25), (30, 41)], ids=["none", "fewer", "more"]
)
def test_minutes_that_do_not_add_up_keep_a_summed_hour(
    engine: Engine, good: int, total: int
) -> None:
    sid = _hour_pieces(engine)
    before = _row(engine, sid, D)
    assert before[2:] == (90, 100)  # hour 2's 60/60 and hour 5's 30/40
    g, t = _minutes(good, total, 60)
    changes: list[SumsChange] = []
    with write_transaction(engine) as conn:
        replace_ranges(conn, [Range(sid, D + 5 * HOUR, g, t)], changes=changes)
    assert changes == [SumsChange(sid, D + 5 * HOUR, HOUR, 30, 40, good, total, kept=True)]
    assert _row(engine, sid, D) == before
    with engine.connect() as conn:
        assert hour_sum_days(conn, series_ids=[sid], days=[D]) == {(sid, D): ALL & ~(1 << 5)}


def test_minutes_that_add_up_replace_a_summed_hour_and_others_still_write(
    engine: Engine,
) -> None:
    sid = _hour_pieces(engine)
    changes: list[SumsChange] = []
    with write_transaction(engine) as conn:  # hour 2 rewritten (2 events), hour 5 exact
        replace_ranges(
            conn,
            [
                Range(sid, D + 2 * HOUR, *_minutes(2, 2, 60)),
                Range(sid, D + 5 * HOUR, *_minutes(30, 40, 60)),
            ],
            changes=changes,
        )
    assert changes == []
    with engine.connect() as conn:
        assert hour_sum_days(conn, series_ids=[sid], days=[D]) == {}  # minutes only now
        m = read_matrix(conn, keys=["s"], start=D, end=D + DAY)
    assert int(m.total[0].sum()) == 42
    assert m.total[0, 300:360].tolist() == [1] * 40 + [0] * 20
    assert m.good[0, 300:360].tolist() == [1] * 30 + [0] * 30
    assert m.total[0, 120:180].tolist() == [1, 1] + [0] * 58


def test_a_kept_hour_keeps_its_sums_and_the_other_hours_are_written(engine: Engine) -> None:
    """A read of the day that fails on a summed hour keeps that hour's sums (30/40, still
    summed: the mask at the blob's end unchanged) and writes the hours it read in full: hour 2
    becomes the server's 2 events (not its 60), so the day holds 2 + 30 good of 2 + 40."""
    sid = _hour_pieces(engine)
    before = _row(engine, sid, D)
    changes: list[SumsChange] = []
    with write_transaction(engine) as conn:  # hour 2 rewritten (2 events), hour 5 empty
        replace_ranges(
            conn,
            [
                Range(sid, D + 2 * HOUR, *_minutes(2, 2, 60)),
                Range(sid, D + 5 * HOUR, *_minutes(0, 0, 60)),
                Range(sid, D + DAY, *_minutes(7, 9)),  # the next day: written
            ],
            changes=changes,
        )
    assert changes == [SumsChange(sid, D + 5 * HOUR, HOUR, 30, 40, 0, 0, kept=True)]
    after = _row(engine, sid, D)
    assert after[2:] == (32, 42)
    assert after[1][-3:] == before[1][-3:]  # hour 5 still summed
    assert _row(engine, sid, D + DAY)[2:] == (7, 9)
