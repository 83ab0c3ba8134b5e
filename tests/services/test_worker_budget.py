"""A Prometheus that hangs costs a worker tick one query's time, not one per query: the
source's queries of a tick stop once one got no answer (a local server that never answers in
time plays the hanging Prometheus; its requests are counted, never timed)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from covenant.core.results import Status
from covenant.definitions.workspace import Workspace, analyse_text
from covenant.services.prometheus import WORKERS
from covenant.services.store import open_store
from covenant.services.worker import Worker
from tests.sources.promfake import Answer, fake_prometheus

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SLIS = 10
ATTEMPTS = 3


def _workspace(url: str) -> Workspace:
    docs = [
        "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: prom}\n"
        f'spec: {{type: Prometheus, connectionDetails: {{url: "{url}", timeout: 200ms}}}}\n'
    ]
    docs += [
        f"""apiVersion: openslo/v1
kind: SLO
metadata: {{name: s{i}}}
spec:
  service: shop
  indicator:
    metadata: {{name: s{i}}}
    spec:
      ratioMetric:
        counter: true
        good: {{metricSource: {{metricSourceRef: prom, spec: {{query: good_{i}}}}}}}
        total: {{metricSource: {{metricSourceRef: prom, spec: {{query: total_{i}}}}}}}
  timeWindow: [{{duration: 1d, isRolling: true}}]
  budgetingMethod: Occurrences
  objectives: [{{target: 0.99}}]
"""
        for i in range(SLIS)
    ]
    workspace, problems = analyse_text("---\n".join(docs))
    assert workspace is not None, problems
    return workspace


def test_a_hanging_prometheus_is_asked_one_round_per_tick(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        with fake_prometheus(lambda form, _: Answer(body=b"{}", delay_s=5.0)) as fake:
            workspace = _workspace(fake.url)
            assert len(workspace.prometheus.reads) == SLIS  # type: ignore[union-attr]
            worker = Worker(engine, first_reads=SLIS)  # every first read in this tick
            result = worker.tick(workspace, NOW)
            # without the tick's budget: every SLI's first query, three attempts each (30);
            # with it: at most the queries in flight when the first gave up, 3 attempts each
            asked = len(fake.requests)
            assert ATTEMPTS <= asked <= WORKERS * ATTEMPTS
            problems = " ".join(result.problems)
            assert "not asked: an earlier query of this tick got no answer" in problems
            evaluations = result.report.evaluations
            assert len(evaluations) == SLIS
            for e in evaluations:
                assert e.status is Status.NO_DATA
                assert e.no_data is not None
                assert "[source-unreachable]" in e.no_data
            worker.tick(workspace, NOW.replace(minute=1))  # the next tick asks again
            assert ATTEMPTS <= len(fake.requests) - asked <= WORKERS * ATTEMPTS
    finally:
        engine.dispose()
