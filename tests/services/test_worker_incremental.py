"""The worker's incremental evaluation equals the full engine path, tick after tick.

The expected report at every instant is ``services.evaluate.evaluate_workspace`` on the same
store (the full read: per-day sums and every bucket a window edge cuts), computed
independently of the worker's edge cache. Between ticks new data arrives ahead of the head,
at the head and behind it (late data, a Prometheus-style re-read that *replaces* a range), and
ticks jump across a UTC day, a month boundary and a pause longer than an edge may move.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy.engine import Engine

from covenant.core.alert_rules import burn_rate_conditions, no_data_conditions, stale_keys
from covenant.core.timeutil import to_epoch
from covenant.definitions.workspace import Workspace, analyse_text
from covenant.services.evaluate import evaluate_workspace
from covenant.services.worker import Worker
from covenant.store.bucket_journal import read_writes
from covenant.store.bucket_ranges import replace_range
from covenant.store.buckets import add_counts, ensure_series
from covenant.store.db import write_transaction
from tests.store.conftest import postgres_engine, sqlite_engine

__all__ = ["postgres_engine", "sqlite_engine"]  # fixtures, used by name

STEP = 60
START = datetime(2026, 1, 1, tzinfo=UTC)
FIRST = datetime(2026, 1, 31, 22, 30, 20, tzinfo=UTC)  # 90 minutes before February (UTC)


def _slo(name: str, window: str, method: str = "Occurrences", more: str = "") -> str:
    return f"""---
apiVersion: covenant/v1
kind: SLO
metadata: {{name: {name}}}
spec:
  service: shop
  indicator:
    metadata: {{name: {name}-sli}}
    spec:
      ratioMetric:
        counter: true
        good: {{metricSource: {{type: events, spec: {{}}}}}}
        total: {{metricSource: {{type: events, spec: {{}}}}}}
  timeWindow: [{window}]
  budgetingMethod: {method}
  objectives: [{{target: 0.99{more}}}]
"""


ROLLING = "{duration: 30d, isRolling: true}"
MONTH = (
    "{duration: 1M, isRolling: false, "
    "calendar: {startTime: '2026-01-01 00:00:00', timeZone: Europe/Berlin}}"
)
WORKSPACE = (
    "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: shop}\nspec: {}\n"
    + _slo("rolling", ROLLING)
    + _slo("week", "{duration: 7d, isRolling: true}")
    + _slo("month", MONTH)
    + _slo("sliced", ROLLING, "Timeslices", ", timeSliceTarget: 0.9, timeSliceWindow: 5m")
    + _slo("corrected", ROLLING)
    + _slo("silent", ROLLING)  # no data ever stored
    + """---
apiVersion: covenant/v1
kind: Correction
metadata: {name: failover}
spec:
  slos: [corrected]
  start: 2026-01-31T21:00:00Z
  duration: 30m
  author: jane@example.com
  reason: planned failover
  createdAt: 2026-01-30T10:00:00Z
"""
)
SERIES = ["rolling-sli", "week-sli", "month-sli", "sliced-sli", "corrected-sli"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Engine:
    """Each test runs on both backends (the tick's SQL reads blob slices on both)."""
    name = "sqlite_engine" if request.param == "sqlite" else "postgres_engine"
    result: Engine = request.getfixturevalue(name)
    return result


@pytest.fixture
def workspace() -> Workspace:
    ws, problems = analyse_text(WORKSPACE)
    assert ws is not None, problems
    return ws


def _add(
    engine: Engine, rng: np.random.Generator, start: int, end: int, *, keys: list[str]
) -> None:
    """Random minute counts for ``keys`` in ``[start, end)``, with bursts of errors."""
    n = (end - start) // STEP
    with write_transaction(engine) as conn:
        ids = ensure_series(conn, keys=keys, step=STEP)
        for key in keys:
            total = rng.integers(0, 50, n)
            bad = rng.binomial(total, rng.choice([0.001, 0.3], n, p=[0.95, 0.05]))
            starts = start + STEP * np.arange(n)
            add_counts(
                conn,
                series_ids=np.full(n, ids[key]),
                bucket_starts=starts,
                good=total - bad,
                total=total,
                step=STEP,
            )


def _same(worker: Worker, engine: Engine, workspace: Workspace, at: datetime) -> int:
    """The worker's report equals the full evaluation, and so do the alert inputs it decides
    without assembling the report: its conditions, its stale keys, its statuses. Returns how
    many incrementally evaluated objectives have a firing tier."""
    found, _ = worker.decide(workspace, at=at, seen_at=at)
    want = evaluate_workspace(engine, workspace=workspace, at=at)
    conditions = burn_rate_conditions(want.effective)
    assert sorted(found.conditions(), key=lambda c: c.key) == sorted(
        conditions, key=lambda c: c.key
    )
    assert sorted(found.keep()) == sorted(stale_keys(want.effective))
    everyone = lambda o, tier: ("ops",)  # noqa: E731 - a policy asking for every no-data alert
    assert sorted(found.no_data_conditions(route=everyone), key=lambda c: c.key) == sorted(
        no_data_conditions(want.effective, route=everyone), key=lambda c: c.key
    )
    if found.edge is not None:
        statuses = found.edge.decisions.statuses()
        assert statuses == [want.evaluations[p].status for p in found.fast]
    got = found.report()  # assembled after the decisions, from the same counts
    assert got.effective == want.effective
    assert got.evaluations == want.evaluations
    return len(found.edge.firing()) if found.edge is not None else 0


def test_incremental_equals_full_evaluation(engine: Engine, workspace: Workspace) -> None:
    rng = np.random.default_rng(9)
    now = FIRST
    _add(engine, rng, to_epoch(START), to_epoch(now) - to_epoch(now) % STEP, keys=SERIES)
    worker = Worker(engine)
    firing = _same(worker, engine, workspace, now)
    assert worker.cache.edges.size  # the cache holds the edges of the first evaluation
    moves = [60] * 30 + [47, 73, 60, 3600, 60, -120, 60, 7 * 3600, 60, 60, 0, 60]
    for i, seconds in enumerate(moves):
        before = to_epoch(now) - to_epoch(now) % STEP
        now += timedelta(seconds=seconds)
        head = to_epoch(now) - to_epoch(now) % STEP
        if head > before:  # the buckets up to now, and the one in progress
            _add(engine, rng, before, head + STEP, keys=SERIES[i % 3 :])
        if i % 7 == 3:  # late data: two hours ago, into one series
            _add(engine, rng, head - 7200, head - 7140, keys=["rolling-sli"])
        if i % 11 == 5:  # a re-read replaces three days ago's evening (sums change)
            with write_transaction(engine) as conn:
                sid = ensure_series(conn, keys=["week-sli"], step=STEP)["week-sli"]
                lo = head - 3 * 86400 - 3600
                replace_range(
                    conn,
                    series_id=sid,
                    start=lo - lo % STEP,
                    good=np.full(30, 5, dtype=np.int64),
                    total=np.full(30, 9, dtype=np.int64),
                )
        firing += _same(worker, engine, workspace, now)
    assert firing  # error bursts fire tiers: the conditions compared are not all empty


def test_incremental_reads_little_and_forgets_the_journal(
    engine: Engine, workspace: Workspace
) -> None:
    rng = np.random.default_rng(3)
    now = FIRST
    _add(engine, rng, to_epoch(START), to_epoch(now) - to_epoch(now) % STEP, keys=SERIES)
    worker = Worker(engine)
    _, first, quick = worker.evaluate(workspace, at=now)
    assert quick == 4  # rolling, week, month, silent: the others take the full path
    assert first.full == 4  # a cold cache reads every series in full
    with engine.connect() as conn:
        assert read_writes(conn) == []  # the journal rows read were forgotten
    head = to_epoch(now) - to_epoch(now) % STEP
    _add(engine, rng, head, head + STEP, keys=SERIES)
    _, second, _ = worker.evaluate(workspace, at=now + timedelta(minutes=1))
    assert (second.full, second.moved, second.late) == (0, 4, 0)
    # edges in past days (30 d, 7 d, 3 d, 1 d ago) read the next 30 buckets with their own
    assert second.ahead_reads > 0
    assert second.ahead_hits == 0
    _add(engine, rng, head + STEP, head + 2 * STEP, keys=SERIES)
    _, ahead, _ = worker.evaluate(workspace, at=now + timedelta(minutes=2))
    assert (ahead.ahead_reads, ahead.ahead_hits) == (0, second.ahead_reads)  # from memory
    _same(worker, engine, workspace, now + timedelta(minutes=2))
    _add(engine, rng, head - 600, head - 540, keys=["week-sli"])  # late
    _, third, _ = worker.evaluate(workspace, at=now + timedelta(minutes=3))
    assert (third.full, third.late) == (1, 1)
    assert third.ahead_hits == 0  # a series read again: what was read ahead is dropped
    _same(worker, engine, workspace, now + timedelta(minutes=3))
    # a past day rewritten under what was read ahead (a re-read of 1 d ago): read again
    _same(worker, engine, workspace, now + timedelta(minutes=4))
    with write_transaction(engine) as conn:
        sid = ensure_series(conn, keys=["rolling-sli"], step=STEP)["rolling-sli"]
        lo = head - 86400 + 5 * STEP
        replace_range(
            conn,
            series_id=sid,
            start=lo,
            good=np.full(10, 1, dtype=np.int64),
            total=np.full(10, 1000, dtype=np.int64),
        )
    for minutes in range(5, 12):
        _same(worker, engine, workspace, now + timedelta(minutes=minutes))
