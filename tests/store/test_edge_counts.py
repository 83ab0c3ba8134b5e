"""Cumulative counts at window edges read from the store equal naive sums of what was written."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from covenant.core.evaluate import evaluate, required_edges, required_range
from covenant.core.model import BudgetingMethod, Objective
from covenant.core.timeutil import from_epoch
from covenant.errors import InputError
from covenant.services.evaluate import evaluate_objectives
from covenant.store import buckets
from tests.stores import clear
from tests.strategies import objectives

DAY = 86400
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z

Entry = tuple[str, int, int, int]  # key, bucket start, good, total


def write(engine: Engine, entries: list[Entry]) -> None:
    with engine.begin() as conn:
        ids = buckets.ensure_series(conn, keys=sorted({k for k, *_ in entries}))
        buckets.add_counts(
            conn,
            series_ids=np.array([ids[k] for k, *_ in entries], dtype=np.int64),
            bucket_starts=np.array([s for _, s, _, _ in entries], dtype=np.int64),
            good=np.array([g for *_, g, _ in entries], dtype=np.int64),
            total=np.array([t for *_, t in entries], dtype=np.int64),
        )


def naive(entries: list[Entry], key: str, lo: int, hi: int) -> tuple[int, int]:
    """(good, total) written for ``key`` in buckets starting in ``[lo, hi)``, by brute force."""
    inside = [(g, t) for k, s, g, t in entries if k == key and lo <= s < hi]
    return sum(g for g, _ in inside), sum(t for _, t in inside)


def check(engine: Engine, entries: list[Entry], edges: list[int], keys: list[str]) -> None:
    with engine.connect() as conn:
        got = buckets.read_edge_counts(conn, keys=keys, edges=edges)
    assert got.keys == tuple(keys)
    assert got.edges.tolist() == sorted(set(edges))
    at = got.edges.tolist()
    checked = 0
    for i, key in enumerate(keys):
        for j in range(len(at)):
            for a in range(j + 1):
                good = int(got.good[i, j] - got.good[i, a])
                total = int(got.total[i, j] - got.total[i, a])
                assert (good, total) == naive(entries, key, at[a], at[j]), (key, at[a], at[j])
                checked += 1
    assert checked > 0


def test_edges_cut_days_span_days_and_fall_outside_the_data(engine: Engine) -> None:
    entries: list[Entry] = [
        ("a", T0 + 60, 1, 2),
        ("a", T0 + 1380 * 60, 3, 3),
        ("a", T0 + DAY, 300, 70_000),  # a wider dtype on day 2
        ("a", T0 + DAY + 600, 0, 5),
        ("a", T0 + 3 * DAY + 7200, 9, 9),
        ("b", T0 - 60, 4, 4),  # the day before T0
        ("b", T0 + 2 * DAY + 60, 2, 2),
    ]
    write(engine, entries)
    edges = [
        T0 - 2 * DAY,  # before every chunk
        T0,  # a day boundary
        T0 + 120,  # cuts day 1 just after its first counted bucket
        T0 + 1380 * 60,  # the very bucket, excluded at the edge itself
        T0 + DAY + 660,  # cuts day 2 after the 70,000
        T0 + 3 * DAY + 7200,
        T0 + 10 * DAY,  # after every chunk
    ]
    check(engine, entries, edges, ["a", "nope", "b"])


def test_edges_within_one_day_and_a_single_edge(engine: Engine) -> None:
    entries: list[Entry] = [("a", T0 + 60 * m, m % 3, 3) for m in range(0, 1440, 7)]
    write(engine, entries)
    check(engine, entries, [T0 + 600, T0 + 60 * 700, T0 + 60 * 1439], ["a"])
    check(engine, entries, [T0 + 600], ["a"])
    check(engine, entries, [T0, T0 + DAY], ["a"])  # whole days only: no chunk decoded


def test_bad_edges_are_refused(engine: Engine) -> None:
    write(engine, [("a", T0, 1, 1)])
    with engine.connect() as conn, pytest.raises(InputError, match="aligned"):
        buckets.read_edge_counts(conn, keys=["a"], edges=[T0 + 30])
    with engine.connect() as conn, pytest.raises(InputError, match="unique"):
        buckets.read_edge_counts(conn, keys=["a", "a"], edges=[T0])


entries_strategy = st.lists(
    st.tuples(
        st.sampled_from(["s1", "s2"]),
        st.integers(min_value=-4 * 1440, max_value=4 * 1440).map(lambda m: T0 + 60 * m),
        st.integers(min_value=0, max_value=300),
        st.integers(min_value=300, max_value=70_000),
    ),
    min_size=1,
    max_size=40,
)


SHARED_STORE = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
"""Each property test uses one store per backend for all its examples, emptied before each."""


@settings(max_examples=40, deadline=None, suppress_health_check=SHARED_STORE)
@given(
    entries=entries_strategy,
    edges=st.lists(
        st.integers(min_value=-5 * 1440, max_value=5 * 1440).map(lambda m: T0 + 60 * m),
        min_size=1,
        max_size=8,
    ),
)
def test_edge_counts_equal_naive_sums(
    engine: Engine, entries: list[Entry], edges: list[int]
) -> None:
    clear(engine)
    write(engine, entries)
    check(engine, entries, edges, ["s1", "s2", "s3"])


@settings(max_examples=25, deadline=None, suppress_health_check=SHARED_STORE)
@given(
    objs=st.lists(objectives(step=60), min_size=1, max_size=5),
    entries=st.lists(
        st.tuples(
            st.integers(0, 4),
            st.integers(min_value=-6 * 60, max_value=0).map(lambda m: T0 + 60 * m),
            st.integers(min_value=0, max_value=20),
            st.integers(min_value=20, max_value=40),
        ),
        max_size=60,
    ),
    minute=st.integers(0, 59),
)
def test_the_service_reads_edges_for_events_and_buckets_for_slices(
    engine: Engine, objs: list[Objective], entries: list[tuple[int, int, int, int]], minute: int
) -> None:
    """Mixed objectives come back in order, each equal to the engine over the full matrix."""
    objs = [
        Objective(
            slo=f"slo-{i}",
            name="",
            series=f"s{i}",
            target=o.target,
            window=o.window,
            method=o.method,
            time_slice_target=o.time_slice_target,
            time_slice_window_s=o.time_slice_window_s,
            no_data=o.no_data,
            minimum_events=o.minimum_events,
            alert_tiers=o.alert_tiers,
        )
        for i, o in enumerate(objs)
    ]
    at: datetime = from_epoch(T0 + 60 * minute)
    clear(engine)
    written = [(f"s{i % len(objs)}", s, g, t) for i, s, g, t in entries]
    if written:
        write(engine, written)
    got = evaluate_objectives(engine, objectives=objs, at=at).evaluations
    start, end = required_range(objs, at=at, step=60)
    with engine.connect() as conn:
        data = buckets.read_matrix(
            conn, keys=[o.series for o in objs], start=start, end=end, step=60
        )
        expected = evaluate(objs, data, at=at)
        edges = buckets.read_edge_counts(
            conn,
            keys=[o.series for o in objs],
            edges=required_edges(objs, at=at, step=60),
        )
    assert len(got) == len(expected)
    for o, mine in zip(objs, got, strict=True):
        # the service says from when a window's figures are: the series' first stored minute
        # (every entry written has requests), when the window starts before it (else none)
        firsts = [from_epoch(s) for key, s, _, _ in written if key == o.series]
        assert mine.data_from in (None, min(firsts) if firsts else None)
    got = [replace(mine, data_from=None) for mine in got]
    for o, mine, full in zip(objs, got, expected, strict=True):
        if o.method is BudgetingMethod.RATIO_TIMESLICES:
            # The service reads time slices from where the stored data starts; silent slices
            # before it are counted by the policy instead of summed, so the float sum of
            # per-slice ratios may differ in its last bits (docs/semantics.md): compare what
            # is exact, and the rest to float precision.
            assert (mine.status, mine.total, mine.no_data) == (
                full.status,
                full.total,
                full.no_data,
            )
            assert (mine.sli is None) == (full.sli is None)
            if mine.sli is not None and full.sli is not None:
                assert abs(float(mine.sli) - float(full.sli)) < 1e-9
        else:
            assert mine == full
    events_only = [o for o in objs if o.method is BudgetingMethod.OCCURRENCES]
    if events_only:
        assert evaluate(events_only, edges, at=at) == [
            e for o, e in zip(objs, expected, strict=True) if o in events_only
        ]
    sliced = [o for o in objs if o.method is not BudgetingMethod.OCCURRENCES]
    if sliced:
        with pytest.raises(InputError, match="time slices need every bucket"):
            evaluate(sliced, edges, at=at)
