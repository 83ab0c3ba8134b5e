"""The worker's minute tick for many SLOs, incremental against the full evaluation, same run.

A SQLite store holds 31 days of minute ``(good, total)`` counts for ``--slos`` series (one
event-based 30-day SLO each, the SRE Workbook alert tiers). After a warm-up tick, each round
adds the next minute of data for every series (not timed) and times:

- **incremental**: ``Worker.tick`` with the worker's kept edge counts — a few bucket slices per
  series (edges in past days from buckets read ahead: one tick in 30 reads the next half hour
  of them, its time is in "worst"), the engine's decisions (``core.decisions``), alert state;
- **full** (the baseline): a tick by a fresh ``Worker`` (cold cache): every series read as
  ``covenant evaluate`` reads it (per-day sums and every day chunk an edge cuts), the same engine
  and alert state.

The tick assembles full ``Evaluation`` objects only for objectives whose tiers fire; the whole
report is assembled when first read (``TickResult.report``: ``/metrics``, the benchmark's own
check): that read is timed apart, after each incremental tick (**report read after tick**), and
so is the publication of the ``/metrics`` page every server process serves (**metrics
published after tick**: rendered from that report and written into the store,
``services.metrics.publish_tick``, as ``covenant serve``'s loop does after each tick).
Both ticks are checked to give the same evaluations and the same alert states. Best and median
of the rounds are printed, with the load average. Target: the incremental tick for 10,000
SLOs < 1 s.

Run: ``.venv/bin/python benchmarks/worker.py [--slos 10000] [--rounds 7] [--days 31]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from fractions import Fraction  # noqa: E402

from covenant.core.model import Objective, RollingWindow  # noqa: E402
from covenant.core.timeutil import to_epoch  # noqa: E402
from covenant.definitions.workspace import Workspace  # noqa: E402
from covenant.services.metrics import publish_tick  # noqa: E402
from covenant.services.store import open_store  # noqa: E402
from covenant.services.worker import Worker  # noqa: E402
from covenant.store import metrics_snapshots, worker_tables  # noqa: E402
from covenant.store.buckets import add_chunks, add_counts, ensure_series  # noqa: E402
from covenant.store.db import write_transaction  # noqa: E402

DAY, MINUTE = 86_400, 60
START = datetime(2026, 10, 1, tzinfo=UTC)


def workspace(n: int) -> Workspace:
    objectives = tuple(
        Objective(
            slo=f"slo-{i:05d}",
            name="",
            series=f"series-{i:05d}",
            target=Fraction(999, 1000),
            window=RollingWindow(seconds=30 * DAY),
            service=f"service-{i % 100:03d}",
        )
        for i in range(n)
    )
    return Workspace(documents=(), objectives=objectives, event_rules=())


def fill(engine, n: int, days: int, rng: np.random.Generator) -> dict[str, int]:
    """``days`` whole days of minute counts (0–20 requests, rare bad ones) for every series."""
    keys = [f"series-{i:05d}" for i in range(n)]
    with write_transaction(engine) as conn:
        ids = ensure_series(conn, keys=keys, step=MINUTE)
    sid = np.array([ids[k] for k in keys], dtype=np.int64)
    per_day = DAY // MINUTE
    for d in range(days):
        day = to_epoch(START) + d * DAY
        total = rng.integers(0, 21, (n, per_day), dtype=np.int32)
        bad = (rng.random((n, per_day)) < 0.0005).astype(np.int32) * np.minimum(total, 3)
        chunks = np.stack((total - bad, total), axis=1)
        with write_transaction(engine) as conn:
            add_chunks(conn, series_ids=sid, days=np.full(n, day), chunks=chunks, step=MINUTE)
    return ids


def add_minute(engine, ids: dict[str, int], at: int, rng: np.random.Generator) -> None:
    sid = np.array(list(ids.values()), dtype=np.int64)
    total = rng.integers(0, 21, sid.size)
    with write_transaction(engine) as conn:
        add_counts(
            conn,
            series_ids=sid,
            bucket_starts=np.full(sid.size, at),
            good=total,
            total=total,
            step=MINUTE,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slos", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--days", type=int, default=31)
    args = parser.parse_args()
    rng = np.random.default_rng(14)
    with tempfile.TemporaryDirectory() as folder:
        engine = open_store(f"sqlite:///{Path(folder) / 'store.db'}")
        t = time.perf_counter()
        ids = fill(engine, args.slos, args.days, rng)
        print(f"store: {args.slos} series × {args.days} days in {time.perf_counter() - t:.0f} s")
        ws = workspace(args.slos)
        now = START + timedelta(days=args.days) + timedelta(seconds=30)
        worker = Worker(engine, notify=lambda notices: None)
        t = time.perf_counter()
        worker.tick(ws, now)  # warm-up: a cold cache reads every series in full
        print(f"warm-up tick (cold cache): {time.perf_counter() - t:.2f} s")
        incremental: list[float] = []
        assembly: list[float] = []
        published: list[float] = []
        ahead: list[int] = []  # ranges of past days read ahead, per incremental tick
        full: list[float] = []
        for _ in range(args.rounds):
            head = to_epoch(now) - to_epoch(now) % MINUTE
            add_minute(engine, ids, head, rng)
            now += timedelta(minutes=1)
            t = time.perf_counter()
            fast = worker.tick(ws, now)
            incremental.append(time.perf_counter() - t)
            t = time.perf_counter()
            fast.report  # noqa: B018 - assembled on first read (what /metrics pays once a tick)
            assembly.append(time.perf_counter() - t)
            t = time.perf_counter()
            publish_tick(engine, fast, workspace=ws, published_at=now)
            published.append(time.perf_counter() - t)
            t = time.perf_counter()
            slow = Worker(engine, notify=lambda notices: None).tick(ws, now)
            full.append(time.perf_counter() - t)
            assert fast.report.evaluations == slow.report.evaluations
            assert fast.alerts == slow.alerts
            assert fast.reads.full == 0 and fast.reads.moved == args.slos, fast.reads
            ahead.append(fast.reads.ahead_reads)
        load = os.getloadavg()
        print(f"{args.slos} SLOs, {args.rounds} rounds (load {load[0]:.1f} {load[1]:.1f}):")
        for name, times in (
            ("incremental tick", incremental),
            ("full tick (baseline)", full),
            ("report read after tick", assembly),
            ("metrics published", published),
        ):
            print(
                f"  {name:22} best {min(times):.3f} s  median {statistics.median(times):.3f} s"
                f"  worst {max(times):.3f} s"
            )
        print(f"  speed-up (best/best): {min(full) / min(incremental):.1f}x")
        print(f"  past-day ranges read ahead per incremental tick: {ahead}")
        with engine.connect() as conn:
            page = metrics_snapshots.read(conn)
            packed = conn.execute(select(func.length(worker_tables.metrics_snapshots.c.body)))
            stored = packed.scalar_one()
        assert page is not None
        print(f"  /metrics page: {len(page.body) / 1e6:.1f} MB, stored {stored / 1e6:.2f} MB")
        engine.dispose()


if __name__ == "__main__":
    main()
