"""A series' stale error clears on the first successful read, even one that has nothing new to
store (docs/prometheus.md, "When reading fails").

Against a real Prometheus (back-filled counters, tests/promdata.py) on each store: the catch-up
at 01:02:30 reads up to 01:00 (two minutes' lag); an evaluation's read to 01:02:30 with the
DataSource on a dead port fails and marks every series stale; the source answering again in the
same minute, the next catch-up has no new minute to read (its frontier is 01:00 already), reads
the last minute again, and the error is gone, the stored counts unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from sqlalchemy.engine import Engine

from covenant.core.promql import SeriesQueries
from covenant.core.timeutil import from_epoch
from covenant.definitions.workspace import load_workspace
from covenant.services.prometheus import catch_up
from covenant.store import buckets
from covenant.store.source_reads import read_states, stale_reasons
from tests import promdata
from tests.promserver import Server

START = 1_790_000_000 - 1_790_000_000 % 86400  # a UTC midnight in 2026
MINUTES = 240
DOWN = "http://127.0.0.1:9"  # nothing listens: connection refused at once
LATENCY = "api-latency:lte300"


def _reads(folder: Path, url: str) -> list[SeriesQueries]:
    source = load_workspace(promdata.workspace(folder, url)).prometheus
    assert source is not None
    return list(source.reads)


def test_a_source_answering_again_clears_the_error_without_a_new_minute(
    engine: Engine, tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    events = promdata.events(START, MINUTES)
    server = prometheus(openmetrics=promdata.openmetrics(events, START, MINUTES))
    up = _reads(tmp_path / "up", server.url)
    down = _reads(tmp_path / "down", DOWN)
    keys = sorted(r.series for r in up)
    now = from_epoch(START + 3600 + 150)  # 01:02:30
    first = catch_up(engine, reads=up, now=now, initial=3600)
    assert {(r.start, r.end, r.complete) for r in first} == {
        (from_epoch(START), from_epoch(START + 3600), True)
    }
    failed = catch_up(engine, reads=down, now=now, initial=3600, until=now)
    assert {r.error.code for r in failed if r.error is not None} == {"source-unreachable"}
    assert len(failed) == len(keys)
    at = START + 3600 + 120  # the evaluation's minute, 01:02
    with engine.connect() as conn:
        stale = stale_reasons(conn, keys=keys, at=at)
        states = read_states(conn, keys=keys)
    assert sorted(stale) == keys
    assert all(
        "[source-unreachable]" in s.reason and "data up to" in s.reason for s in stale.values()
    )
    assert {s.code for s in stale.values()} == {"source-unreachable"}
    assert {s.read_until for s in states.values()} == {START + 3600}
    with engine.connect() as conn:
        before = buckets.read_matrix(conn, keys=keys, start=START, end=START + 2 * 3600)

    # the same minute, the source answers: nothing new is complete (01:02:50 − 2 min lag)
    again = catch_up(engine, reads=up, now=from_epoch(START + 3600 + 170), initial=3600)
    assert {(r.start, r.end, r.complete) for r in again} == {
        (from_epoch(START + 3600 - 60), from_epoch(START + 3600), True)
    }
    with engine.connect() as conn:
        assert stale_reasons(conn, keys=keys, at=at) == {}
        states = read_states(conn, keys=keys)
        after = buckets.read_matrix(conn, keys=keys, start=START, end=START + 2 * 3600)
    assert {(s.read_until, s.error, s.error_code) for s in states.values()} == {
        (START + 3600, None, None)
    }
    assert after.total.tolist() == before.total.tolist()
    assert after.good.tolist() == before.good.tolist()
    # the counts are the events' own: api requests per minute of the first hour, none after
    per_minute = np.zeros(120, dtype=np.int64)
    for e in events:
        if e.service == "api" and e.at < START + 3600:
            per_minute[(e.at - START) // 60] += 1
    assert after.total[keys.index(LATENCY)].tolist() == per_minute.tolist()
    # and with nothing failed, a catch-up with nothing new reads nothing
    assert catch_up(engine, reads=up, now=from_epoch(START + 3600 + 175), initial=3600) == []


def test_a_source_still_down_keeps_the_error(
    engine: Engine, tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    """The read of the last minute again fails while the source is down: the error stays
    (with the time of that failure), the counts stay."""
    events = promdata.events(START, MINUTES)
    server = prometheus(openmetrics=promdata.openmetrics(events, START, MINUTES))
    up = _reads(tmp_path / "up", server.url)
    down = _reads(tmp_path / "down", DOWN)
    keys = sorted(r.series for r in up)
    now = from_epoch(START + 3600 + 150)
    catch_up(engine, reads=up, now=now, initial=3600)
    catch_up(engine, reads=down, now=now, initial=3600, until=now)
    server.stop()
    retried = catch_up(engine, reads=up, now=from_epoch(START + 3600 + 170), initial=3600)
    assert len(retried) == len(keys)
    assert all(r.error is not None and not r.complete for r in retried)
    with engine.connect() as conn:
        stale = stale_reasons(conn, keys=keys, at=START + 3600 + 120)
    assert sorted(stale) == keys
