"""A read that loads more samples than Prometheus's ``--query.max-samples`` is split in halves
until each part passes (``sources.prometheus.reads.halving``), and the counts still equal the
engine's from the same events."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from covenant.core.promql import raw_selector
from covenant.definitions.workspace import load_workspace
from covenant.sources.prometheus.client import PrometheusClient, SourceTooManySamplesError
from covenant.sources.prometheus.samples import LOOKBACK_S
from tests import promdata
from tests.promserver import Server
from tests.services.test_prometheus_read import END, MINUTES, RESET, START, _compare

LIMIT = 3000  # samples one query may load: two days of the counters need far more


def test_a_read_over_the_sample_limit_is_split_and_stays_exact(
    engine: Engine, tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    events = promdata.events(START, MINUTES)
    server = prometheus(
        openmetrics=promdata.openmetrics(events, START, MINUTES, reset_at=RESET),
        extra_args=[f"--query.max-samples={LIMIT}"],
    )
    # the limit bites: one read of the whole range is refused with the server's message
    ws = promdata.workspace(tmp_path / "probe", server.url)
    reads = load_workspace(ws).prometheus
    assert reads is not None
    query = reads.reads[0]
    selector = raw_selector(query.total)
    assert selector is not None
    with PrometheusClient(query.source) as client, pytest.raises(SourceTooManySamplesError) as got:
        client.samples(selector, start=START - LOOKBACK_S, end=END)
    assert "too many samples" in str(got.value)
    # the same reads in one part per query: split until they pass, and equal to the engine's
    _compare(engine, tmp_path, server, max_points=11_000)
