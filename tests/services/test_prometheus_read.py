"""SLIs read through a real Prometheus (and VictoriaMetrics) equal, count for count, the ones the
embedded engine computes from the same events (tests/promdata.py writes both)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.core.results import Evaluation
from covenant.core.timeutil import from_epoch
from covenant.definitions.workspace import load_workspace
from covenant.services.evaluate import evaluate_workspace
from covenant.services.ingest import ingest_event_files
from covenant.services.prometheus import catch_up, ingest_prometheus
from covenant.services.store import open_store
from covenant.store import buckets
from tests import promdata
from tests.promserver import Server

START = 1_790_000_000 - 1_790_000_000 % 86400  # a UTC midnight in 2026
MINUTES = 2 * 1440
END = START + MINUTES * 60
RESET = 2000  # the api counters restart after this minute boundary
KEYS = ["api-availability", "web-availability", "api-latency:lte300"]


def _store(path: Path) -> Engine:
    return open_store(f"sqlite:///{path}")


def _summary(e: Evaluation) -> tuple[object, ...]:
    budget = e.budget
    return (
        e.objective.key,
        e.good,
        e.total,
        e.sli,
        e.status,
        None if budget is None else (budget.allowed, budget.consumed, budget.remaining),
        tuple((t.name, t.long.rate, t.short.rate, t.firing) for t in e.tiers),
    )


def _matrix(engine: Engine) -> tuple[list[list[int]], list[list[int]]]:
    with engine.connect() as conn:
        m = buckets.read_matrix(conn, keys=KEYS, start=START, end=END)
    return m.good.tolist(), m.total.tolist()


def _engine_from_events(tmp_path: Path, ws: Path) -> Engine:
    events = promdata.events(START, MINUTES)
    engine = _store(tmp_path / "events.db")
    rules = load_workspace(ws).event_rules
    ingest_event_files(engine, files=[promdata.event_csv(tmp_path / "e.csv", events)], rules=rules)
    return engine


def _compare(engine: Engine, tmp_path: Path, server: Server, *, max_points: int) -> None:
    ws = promdata.workspace(tmp_path / "ws", server.url)
    workspace = load_workspace(ws)
    assert workspace.prometheus is not None
    reads = workspace.prometheus.reads
    assert sorted(r.series for r in reads) == sorted(KEYS)
    expected = _engine_from_events(tmp_path, ws)
    reports = ingest_prometheus(
        engine,
        reads=reads,
        start=from_epoch(START),
        end=from_epoch(END),
        max_points=max_points,
    )
    assert [r.error for r in reports] == [None] * len(KEYS)
    assert all(r.complete and r.buckets == MINUTES for r in reports)
    assert _matrix(engine) == _matrix(expected)
    at = from_epoch(END)
    want = [
        _summary(e) for e in evaluate_workspace(expected, workspace=workspace, at=at).evaluations
    ]
    got = [_summary(e) for e in evaluate_workspace(engine, workspace=workspace, at=at).evaluations]
    assert got == want
    assert all(s[2] for s in got)  # every objective had events: the comparison means something
    # the same range again replaces it: nothing changes
    ingest_prometheus(engine, reads=reads, start=from_epoch(START), end=from_epoch(END))
    assert _matrix(engine) == _matrix(expected)


def test_prometheus_reads_equal_the_engine_from_the_same_events(
    engine: Engine, tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    events = promdata.events(START, MINUTES)
    server = prometheus(openmetrics=promdata.openmetrics(events, START, MINUTES, reset_at=RESET))
    # parts of 700 points: the two days are read in five ranges per query
    _compare(engine, tmp_path, server, max_points=700)


def test_victoria_metrics_reads_equal_the_engine_from_the_same_events(
    engine: Engine, tmp_path: Path, victoria_metrics: Callable[..., Server]
) -> None:
    events = promdata.events(START, MINUTES)
    server = victoria_metrics()
    lines = promdata.vm_lines(events, START, MINUTES, reset_at=RESET).encode()
    request = urllib.request.Request(
        f"{server.url}/api/v1/import/prometheus", data=lines, method="POST"
    )
    with urllib.request.urlopen(request, timeout=60):
        pass
    with urllib.request.urlopen(f"{server.url}/internal/force_flush", timeout=60):
        pass
    _compare(engine, tmp_path, server, max_points=11_000)


def test_the_cli_reads_a_range_and_a_second_run_changes_nothing(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    minutes = 180
    events = promdata.events(START, minutes)
    server = prometheus(openmetrics=promdata.openmetrics(events, START, minutes))
    ws = promdata.workspace(tmp_path / "ws", server.url)
    args = ["ingest", "prometheus", "-w", str(ws), "--format", "json", "--slo", "api-latency"]
    args += ["--from", from_epoch(START).isoformat(), "--to", from_epoch(START + 7200).isoformat()]
    runs = [CliRunner().invoke(app, args) for _ in range(2)]
    assert [r.exit_code for r in runs] == [0, 0], runs[0].output
    first, second = (json.loads(r.stdout)["series"] for r in runs)
    assert first == second
    (row,) = first
    expected = [e for e in events if e.service == "api" and e.at < START + 7200]
    assert row["series"] == "api-latency:lte300"
    assert row["slos"] == ["api-latency"]
    assert (row["buckets"], row["complete"], row["error"]) == (120, True, None)
    assert row["total"] == len(expected)
    assert row["good"] == sum(1 for e in expected if e.latency_ms <= 300)


def test_catch_up_reads_from_the_last_stored_bucket_to_now(
    engine: Engine, tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    minutes = 240
    events = promdata.events(START, minutes)
    server = prometheus(openmetrics=promdata.openmetrics(events, START, minutes))
    ws = promdata.workspace(tmp_path / "ws", server.url)
    reads = load_workspace(ws).prometheus.reads  # type: ignore[union-attr]
    now = from_epoch(START + 3600 + 150)  # 01:02:30: read up to 01:00 (two minutes' lag)
    first = catch_up(engine, reads=reads, now=now, initial=3600)
    assert {(r.start, r.end) for r in first} == {(from_epoch(START), from_epoch(START + 3600))}
    assert catch_up(engine, reads=reads, now=now, initial=3600) == []  # nothing new yet
    later = from_epoch(START + 3 * 3600 + 59)  # 03:00:59: from 01:00 to 02:58
    second = catch_up(engine, reads=reads, now=later, initial=3600)
    assert {(r.start, r.end) for r in second} == {
        (from_epoch(START + 3600), from_epoch(START + 3 * 3600 - 120))
    }
    with engine.connect() as conn:
        m = buckets.read_matrix(
            conn, keys=["api-latency:lte300"], start=START, end=START + 4 * 3600
        )
    api = [e for e in events if e.service == "api"]
    per_minute = np.zeros(240, dtype=np.int64)
    for e in api:
        per_minute[(e.at - START) // 60] += 1
    per_minute[(3 * 3600 - 120) // 60 :] = 0  # not read yet
    assert m.total[0].tolist() == per_minute.tolist()


def _iso(moment: datetime) -> str:
    return moment.isoformat()
