"""A latency SLI whose threshold is not one of the histogram's bounds is refused, not 0 %.

``tests/promdata.py`` exports ``http_request_duration_ms_bucket`` with the bounds 100, 300,
1000 and +Inf to a real Prometheus. An objective of 250 ms matches no bucket: before, the read
counted no good event in any minute and the SLO read 0 % (and paged). Now the read fails,
naming the bounds there are and the fix, and stores nothing. An objective of 100 ms does match
a bucket: read one minute at a time, the minutes with requests but none that fast are good 0
(the bucket is there), and every count equals the one counted from the events.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.core.timeutil import from_epoch
from covenant.definitions.workspace import load_workspace
from covenant.services.prometheus import ingest_prometheus
from covenant.services.store import open_store
from covenant.store import buckets
from tests import promdata
from tests.promserver import Server

START = 1_790_000_000 - 1_790_000_000 % 86400
MINUTES = 120
OBJECTIVE = "objectives: [{op: lte, value: 300, target: 0.95}]"


def _served(
    tmp_path: Path, prometheus: Callable[..., Server], threshold: int
) -> tuple[Path, list[promdata.Event]]:
    """The events on a real Prometheus, and a workspace whose latency objective is
    ``threshold`` ms."""
    events = promdata.events(START, MINUTES)
    server = prometheus(openmetrics=promdata.openmetrics(events, START, MINUTES))
    ws = promdata.workspace(tmp_path / "ws", server.url)
    text = (ws / "slos.yaml").read_text()
    assert OBJECTIVE in text
    (ws / "slos.yaml").write_text(text.replace(OBJECTIVE, OBJECTIVE.replace("300", str(threshold))))
    return ws, events


def test_a_threshold_that_is_no_bucket_bound_is_refused_naming_the_bounds(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    ws, _ = _served(tmp_path, prometheus, 250)
    args = ["ingest", "prometheus", "-w", str(ws), "--format", "json", "--slo", "api-latency"]
    args += ["--from", from_epoch(START).isoformat(), "--to", from_epoch(START + 3600).isoformat()]
    done = CliRunner().invoke(app, args, env={"COVENANT_DATABASE_URL": ""})
    assert done.exit_code == 1, done.output
    (row,) = json.loads(done.stdout)["series"]
    assert (row["series"], row["buckets"], row["total"]) == ("api-latency:lte250", 0, 0)
    said = json.dumps(row["error"], ensure_ascii=False).replace('\\"', '"')
    assert 'the histogram http_request_duration_ms_bucket has no bucket le="250"' in said
    assert "its bounds there: 100, 300, 1000, +Inf" in said
    assert "set the objective's value to one of the histogram's bounds" in said


def test_a_bound_that_counted_nothing_in_a_minute_is_good_zero_there(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    ws, events = _served(tmp_path, prometheus, 100)
    reads = [r for r in load_workspace(ws).prometheus.reads if r.series == "api-latency:lte100"]  # type: ignore[union-attr]
    engine = open_store(f"sqlite:///{tmp_path / 'one.db'}")
    try:
        (report,) = ingest_prometheus(
            engine,
            reads=reads,
            start=from_epoch(START),
            end=from_epoch(START + MINUTES * 60),
            max_points=1,  # one minute per read: a minute without a fast request is checked
        )
        assert report.error is None
        with engine.connect() as conn:
            m = buckets.read_matrix(
                conn, keys=["api-latency:lte100"], start=START, end=START + MINUTES * 60
            )
    finally:
        engine.dispose()
    api = [e for e in events if e.service == "api"]
    good = [0] * MINUTES
    total = [0] * MINUTES
    for e in api:
        minute = (e.at - START) // 60
        total[minute] += 1
        good[minute] += e.latency_ms <= 100
    # the premise: minutes with requests and none within 100 ms
    assert any(t > 0 and g == 0 for g, t in zip(good, total, strict=True))
    assert (m.good.tolist()[0], m.total.tolist()[0]) == (good, total)
