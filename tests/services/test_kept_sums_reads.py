"""A read of minutes never replaces exact stored sums with fewer (or no) events.

A day stored as its sums (90 good / 100 total) and an hour of an hour-piece day stored as its
sums (30 good / 40 total) are read again with ``read_day_minutes`` (what ``refine_days``, the
worker, the CLI readers and ``covenant serve`` use) from a real local HTTP server that speaks
Prometheus' ``query_range`` and answers (a) no samples — retention expired, a relabelled
series, another server —, (b) fewer events, (c) exactly the events of the sums. (a) and (b)
keep the row byte for byte and fail the read with ``source-sums-differ`` naming both counts,
recorded as the series' error (its SLOs "no data (stale)" with it) and remembered by the
worker's backoff; (c) replaces the sums with the minutes. ``covenant ingest prometheus``
(``ingest_prometheus``), the user's explicit read, replaces them and names what it replaced.
Both backends. Expected counts are written by hand.
"""

from __future__ import annotations

import io
import json
import threading
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest
from sqlalchemy.engine import Engine

from covenant.core.promql import PrometheusSource, SeriesQueries
from covenant.services.day_minutes import unread_reasons
from covenant.services.day_retries import DayRetries
from covenant.services.prometheus import ingest_prometheus
from covenant.services.prometheus_recorded import read_day_minutes
from covenant.store import buckets
from covenant.store.bucket_ranges import SumsChange
from covenant.store.chunk_reads import read_matrix
from covenant.store.day_sums import (
    DaySum,
    HourSums,
    day_sum_days,
    hour_sum_days,
    write_day_sums,
    write_hour_sums,
)
from covenant.store.db import write_transaction
from covenant.store.source_state import read_states
from tests.store.test_kept_sums import _row

DAY, HOUR = 86400, 3600
D = int(datetime(2026, 9, 24, tzinfo=UTC).timestamp())  # a day of sums: 90 good / 100 total
NOW = datetime(2026, 12, 1, tzinfo=UTC)
ALL = (1 << 24) - 1
GOOD = "sum(rate(app_good[{{.window}}])) * 60"  # not a counter selector: read by query_range
TOTAL = "sum(rate(app_all[{{.window}}])) * 60"


class Prom:
    """A local HTTP server answering ``query_range`` with one series per query whose point at
    instant ``t`` is ``points[name][t]`` (no point where there is no entry; no series at all
    when the query has no entry): the count of the minute ``[t - 60, t)``."""

    def __init__(self) -> None:
        self.points: dict[str, dict[int, int]] = {}
        self.before_answer: list[Any] = []  # callables run (once each) before an answer
        prom = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(size).decode()))
                assert self.path == "/api/v1/query_range", self.path
                while prom.before_answer:
                    prom.before_answer.pop()()
                body = json.dumps(prom.answer(form)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, form: dict[str, str]) -> dict[str, Any]:
        name = "app_good" if "app_good" in form["query"] else "app_all"
        lo, hi = int(float(form["start"])), int(float(form["end"]))
        found = self.points.get(name, {})
        values = [[t, str(v)] for t, v in sorted(found.items()) if lo <= t <= hi]
        result = [{"metric": {}, "values": values}] if values else []
        return {"status": "success", "data": {"resultType": "matrix", "result": result}}

    def events(self, start: int, good: int, total: int) -> None:
        """``total`` minutes from ``start`` with one event each, the first ``good`` good."""
        self.points = {
            "app_all": {start + 60 * (i + 1): 1 for i in range(total)},
            "app_good": {start + 60 * (i + 1): 1 for i in range(good)},
        }


@pytest.fixture
def prom() -> Iterator[Prom]:
    server = Prom()
    yield server
    server.server.shutdown()
    server.server.server_close()


def _read(url: str) -> SeriesQueries:
    source = PrometheusSource(name="prom", url=url, timeout_s=5.0)
    return SeriesQueries(
        series="web", slos=("web-availability",), sli="web", source=source, good=GOOD, total=TOTAL
    )


def _day_of_sums(engine: Engine) -> int:
    with write_transaction(engine) as conn:
        sid = buckets.ensure_series(conn, keys=["web"])["web"]
        write_day_sums(conn, [DaySum(sid, D, 90, 100)])
    return sid


@pytest.mark.parametrize(
    ("good", "total", "got"),
    [(0, 0, "0 good / 0 total"), (45, 50, "45 good / 50 total")],
    ids=["no-samples", "fewer"],
)
def test_a_read_that_does_not_add_up_keeps_a_day_of_sums_and_fails(
    engine: Engine, prom: Prom, good: int, total: int, got: str
) -> None:
    sid = _day_of_sums(engine)
    before = _row(engine, sid, D)
    prom.events(D, good, total)
    (report,) = read_day_minutes(engine, {D: [_read(prom.url)]}, now=NOW)
    assert _row(engine, sid, D) == before  # byte for byte
    assert report.error is not None
    assert not report.complete
    assert report.error.code == "source-sums-differ"
    message = report.error.message
    assert "prom, series 'web'" in message
    assert "the day 2026-09-24" in message
    assert f"add up to {got} events" in message
    assert "holds its exact sums, 90 good / 100 total" in message
    for cause in ("retention", "relabelled", "another server"):
        assert cause in message
    assert "the sums were kept" in message
    assert "covenant ingest prometheus --from 2026-09-24T00:00:00Z --to 2026-09-25T00:00:00Z" in (
        report.error.hint
    )
    # recorded as the series' error: its SLOs show "no data (stale)" with it
    with engine.connect() as conn:
        state = read_states(conn, keys=["web"])["web"]
        assert state.error_code == "source-sums-differ"
        assert state.error == message
        stale = unread_reasons(conn, {sid: {D}})["web"]
    reason = stale.reason
    assert reason.startswith("stale: the minutes of 2026-09-24 are not read yet")
    assert f"[source-sums-differ]: {message}" in reason
    assert (stale.kind, stale.source, stale.code) == ("days-unread", "prom", "source-sums-differ")
    assert stale.held
    # the worker's backoff counts it as any failed read
    retries = DayRetries()
    retries.record([report], now=NOW)
    failure = retries.failure("web", D)
    assert failure is not None
    assert failure.code == "source-sums-differ"
    assert not retries.due("web", D, now=NOW)


def test_a_read_of_the_exact_events_replaces_a_day_of_sums(engine: Engine, prom: Prom) -> None:
    sid = _day_of_sums(engine)
    prom.events(D, 90, 100)
    (report,) = read_day_minutes(engine, {D: [_read(prom.url)]}, now=NOW)
    assert report.error is None
    assert report.complete
    assert (report.good, report.total) == (90, 100)
    with engine.connect() as conn:
        assert day_sum_days(conn, series_ids=[sid], before=D + DAY) == {}
        m = read_matrix(conn, keys=["web"], start=D, end=D + DAY)
    assert m.total[0].tolist() == [1] * 100 + [0] * 1340
    assert m.good[0].tolist() == [1] * 90 + [0] * 1350


def test_the_check_compares_with_the_row_as_stored_when_writing(engine: Engine, prom: Prom) -> None:
    """Another write changes the day's sums while the server answers (after the read began,
    before its write): the minutes are compared with the sums stored then, not before."""
    sid = _day_of_sums(engine)
    prom.events(D, 90, 100)  # the events of the sums as they were when the read began

    def rewrite() -> None:
        with write_transaction(engine) as conn:
            write_day_sums(conn, [DaySum(sid, D, 91, 101)])

    prom.before_answer.append(rewrite)
    (report,) = read_day_minutes(engine, {D: [_read(prom.url)]}, now=NOW)
    assert report.error is not None
    assert report.error.code == "source-sums-differ"
    assert "add up to 90 good / 100 total events" in report.error.message
    assert "holds its exact sums, 91 good / 101 total" in report.error.message
    assert _row(engine, sid, D) == (8, np.asarray([91, 101], dtype="<u8").tobytes(), 91, 101)


def _hour_pieces(engine: Engine) -> int:
    """Hour 2 real minutes (60 of 1 good / 1 total), hour 5 summed (30 good / 40 total)."""
    g, t = np.zeros(1440, dtype=np.int64), np.zeros(1440, dtype=np.int64)
    g[120:180], t[120:180] = 1, 1
    g[300], t[300] = 30, 40
    with write_transaction(engine) as conn:
        sid = buckets.ensure_series(conn, keys=["web"])["web"]
        write_hour_sums(conn, [HourSums(sid, D, g, t, ALL & ~(1 << 5))])
    return sid


@pytest.mark.parametrize(
    ("good", "total", "got"),
    [(0, 0, "0 good / 0 total"), (20, 25, "20 good / 25 total")],
    ids=["no-samples", "fewer"],
)
def test_a_read_that_does_not_add_up_keeps_a_summed_hour_and_fails(
    engine: Engine, prom: Prom, good: int, total: int, got: str
) -> None:
    sid = _hour_pieces(engine)
    before = _row(engine, sid, D)
    hour = D + 5 * HOUR
    prom.events(hour, good, total)
    (report,) = read_day_minutes(engine, {hour: [_read(prom.url)]}, now=NOW, span=HOUR)
    assert _row(engine, sid, D) == before
    assert report.error is not None
    assert report.error.code == "source-sums-differ"
    message = report.error.message
    assert "the hour 2026-09-24T05:00–06:00Z" in message
    assert f"add up to {got} events" in message
    assert "holds its exact sums, 30 good / 40 total" in message
    assert "--from 2026-09-24T05:00:00Z --to 2026-09-24T06:00:00Z" in report.error.hint
    with engine.connect() as conn:
        assert hour_sum_days(conn, series_ids=[sid], days=[D]) == {(sid, D): ALL & ~(1 << 5)}
        assert read_states(conn, keys=["web"])["web"].error_code == "source-sums-differ"


def test_a_read_of_the_exact_events_replaces_a_summed_hour(engine: Engine, prom: Prom) -> None:
    sid = _hour_pieces(engine)
    hour = D + 5 * HOUR
    prom.events(hour, 30, 40)
    (report,) = read_day_minutes(engine, {hour: [_read(prom.url)]}, now=NOW, span=HOUR)
    assert report.error is None
    assert (report.good, report.total) == (30, 40)
    with engine.connect() as conn:
        assert hour_sum_days(conn, series_ids=[sid], days=[D]) == {}
        m = read_matrix(conn, keys=["web"], start=D, end=D + DAY)
    assert m.total[0, 300:360].tolist() == [1] * 40 + [0] * 20
    assert m.good[0, 300:360].tolist() == [1] * 30 + [0] * 30
    assert m.total[0, 120:180].tolist() == [1] * 60  # hour 2 as it was
    assert int(m.total[0].sum()) == 100


def test_ingest_prometheus_replaces_the_sums_and_says_so(engine: Engine, prom: Prom) -> None:
    from rich.console import Console  # noqa: PLC0415

    from covenant.cli.ingest_prometheus import render  # noqa: PLC0415
    from covenant.services.read_report import report_json  # noqa: PLC0415

    sid = _day_of_sums(engine)
    prom.events(D, 45, 50)
    (report,) = ingest_prometheus(
        engine,
        reads=[_read(prom.url)],
        start=datetime(2026, 9, 24, tzinfo=UTC),
        end=datetime(2026, 9, 25, tzinfo=UTC),
        now=NOW,
    )
    assert report.error is None
    assert report.replaced == (SumsChange(sid, D, DAY, 90, 100, 45, 50, kept=False),)
    assert _row(engine, sid, D)[2:] == (45, 50)
    assert report_json(report)["replaced_sums"] == [
        {
            "from": "2026-09-24T00:00:00Z",
            "to": "2026-09-25T00:00:00Z",
            "stored": {"good": 90, "total": 100},
            "read": {"good": 45, "total": 50},
        }
    ]
    out = io.StringIO()
    render([report], Console(file=out, width=200))
    shown = " ".join(out.getvalue().split())
    assert (
        "web: the exact sums of the day 2026-09-24, 90 good / 100 total (a first read by days), "
        "were replaced by the minutes read, 45 good / 50 total"
    ) in shown


def test_evaluate_reads_sqlite_writer_keeps_the_sums_too(sqlite_engine: Engine, prom: Prom) -> None:
    """``covenant evaluate --read`` writes a SQLite store through ``sqlite3`` (no SQLAlchemy):
    the same check, in its write transaction."""
    from covenant.store.sqlite_writer import open_sqlite_writer  # noqa: PLC0415

    sid = _day_of_sums(sqlite_engine)
    before = _row(sqlite_engine, sid, D)
    prom.events(D, 0, 0)
    writer = open_sqlite_writer(str(sqlite_engine.url))
    assert writer is not None
    try:
        (report,) = read_day_minutes(writer, {D: [_read(prom.url)]}, now=NOW)
    finally:
        writer.dispose()
    assert report.error is not None
    assert report.error.code == "source-sums-differ"
    assert _row(sqlite_engine, sid, D) == before
    with sqlite_engine.connect() as conn:
        assert read_states(conn, keys=["web"])["web"].error_code == "source-sums-differ"


def test_a_kept_hour_stops_the_read_there_and_what_came_before_is_written(
    engine: Engine, prom: Prom
) -> None:
    """A read of the whole day: the server has one event a minute in hours 2 to 4 and none in
    hour 5 (stored as 30/40 sums). Hour 5 keeps its sums and the read fails there; the hours
    before it hold the server's minutes (60 each), so the frontier at 05:00 hides nothing."""
    sid = _hour_pieces(engine)
    prom.events(D + 2 * HOUR, 180, 180)
    (report,) = read_day_minutes(engine, {D: [_read(prom.url)]}, now=NOW)
    assert report.error is not None
    assert report.error.code == "source-sums-differ"
    assert report.read_until == datetime(2026, 9, 24, 5, tzinfo=UTC)
    with engine.connect() as conn:
        assert hour_sum_days(conn, series_ids=[sid], days=[D]) == {(sid, D): ALL & ~(1 << 5)}
        m = read_matrix(conn, keys=["web"], start=D, end=D + 5 * HOUR)
    assert [int(m.total[0, h * 60 : (h + 1) * 60].sum()) for h in range(5)] == [0, 0, 60, 60, 60]
    assert _row(engine, sid, D)[2:] == (180 + 30, 180 + 40)
