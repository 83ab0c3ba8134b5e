"""Replacing a range of buckets (what a re-read of a metrics source writes), and the record of
how far each series was read — on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from sqlalchemy.engine import Engine

from covenant.store import buckets
from covenant.store.bucket_ranges import Range, replace_range, replace_ranges
from covenant.store.db import write_transaction
from covenant.store.source_reads import (
    read_states,
    record_error,
    record_read,
    record_reads,
    stale_reasons,
)

DAY = 86400
T0 = 1_790_000_000 - 1_790_000_000 % DAY
AT = datetime(2026, 12, 1, tzinfo=UTC)


def _matrix(engine: Engine, start: int, end: int) -> tuple[list[int], list[int]]:
    with engine.connect() as conn:
        m = buckets.read_matrix(conn, keys=["s"], start=start, end=end)
    return m.good[0].tolist(), m.total[0].tolist()


def test_a_range_is_set_not_added_and_the_rest_of_its_days_kept(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        sid = buckets.ensure_series(conn, keys=["s"])["s"]
        # events stored before, on both days the range will touch
        buckets.add_counts(
            conn,
            series_ids=[sid] * 4,
            bucket_starts=[T0 - 120, T0 - 60, T0, T0 + 60],
            good=[1, 1, 1, 1],
            total=[2, 2, 2, 2],
        )
    for _ in range(2):  # the same range twice: set, so the second changes nothing
        with write_transaction(engine) as conn:
            written = replace_range(
                conn,
                series_id=sid,
                start=T0 - 60,
                good=np.array([5, 0]),
                total=np.array([7, 0]),
            )
        assert written == 2  # the day before midnight and the day after
    assert _matrix(engine, T0 - 120, T0 + 120) == ([1, 5, 0, 1], [2, 7, 0, 2])
    with engine.connect() as conn:
        assert buckets.read_edge_counts(
            conn, keys=["s"], edges=np.array([T0 - DAY, T0, T0 + DAY])
        ).total[0].tolist() == [0, 9, 11]


def test_a_day_left_without_events_is_deleted(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        sid = buckets.ensure_series(conn, keys=["s"])["s"]
        replace_range(conn, series_id=sid, start=T0, good=np.array([1]), total=np.array([1]))
    with write_transaction(engine) as conn:
        replace_range(conn, series_id=sid, start=T0, good=np.array([0]), total=np.array([0]))
    with engine.connect() as conn:
        assert buckets.series_extent(conn, keys=["s"]) == {"s": None}


def test_the_read_frontier_and_the_error_that_makes_a_series_stale(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        sid = buckets.ensure_series(conn, keys=["s"])["s"]
        record_read(conn, series_id=sid, source="prom", until=T0 + 600, at=AT)
        record_error(
            conn, series_id=sid, source="prom", code="source-unreachable", message="down", at=AT
        )
    with engine.connect() as conn:
        (state,) = read_states(conn, keys=["s", "other"]).values()
        assert (state.read_until, state.error_code, state.error) == (
            T0 + 600,
            "source-unreachable",
            "down",
        )
        assert stale_reasons(conn, keys=["s"], at=T0 + 600) == {}  # within what was read
        (stale,) = stale_reasons(conn, keys=["s"], at=T0 + 660).values()
    assert (stale.kind, stale.source, stale.code, stale.failed_at) == (
        "read-failed",
        "prom",
        "source-unreachable",
        AT,
    )
    assert stale.data_until == datetime.fromtimestamp(T0 + 600, UTC)
    assert stale.reason.startswith(
        "stale: reading prom failed at 2026-12-01T00:00:00Z [source-unreachable]"
    )
    with write_transaction(engine) as conn:  # re-reading an older range leaves the error
        record_read(conn, series_id=sid, source="prom", until=T0, at=AT)
    with engine.connect() as conn:
        assert stale_reasons(conn, keys=["s"], at=T0 + 660) != {}
    with write_transaction(engine) as conn:  # reaching the frontier clears it
        record_read(conn, series_id=sid, source="prom", until=T0 + 660, at=AT)
    with engine.connect() as conn:
        assert stale_reasons(conn, keys=["s"], at=T0 + 6000) == {}
        assert read_states(conn, keys=["s"])["s"].read_until == T0 + 660


def test_many_ranges_of_many_series_in_one_call(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        ids = buckets.ensure_series(conn, keys=["a", "b", "c"])
        buckets.add_counts(
            conn,
            series_ids=[ids["a"], ids["c"]],
            bucket_starts=[T0 - 60, T0 + 60],
            good=[1, 2],
            total=[1, 3],
        )
        written = replace_ranges(
            conn,
            [
                Range(ids["a"], T0 - 120, np.array([4, 0]), np.array([4, 0])),  # clears T0 - 60
                Range(ids["a"], T0, np.array([1]), np.array([3])),  # the next day: a new chunk
                Range(ids["b"], T0 + 60, np.array([2]), np.array([2])),
                Range(ids["c"], T0 + 60, np.array([0]), np.array([0])),  # c is left empty
            ],
        )
        record_reads(conn, reads=[(ids["a"], T0 + 60), (ids["b"], T0 + 120)], source="p", at=AT)
    assert written == 4  # a's two days, b's day, c's day deleted
    with engine.connect() as conn:
        m = buckets.read_matrix(conn, keys=["a", "b", "c"], start=T0 - 120, end=T0 + 120)
        states = read_states(conn, keys=["a", "b", "c"])
    assert m.good.tolist() == [[4, 0, 1, 0], [0, 0, 0, 2], [0, 0, 0, 0]]
    assert m.total.tolist() == [[4, 0, 3, 0], [0, 0, 0, 2], [0, 0, 0, 0]]
    assert {k: s.read_until for k, s in states.items()} == {"a": T0 + 60, "b": T0 + 120}


def test_a_stale_reason_names_its_instants_to_the_second(engine: Engine) -> None:
    """A failure stored with the clock's microseconds reads ``…T07:17:29Z`` in the reason."""
    failed = datetime(2026, 12, 2, 7, 17, 29, 275311, tzinfo=UTC)
    with write_transaction(engine) as conn:
        sid = buckets.ensure_series(conn, keys=["s"])["s"]
        record_read(conn, series_id=sid, source="prom", until=T0 + 600, at=failed)
        record_error(
            conn, series_id=sid, source="prom", code="source-refused", message="503", at=failed
        )
    with engine.connect() as conn:
        (stale,) = stale_reasons(conn, keys=["s"], at=T0 + 660).values()
    assert stale.reason == (
        "stale: reading prom failed at 2026-12-02T07:17:29Z [source-refused]: 503 "
        f"(data up to {datetime.fromtimestamp(T0 + 600, UTC):%Y-%m-%dT%H:%M:%S}Z)"
    )
