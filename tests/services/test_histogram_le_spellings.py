"""A histogram's threshold bucket is read whichever way its ``le`` is spelled.

Prometheus 2 (and VictoriaMetrics, Mimir) keep ``le`` as the client wrote it: ``0.5`` (Go,
Python), ``5.0E-1`` (Java's ``Double.toString`` below 0.001 and from 10⁷ on, the same form),
``0.50``, ``5e-1``. Prometheus 3 normalizes it when it ingests. Before, only the spellings Go and
Python write for the objective's value were matched: on Prometheus 2 the buckets written
otherwise counted nothing, and the SLO read fewer good events than there were, without a word;
a histogram written only as ``0.50`` was refused as having no bucket 0.5.

Read from a real Prometheus (typed as gauges, as the fixture writes them, Prometheus 3 keeps
``le`` as written too) and from VictoriaMetrics. Four pods of ``job="mixed"`` spell the bound
0.5 four ways; ``job="padded"`` only as ``0.50``. Samples lie on minute boundaries, so each
minute's counts are the differences written below.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from covenant.core.promql import query_fingerprint
from covenant.core.timeutil import from_epoch
from covenant.definitions.workspace import load_workspace
from covenant.services.prometheus import ingest_prometheus
from covenant.services.read_claims import claim_reads, ensure_series, writing
from covenant.services.store import open_store
from covenant.store import buckets
from covenant.store.source_queries import Claim, claim_queries, stored_queries
from tests.promserver import Sample, Server, openmetrics_text

START = 1_790_000_000 - 1_790_000_000 % 86400
MINUTES = 6
PODS = {"a": "0.5", "b": "0.50", "c": "5e-1", "d": "5.0E-1"}  # pod: its spelling of 0.5


def _samples() -> list[Sample]:
    """Pod number k (1 … 4) of job mixed, and job padded as k = 1: per minute k requests
    within 0.5 s and 2k slower in the first three minutes; only the 3k slower ones after."""
    out: list[Sample] = []
    pods = [("mixed", pod, le, k) for k, (pod, le) in enumerate(PODS.items(), start=1)]
    for job, pod, le, k in [*pods, ("padded", "a", "0.50", 1)]:
        fast = count = 0
        for m in range(MINUTES + 1):
            if m:
                fast += k if m <= 3 else 0
                count += 3 * k
            at = START + 60 * m
            labels = {"job": job, "pod": pod}
            for bound, value in ((le, fast), ("+Inf", count)):
                out.append(Sample("lat_seconds_bucket", {**labels, "le": bound}, value, at))
            out.append(Sample("lat_seconds_count", labels, count, at))
    return out


WORKSPACE = """\
apiVersion: openslo/v1
kind: Service
metadata: {name: shop}
spec: {}
---
apiVersion: openslo/v1
kind: DataSource
metadata: {name: metrics}
spec:
  type: Prometheus
  connectionDetails: {url: URL}
"""
SLI = """---
apiVersion: openslo/v1
kind: SLI
metadata: {name: JOB}
spec:
  thresholdMetric:
    metricSource: {metricSourceRef: metrics, spec: {query: 'lat_seconds_bucket{job="JOB"}'}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: JOB}
spec:
  service: shop
  indicatorRef: JOB
  timeWindow: [{duration: 1d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{op: OP, value: 0.5, target: 0.9}]
"""


def _read(tmp_path: Path, server: Server, op: str) -> dict[str, tuple[list[int], list[int]]]:
    ws = tmp_path / f"ws-{op}"
    ws.mkdir()
    slis = "".join(SLI.replace("JOB", job).replace("OP", op) for job in ("mixed", "padded"))
    (ws / "slos.yaml").write_text(WORKSPACE.replace("URL", server.url) + slis)
    reads = load_workspace(ws).prometheus.reads  # type: ignore[union-attr]
    engine = open_store(f"sqlite:///{tmp_path / f'{op}.db'}")
    keys = [f"mixed:{op}0.5", f"padded:{op}0.5"]
    try:
        reports = ingest_prometheus(
            engine,
            reads=reads,
            start=from_epoch(START),
            end=from_epoch(START + MINUTES * 60),
            max_points=1,  # one minute a read: the slow minutes' bucket is checked as a bound
        )
        assert sorted((r.series, r.error) for r in reports) == [(k, None) for k in keys]
        with engine.connect() as conn:
            m = buckets.read_matrix(conn, keys=keys, start=START, end=START + MINUTES * 60)
    finally:
        engine.dispose()
    return {k: (m.good.tolist()[i], m.total.tolist()[i]) for i, k in enumerate(keys)}


def test_every_spelling_of_the_bound_is_counted(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    _check(tmp_path, prometheus(openmetrics=openmetrics_text(_samples())))


def test_victoria_metrics_keeps_the_spellings_and_every_one_is_counted(
    tmp_path: Path, victoria_metrics: Callable[..., Server]
) -> None:
    server = victoria_metrics()
    lines = "".join(_vm_line(s) for s in _samples())
    request = urllib.request.Request(
        f"{server.url}/api/v1/import/prometheus", data=lines.encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=60):
        pass
    with urllib.request.urlopen(f"{server.url}/internal/force_flush", timeout=60):
        pass
    _check(tmp_path, server)


def _vm_line(s: Sample) -> str:
    """A sample in the text format VictoriaMetrics imports (a millisecond timestamp)."""
    labels = ",".join(f'{k}="{v}"' for k, v in s.labels.items())
    return f"{s.name}{{{labels}}} {int(s.value)} {int(s.timestamp) * 1000}\n"


def _check(tmp_path: Path, server: Server) -> None:
    # mixed: 1 + 2 + 3 + 4 = 10 fast of 3 × 10 = 30 a minute, then 0 of 30; padded: 1 of 3
    assert _read(tmp_path, server, "lte") == {
        "mixed:lte0.5": ([10, 10, 10, 0, 0, 0], [30] * MINUTES),
        "padded:lte0.5": ([1, 1, 1, 0, 0, 0], [3] * MINUTES),
    }
    # op gt reads the same bucket as the bad events: good = count − bucket
    assert _read(tmp_path, server, "gt") == {
        "mixed:gt0.5": ([20, 20, 20, 30, 30, 30], [30] * MINUTES),
        "padded:gt0.5": ([2, 2, 2, 3, 3, 3], [3] * MINUTES),
    }


# Covenant before it matched every spelling wrote the bucket of 0.5 as Go and Python spell it:
OLD_BUCKET = 'sum(increase(lat_seconds_bucket{job="mixed",le=~"0\\\\.5"}[{{.window}}]))'


@pytest.mark.parametrize(
    ("stored", "set_aside"),
    [(OLD_BUCKET, False), (OLD_BUCKET.replace("0\\\\.5", "0\\\\.25"), True)],
)
def test_counts_read_with_the_old_bucket_query_are_kept_on_upgrade(
    tmp_path: Path, stored: str, set_aside: bool
) -> None:
    """A store that an earlier Covenant filled for this SLI keeps its counts: the same counts
    wherever ``le`` is spelled as Go writes it (and on Prometheus 3, always), and a server may
    no longer hold the days they came from. Another query's counts are set aside as ever."""
    ws = tmp_path / "ws"
    ws.mkdir()
    slo = SLI.replace("JOB", "mixed").replace("OP", "lte")
    (ws / "slos.yaml").write_text(WORKSPACE.replace("URL", "http://prometheus:9090") + slo)
    (read,) = load_workspace(ws).prometheus.reads  # type: ignore[union-attr]
    engine = open_store(f"sqlite:///{tmp_path / 'old.db'}")
    at = from_epoch(START)
    try:
        with writing(engine) as conn:
            ids = ensure_series(conn, keys=[read.series], step=60)
            old = query_fingerprint(stored, None, read.total)
            claim = Claim(series_id=ids[read.series], key=read.series, source="metrics", sha256=old)
            claim_queries(conn, [claim], at=at)
        replaced = claim_reads(engine, [read], step=60, at=at)
        with engine.connect() as conn:
            now = stored_queries(conn, [ids[read.series]])
    finally:
        engine.dispose()
    assert (read.series in replaced) == set_aside
    # the series is claimed for the new query, or kept aside with the other one's
    assert now == {ids[read.series]: old if set_aside else read.fingerprint}
