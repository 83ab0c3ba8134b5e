"""The bucket store: round trips, merges, dtypes, extents, atomicity — on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from covenant.errors import InputError, StoreError
from covenant.store import buckets
from covenant.store.db import alembic_config, create_engine_for, migrate
from covenant.store.tables import bucket_chunks
from tests.stores import clear

DAY = 86400
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z


def add(engine: Engine, key: str, starts: list[int], good: list[int], total: list[int]) -> None:
    with engine.begin() as conn:
        ids = buckets.ensure_series(conn, keys=[key])
        buckets.add_counts(
            conn,
            series_ids=np.full(len(starts), ids[key]),
            bucket_starts=np.array(starts),
            good=np.array(good),
            total=np.array(total),
        )


def test_migration_creates_the_tables_and_is_idempotent(engine: Engine) -> None:
    migrate(engine)  # the fixture migrated once already
    names = set(sa.inspect(engine).get_table_names())
    assert {"series", "bucket_chunks", "ingest_batches", "alembic_version"} <= names
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    with engine.connect() as conn:
        stamped = {
            row[0] for row in conn.execute(sa.text("select version_num from alembic_version"))
        }
    assert stamped == heads


def test_round_trip_with_gaps_unknown_keys_and_unaligned_window(engine: Engine) -> None:
    add(engine, "a", [T0 + 60, T0 + 120, T0 + DAY + 600], [1, 2, 3], [1, 5, 4])
    add(engine, "b", [T0 + 3 * DAY], [7], [9])
    with engine.connect() as conn:
        m = buckets.read_matrix(conn, keys=["b", "nope", "a"], start=T0 + 60, end=T0 + 2 * DAY)
    assert m.keys == ("b", "nope", "a")
    assert m.good.shape == (3, 2 * 1440 - 1)
    assert m.good.dtype == np.int64
    a = m.row("a")
    assert m.total[a, 0] == 1
    assert m.total[a, 1] == 5
    assert m.good[a, 1] == 2
    assert m.total[a, (DAY + 600 - 60) // 60] == 4
    assert m.total[a].sum() == 10
    assert m.total[m.row("b")].sum() == 0  # its chunk is outside the window
    assert m.total[m.row("nope")].sum() == 0


def test_counts_merge_and_late_data_lands_in_existing_chunks(engine: Engine) -> None:
    add(engine, "a", [T0 + 600, T0 + 60], [1, 1], [2, 1])
    add(engine, "a", [T0 + 60, T0 + 60, T0 - 60], [1, 0, 4], [1, 3, 4])  # late + a day before
    with engine.connect() as conn:
        m = buckets.read_matrix(conn, keys=["a"], start=T0 - DAY, end=T0 + DAY)
        rows = conn.execute(sa.select(sa.func.count()).select_from(bucket_chunks)).scalar()
    minute = (DAY + 60) // 60
    assert m.total[0, minute] == 5
    assert m.good[0, minute] == 2
    assert m.total[0, minute + 9] == 2
    assert m.total[0, 1439] == 4
    assert rows == 2  # one chunk per (series, UTC day)


@pytest.mark.parametrize(("peak", "itemsize"), [(200, 1), (300, 2), (70_000, 4), (2**40, 8)])
def test_each_chunk_uses_the_smallest_dtype(engine: Engine, peak: int, itemsize: int) -> None:
    add(engine, "a", [T0, T0 + 60], [0, peak], [1, peak])
    with engine.connect() as conn:
        size = conn.execute(sa.select(bucket_chunks.c.itemsize)).scalar()
        m = buckets.read_matrix(conn, keys=["a"], start=T0, end=T0 + 120)
    assert size == itemsize
    assert m.total.tolist() == [[1, peak]]
    assert m.good.tolist() == [[0, peak]]


def test_a_merge_that_outgrows_the_dtype_widens_it(engine: Engine) -> None:
    add(engine, "a", [T0], [100], [200])
    add(engine, "a", [T0], [100], [200])
    with engine.connect() as conn:
        m = buckets.read_matrix(conn, keys=["a"], start=T0, end=T0 + 60)
        size = conn.execute(sa.select(bucket_chunks.c.itemsize)).scalar()
    assert m.total.tolist() == [[400]]
    assert size == 2


def test_series_extent_and_list(engine: Engine) -> None:
    add(engine, "a", [T0 + DAY + 120, T0 + 5 * DAY + 3600], [1, 1], [1, 1])
    with engine.begin() as conn:
        buckets.ensure_series(conn, keys=["empty"])
    with engine.connect() as conn:
        extent = buckets.series_extent(conn, keys=["a", "empty", "unknown"])
        listed = buckets.list_series(conn)
    assert extent == {"a": (T0 + DAY + 120, T0 + 5 * DAY + 3660), "empty": None, "unknown": None}
    assert [s.key for s in listed] == ["a", "empty"]
    assert listed[0].step == 60
    assert listed[0].created_at.tzinfo is not None


def test_ensure_series_is_idempotent_and_guards_the_step(engine: Engine) -> None:
    with engine.begin() as conn:
        first = buckets.ensure_series(conn, keys=["a", "b", "a"])
        again = buckets.ensure_series(conn, keys=["b", "a"])
    assert first == again
    with engine.begin() as conn, pytest.raises(StoreError, match="step"):
        buckets.ensure_series(conn, keys=["a"], step=300)


def test_bad_input_is_refused(engine: Engine) -> None:
    with engine.begin() as conn:
        ids = buckets.ensure_series(conn, keys=["a"])
        with pytest.raises(InputError, match="aligned"):
            buckets.add_counts(
                conn, series_ids=[ids["a"]], bucket_starts=[T0 + 1], good=[0], total=[1]
            )
        with pytest.raises(InputError, match="good <= total"):
            buckets.add_counts(conn, series_ids=[ids["a"]], bucket_starts=[T0], good=[2], total=[1])
        with pytest.raises(InputError, match="aligned"):
            buckets.read_matrix(conn, keys=["a"], start=T0 + 1, end=T0 + 60)
        with pytest.raises(InputError, match="divide a day"):
            buckets.ensure_series(conn, keys=["x"], step=7)


def test_a_failure_mid_transaction_leaves_the_store_unchanged(engine: Engine) -> None:
    add(engine, "a", [T0], [1], [1])

    def write_then_crash() -> None:
        with engine.begin() as conn:
            ids = buckets.ensure_series(conn, keys=["a", "new"])
            buckets.add_counts(
                conn,
                series_ids=[ids["a"], ids["new"]],
                bucket_starts=[T0, T0],
                good=[5, 5],
                total=[5, 5],
            )
            raise RuntimeError("crash after the write, before the commit")

    with pytest.raises(RuntimeError):
        write_then_crash()
    with engine.connect() as conn:
        m = buckets.read_matrix(conn, keys=["a", "new"], start=T0, end=T0 + 60)
        keys = [s.key for s in buckets.list_series(conn)]
    assert m.total.tolist() == [[1], [0]]
    assert keys == ["a"]


def test_other_steps_round_trip(engine: Engine) -> None:
    with engine.begin() as conn:
        ids = buckets.ensure_series(conn, keys=["five"], step=300)
        buckets.add_counts(
            conn,
            series_ids=[ids["five"]] * 2,
            bucket_starts=[T0, T0 + 600],
            good=[1, 2],
            total=[3, 4],
            step=300,
        )
    with engine.connect() as conn:
        m = buckets.read_matrix(conn, keys=["five"], start=T0, end=T0 + 900, step=300)
    assert m.total.tolist() == [[3, 0, 4]]


def test_create_engine_makes_the_sqlite_folder_and_sets_pragmas(tmp_path: Path) -> None:
    folder = tmp_path / "deep" / "er"
    engine = create_engine_for(f"sqlite:///{folder / 'c.db'}")
    with engine.connect() as conn:
        assert conn.execute(sa.text("pragma journal_mode")).scalar() == "wal"
        assert conn.execute(sa.text("pragma foreign_keys")).scalar() == 1
    engine.dispose()
    assert folder.is_dir()


def test_a_bad_url_is_a_store_error() -> None:
    with pytest.raises(StoreError):
        create_engine_for("not a url")


entries = st.lists(
    st.tuples(
        st.sampled_from(["s1", "s2", "s3"]),
        st.integers(min_value=-3 * 1440, max_value=3 * 1440),  # minutes around T0
        st.integers(min_value=0, max_value=70_000),
        st.integers(min_value=0, max_value=70_000),
    ),
    max_size=60,
)


@settings(
    max_examples=40,
    deadline=None,
    # one store per backend for all examples, emptied before each (tests.stores.clear)
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(batches=st.lists(entries, min_size=1, max_size=3))
def test_store_equals_a_naive_sum(
    engine: Engine, batches: list[list[tuple[str, int, int, int]]]
) -> None:
    clear(engine)
    expected: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for batch in batches:
        with engine.begin() as conn:
            ids = buckets.ensure_series(conn, keys=["s1", "s2", "s3"])
            good = [min(a, b) for _, _, a, b in batch]
            total = [max(a, b) for _, _, a, b in batch]
            buckets.add_counts(
                conn,
                series_ids=np.array([ids[k] for k, *_ in batch], dtype=np.int64),
                bucket_starts=np.array([T0 + 60 * m for _, m, _, _ in batch], dtype=np.int64),
                good=np.array(good, dtype=np.int64),
                total=np.array(total, dtype=np.int64),
            )
        for (key, minute, _, _), g, t in zip(batch, good, total, strict=True):
            expected[(key, minute)][0] += g
            expected[(key, minute)][1] += t
    start = T0 - 3 * DAY
    with engine.connect() as conn:
        m = buckets.read_matrix(conn, keys=["s1", "s2", "s3"], start=start, end=T0 + 4 * DAY)
    got = {
        (m.keys[r], int(c) - 3 * 1440): [int(m.good[r, c]), int(m.total[r, c])]
        for r, c in zip(*np.nonzero(m.total), strict=True)
    }
    assert got == {k: v for k, v in expected.items() if v[1]}


def test_whole_day_chunks_merge_like_bucket_entries(engine: Engine) -> None:
    add(engine, "a", [T0 + 60], [1], [2])  # an existing chunk to merge into
    chunk = np.zeros((2, 2, 1440), dtype=np.int64)
    chunk[0, :, 1] = (3, 4)  # day 0, 00:01
    chunk[1, :, 0] = (0, 5)  # day 1, 00:00
    with engine.begin() as conn:
        ids = buckets.ensure_series(conn, keys=["a"])
        written = buckets.add_chunks(
            conn, series_ids=[ids["a"]] * 2, days=[T0, T0 + DAY], chunks=chunk
        )
        with pytest.raises(InputError, match="once"):
            buckets.add_chunks(conn, series_ids=[ids["a"]] * 2, days=[T0, T0], chunks=chunk)
        with pytest.raises(InputError, match="good <= total"):
            buckets.add_chunks(conn, series_ids=[ids["a"]], days=[T0], chunks=chunk[:1, ::-1])
        with pytest.raises(InputError, match="day starts"):
            buckets.add_chunks(conn, series_ids=[ids["a"]], days=[T0 + 60], chunks=chunk[:1])
    assert written == 2
    with engine.connect() as conn:
        m = buckets.read_matrix(conn, keys=["a"], start=T0, end=T0 + DAY + 120)
    assert m.good[0, 1] == 4
    assert m.total[0, 1] == 6  # 2 stored + 4 added
    assert m.total[0, 1440] == 5
    assert int(m.total.sum()) == 11
