"""Many SLIs on one metric read with one union query (``sources.prometheus.groups``), and
``covenant evaluate`` reading them itself (``--read``, then the default catch-up), through a
real Prometheus.

Five jobs' request counters, scraped every 15 s at :07, :22, … (never on a minute boundary):
job-1's counters restart once (a counter reset), job-2 gains a second instance half-way through
(a series that appears mid-window), job-3 is not scraped for 7 minutes (a silence, after which
the first sample only sets a baseline). The expected counts are derived here from the events
alone, as in test_prometheus_unaligned: each event in the minute of the first scrape after it
(the minute ``[a, a + 1m)`` holds the scrapes of ``(a, a + 1m]``), unless that scrape is its
series' first or comes after a silence of more than 5 minutes.
"""

from __future__ import annotations

import bisect
import json
import random
import socket
from collections.abc import Callable
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.core.timeutil import from_epoch, to_epoch
from covenant.definitions.workspace import load_workspace
from covenant.services.prometheus import catch_up, ingest_prometheus
from covenant.services.prometheus_units import units as make_units
from covenant.services.store import open_store
from covenant.store import buckets
from covenant.store.bucket_journal import read_writes
from covenant.store.source_state import read_states
from covenant.store.sqlite_writer import open_sqlite_writer
from covenant.store.tables import series
from tests.cli.test_read_only_store import make_read_only
from tests.probe import run_python
from tests.promserver import Sample, Server, openmetrics_text
from tests.stores import sqlite_schema

START = 1_790_000_000 - 1_790_000_000 % 86400
MINUTES = 240
END = START + MINUTES * 60
JOBS = [f"job-{i}" for i in range(5)]
RESET_AFTER = START + 100 * 60 + 7  # job-1's counters restart just after this scrape
LATE = START + 90 * 60 + 52  # job-2's second instance is first scraped here
SILENCE = (START + 150 * 60, START + 157 * 60)  # job-3 is not scraped


def _scrapes(job: str, instance: str) -> list[float]:
    found = [START - 120 + 7 + 15 * k for k in range((MINUTES + 3) * 4)]
    if instance == "b":
        return [s for s in found if s >= LATE]
    if job == "job-3":
        return [s for s in found if not SILENCE[0] <= s < SILENCE[1]]
    return found


def _instances(job: str) -> tuple[str, ...]:
    return ("a", "b") if job == "job-2" else ("a",)


def _events() -> dict[tuple[str, str, str], list[float]]:
    """Event instants per (job, instance, code): uneven traffic, some 500s."""
    rng = random.Random(5)
    found: dict[tuple[str, str, str], list[float]] = {}
    for job in JOBS:
        for instance in _instances(job):
            first = LATE - 600 if instance == "b" else START + 30
            for m in range(MINUTES):
                t0 = START + m * 60
                if t0 < first:
                    continue
                for _ in range(rng.randint(0, 12)):
                    code = "500" if rng.random() < 0.1 else "200"
                    found.setdefault((job, instance, code), []).append(t0 + rng.random() * 60)
    return {k: sorted(v) for k, v in found.items()}


def _samples(events: dict[tuple[str, str, str], list[float]]) -> list[Sample]:
    out = []
    for job in JOBS:
        for instance in _instances(job):
            for code in ("200", "500"):
                instants = events.get((job, instance, code), [])
                base = bisect.bisect_left(instants, RESET_AFTER)
                for s in _scrapes(job, instance):
                    value = bisect.bisect_left(instants, s)  # the events before the scrape
                    if job == "job-1" and s > RESET_AFTER:
                        value -= base  # restarted from zero
                    labels = {"job": job, "instance": instance, "code": code}
                    out.append(Sample("http_requests_total", labels, value, s))
    return out


def _expected(events: dict[tuple[str, str, str], list[float]], job: str, codes: tuple[str, ...]):
    """Per minute of [START, END): the events of ``job`` with these codes, counted by hand."""
    counts = [0] * MINUTES
    for instance in _instances(job):
        scrapes = _scrapes(job, instance)
        for code in codes:
            for at in events.get((job, instance, code), []):
                i = bisect.bisect_right(scrapes, at)  # the first scrape after the event
                if i == 0 or i == len(scrapes) or scrapes[i] - scrapes[i - 1] > 300:
                    continue  # a series' first sample or the first after a silence
                minute = int(-(-scrapes[i] // 60)) * 60 - 60
                if START <= minute < END:
                    counts[(minute - START) // 60] += 1
    return counts


WORKSPACE = """\
apiVersion: openslo/v1
kind: DataSource
metadata: {name: prometheus}
spec:
  type: Prometheus
  connectionDetails: {url: "URL"}
"""
SLO = """---
apiVersion: openslo/v1
kind: SLO
metadata: {name: JOB-availability}
spec:
  service: JOB
  indicator:
    metadata: {name: JOB}
    spec:
      ratioMetric:
        counter: true
        FIRST:
          metricSource:
            metricSourceRef: prometheus
            spec: {query: 'sum(http_requests_total{job="JOB",code=CODE})'}
        total:
          metricSource:
            metricSourceRef: prometheus
            spec: {query: 'http_requests_total{job="JOB"}'}
  timeWindow: [{duration: 1d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.99}]
"""


def _workspace(folder: Path, url: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    docs = [WORKSPACE.replace("URL", url)]
    for i, job in enumerate(JOBS):  # good as code="200" or bad as code!="200"
        first, code = ("good", '"200"') if i % 2 == 0 else ("bad", '"500"')
        if i == 3:
            first, code = "good", '"200"'
        docs.append(SLO.replace("JOB", job).replace("FIRST", first).replace("CODE", code))
    (folder / "slos.yaml").write_text("".join(docs))
    return folder


def _server(prometheus: Callable[..., Server]) -> tuple[Server, dict]:
    events = _events()
    return prometheus(
        openmetrics=openmetrics_text(_samples(events), counters=["http_requests"])
    ), events


def test_slis_on_one_metric_are_read_with_one_query_and_counted_exactly(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    server, events = _server(prometheus)
    reads = load_workspace(_workspace(tmp_path / "ws", server.url)).prometheus.reads  # type: ignore[union-attr]
    units = list(
        make_units([(r, START) for r in reads], workers=1, end=END, step=60, max_points=11_000)
    )
    assert len(units) == 1  # the premise: one union query for the five SLIs
    assert units[0].selector is not None
    assert 'job=~"job-0|job-1|job-2|job-3|job-4"' in units[0].selector
    engine = open_store(f"sqlite:///{tmp_path / 'one.db'}")
    reports = ingest_prometheus(
        engine, reads=reads, start=from_epoch(START), end=from_epoch(END), max_points=47
    )
    assert [r.error for r in reports] == [None] * len(JOBS)
    keys = list(JOBS)  # each SLI (and its series) is named after its job
    with engine.connect() as conn:
        m = buckets.read_matrix(conn, keys=keys, start=START, end=END)
    for i, job in enumerate(JOBS):
        assert m.total.tolist()[i] == _expected(events, job, ("200", "500")), job
        assert m.good.tolist()[i] == _expected(events, job, ("200",)), job
    # the reset, the late instance and the silence are in the data: the premises
    values = [
        s.value
        for s in _samples(events)
        if s.labels == {"job": "job-1", "instance": "a", "code": "200"}
    ]
    assert any(b < a for a, b in pairwise(values))  # a counter reset
    late = [s.timestamp for s in _samples(events) if s.labels["instance"] == "b"]
    assert min(late) == LATE
    assert sum(_expected(events, "job-2", ("200", "500"))[(LATE - START) // 60 + 1 :]) > 0
    lost = sum(len(v) for k, v in events.items() if k[0] == "job-3")
    assert sum(_expected(events, "job-3", ("200", "500"))) < lost  # the silence lost events


def _evaluate(ws: Path, at: int, *options: str) -> dict[str, tuple[int, int]]:
    stamp = from_epoch(at).isoformat().replace("+00:00", "Z")
    done = CliRunner().invoke(
        app, ["evaluate", "-w", str(ws), "--at", stamp, "--format", "json", *options]
    )
    assert done.exit_code == 0, done.output
    return {r["slo"]: (r["good"], r["total"]) for r in json.loads(done.stdout)["results"]}


def test_evaluate_reads_prometheus_itself_first_all_then_what_is_new(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    server, events = _server(prometheus)
    ws = _workspace(tmp_path / "ws", server.url)

    def want(at: int) -> dict[str, tuple[int, int]]:
        n = (at - START) // 60
        return {
            f"{job}-availability": (
                sum(_expected(events, job, ("200",))[:n]),
                sum(_expected(events, job, ("200", "500"))[:n]),
            )
            for job in JOBS
        }

    earlier = END - 45 * 60
    # nothing was read before: the default reads nothing, --read reads every SLI's window
    assert _evaluate(ws, earlier) == dict.fromkeys(want(earlier), (0, 0))
    assert _evaluate(ws, earlier, "--read") == want(earlier)
    # the store holds up to `earlier`: --no-read evaluates it as it is, the default catches up
    assert _evaluate(ws, END, "--no-read") == want(earlier)
    assert _evaluate(ws, END) == want(END)
    assert want(END) != want(earlier)


def test_minutes_read_within_the_lag_of_now_are_read_again_next_time(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    server, events = _server(prometheus)
    reads = load_workspace(_workspace(tmp_path / "ws", server.url)).prometheus.reads  # type: ignore[union-attr]
    engine = open_store(f"sqlite:///{tmp_path / 'lag.db'}")
    # an evaluation at END, 30 s after END: every minute up to END is read and stored ...
    first = catch_up(
        engine, reads=reads, now=from_epoch(END + 30), initial=MINUTES * 60, until=from_epoch(END)
    )
    assert [(to_epoch(r.start), to_epoch(r.read_until), r.error) for r in first] == [
        (START, END, None)
    ] * len(JOBS)
    with engine.connect() as conn:
        m = buckets.read_matrix(conn, keys=list(JOBS), start=START, end=END)
        states = read_states(conn, keys=list(JOBS))
    assert m.total.tolist() == [_expected(events, job, ("200", "500")) for job in JOBS]
    # ... but recorded as read only up to now − 2 min: the next catch-up reads from there
    assert {s.read_until for s in states.values()} == {END - 120}
    again = catch_up(engine, reads=reads, now=from_epoch(END + 90), initial=60)
    assert [(to_epoch(r.start), to_epoch(r.end)) for r in again] == [(END - 120, END - 60)] * len(
        JOBS
    )


def test_a_store_that_cannot_be_written_is_evaluated_as_it_is(
    tmp_path: Path, prometheus: Callable[..., Server], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, _ = _server(prometheus)
    ws = _workspace(tmp_path / "ws", server.url)
    earlier = END - 45 * 60
    first = _evaluate(ws, earlier, "--read")
    files = make_read_only(ws / ".covenant", monkeypatch)
    try:
        stamp = from_epoch(END).isoformat().replace("+00:00", "Z")
        done = CliRunner().invoke(
            app, ["evaluate", "-w", str(ws), "--at", stamp, "--format", "json"]
        )
    finally:
        (ws / ".covenant").chmod(0o700)
        for f in files:
            f.chmod(0o600)
    assert done.exit_code == 0, done.output
    assert "cannot be written: Prometheus is not read" in done.stderr
    got = {r["slo"]: (r["good"], r["total"]) for r in json.loads(done.stdout)["results"]}
    assert got == first  # what was stored up to `earlier`, nothing read after it
    assert sum(t for _, t in got.values()) > 0


CATCH_UP_PROBE = """
import json, sys
from covenant.cli.main import main
ws, at, *options = sys.argv[1:]
sys.argv = ["covenant", "evaluate", "-w", ws, "--at", at, "--format", "json", *options]
try:
    main()
except SystemExit as done:
    code = done.code
print(json.dumps({"code": code, "sqlalchemy": "sqlalchemy" in sys.modules}), file=sys.stderr)
"""


def test_the_catch_up_of_evaluate_writes_through_sqlite3_what_the_engine_writes(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    server, events = _server(prometheus)
    ws = _workspace(tmp_path / "ws", server.url)
    reads = load_workspace(ws).prometheus.reads  # type: ignore[union-attr]
    gone = replace(reads[0].source, name="gone", url=_closed_url(), timeout_s=2.0)
    down = replace(reads[0], series="down", source=gone)
    stores = []
    for name in ("engine", "sqlite3"):
        url = f"sqlite:///{tmp_path / name / 'covenant.db'}"
        engine = open_store(url)
        if name == "sqlite3":
            engine.dispose()
            writer = open_sqlite_writer(url)
            assert writer is not None
            store: object = writer
        else:
            store = engine
        for until in (END - 90 * 60, END):  # a first read, then a catch-up
            catch_up(
                store,  # type: ignore[arg-type]
                reads=[*reads, down],
                now=from_epoch(END + 30),
                initial=MINUTES * 60,
                until=from_epoch(until),
            )
        store.dispose()  # type: ignore[attr-defined]
        stores.append(open_store(url))
    keys = [*JOBS, "down"]
    seen = []
    for engine in stores:
        with engine.connect() as conn:
            m = buckets.read_matrix(conn, keys=keys, start=START, end=END)
            states = read_states(conn, keys=keys)
            journal = sorted((w.series_id, w.lo, w.hi) for w in read_writes(conn))
            created = [row[0].tzinfo for row in conn.execute(select(series.c.created_at))]
        seen.append(
            (
                m.good.tolist(),
                m.total.tolist(),
                {
                    k: (s.read_until, s.error_code, s.error_at is not None)
                    for k, s in states.items()
                },
                journal,
            )
        )
        assert created  # ...and read back as UTC instants
        assert all(z is not None for z in created)
    assert seen[0] == seen[1]
    assert seen[0][1][: len(JOBS)] == [_expected(events, job, ("200", "500")) for job in JOBS]
    assert seen[0][2]["down"] == (None, "source-unreachable", True)


def _closed_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_evaluate_catches_up_without_loading_sqlalchemy(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    server, events = _server(prometheus)
    ws = _workspace(tmp_path / "ws", server.url)
    earlier = END - 45 * 60
    _evaluate(ws, earlier, "--read")  # the first read creates and migrates the store
    stamp = from_epoch(END).isoformat().replace("+00:00", "Z")
    found = run_python(CATCH_UP_PROBE, str(ws), stamp, stream="stderr")
    assert found == {"code": 0, "sqlalchemy": False}
    with open_store(f"sqlite:///{ws / '.covenant' / 'covenant.db'}").connect() as conn:
        m = buckets.read_matrix(conn, keys=list(JOBS), start=START, end=END)
    assert m.total.tolist() == [_expected(events, job, ("200", "500")) for job in JOBS]


def test_the_first_read_of_evaluate_creates_the_store_without_loading_sqlalchemy(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    """``evaluate --read`` on a new workspace creates its SQLite store from the schema
    snapshot through ``sqlite3`` (``sqlite_writer.create_sqlite_store``) and reads into it."""
    server, events = _server(prometheus)
    ws = _workspace(tmp_path / "ws", server.url)
    stamp = from_epoch(END).isoformat().replace("+00:00", "Z")
    found = run_python(CATCH_UP_PROBE, str(ws), stamp, "--read", stream="stderr")
    assert found == {"code": 0, "sqlalchemy": False}
    path = ws / ".covenant" / "covenant.db"
    reference = tmp_path / "alembic.db"
    engine = open_store(f"sqlite:///{reference}")  # a new store as the engine creates it
    engine.dispose()
    assert sqlite_schema(path) == sqlite_schema(reference)
    with open_store(f"sqlite:///{path}").connect() as conn:
        m = buckets.read_matrix(conn, keys=list(JOBS), start=START, end=END)
        states = read_states(conn, keys=list(JOBS))
    assert m.total.tolist() == [_expected(events, job, ("200", "500")) for job in JOBS]
    # good as code="200", or as total minus bad code!="200": the 200s either way
    assert m.good.tolist() == [_expected(events, job, ("200",)) for job in JOBS]
    assert {s.read_until is not None for s in states.values()} == {True}
