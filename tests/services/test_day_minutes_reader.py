"""``covenant serve``'s reader of day minutes (``services.day_minutes_serve.MinutesReader``)
against a real local HTTP server standing in for Prometheus, which counts the requests it gets
and can hold them, refuse them (HTTP 400, no retry) or answer with a counter's samples.

The contract (docs/prometheus.md, "A first read by days"), for one request asked again and
again: ``minutes-pending`` while its days are queued or being read, and only then; after the
read the figures, or ``minutes-unread`` for a minute; a failed read is tried again only on the
first request a minute after it failed; at most ``workers`` threads read, one read per
``(series, day)`` at a time, and no more than ``max_waiting`` series-days wait (beyond:
``minutes-busy``, nothing queued).

The reader's clock for the minute is the ``monotonic`` it is given (a plain number here): the
tests move it instead of waiting.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from covenant.core.promql import PrometheusSource, SeriesQueries
from covenant.errors import CovenantError, DaySumsOnlyError
from covenant.services.day_minutes_serve import MinutesReader, answer_for
from covenant.services.store import open_store
from covenant.store.buckets import ensure_series, read_matrix
from covenant.store.day_sums import DaySum, day_sum_days, write_day_sums
from covenant.store.db import write_transaction

DAY = 86400
FIRST = int(datetime(2026, 11, 20, tzinfo=UTC).timestamp())
DAYS = [FIRST + k * DAY for k in range(6)]
NOW = datetime(2026, 12, 1, tzinfo=UTC)
REFUSED = {"status": "error", "errorType": "bad_data", "error": "the test server refuses"}


def _counter(form: dict[str, str]) -> dict[str, Any]:
    """The answer to ``selector[Ns]`` at ``time``: a counter of good requests that rises by
    one every minute (a sample on each minute boundary in the range)."""
    end = int(float(form["time"]))
    found = re.search(r"\[(\d+)s\]$", form["query"])
    assert found is not None, form
    start = end - int(found.group(1))
    first = start + (-start) % 60 if start % 60 else start + 60
    values = [[t, str(t // 60)] for t in range(first, end + 1, 60)]
    labels = {"__name__": "http_requests_total", "job": "api", "code": "200"}
    return {
        "status": "success",
        "data": {"resultType": "matrix", "result": [{"metric": labels, "values": values}]},
    }


class Prom:
    """A local HTTP server answering every request with ``mode``: ``refuse`` (400), ``counter``
    (the samples of a counter, ``_counter``); while ``hold`` is clear it keeps each request
    open first."""

    def __init__(self) -> None:
        self.mode = "refuse"
        self.hold = threading.Event()
        self.hold.set()
        self.lock = threading.Lock()
        self.received = 0
        self.open = 0
        self.most_open = 0
        prom = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                text = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                prom.handle(self, dict(urllib.parse.parse_qsl(text)))

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def handle(self, request: BaseHTTPRequestHandler, form: dict[str, str]) -> None:
        with self.lock:
            self.received += 1
            self.open += 1
            self.most_open = max(self.most_open, self.open)
        self.hold.wait(60)
        body = json.dumps(_counter(form) if self.mode == "counter" else REFUSED).encode()
        with self.lock:
            self.open -= 1
        request.send_response(200 if self.mode == "counter" else 400)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def until_open(self, n: int) -> None:
        """Wait (at most a minute) until ``n`` requests are held open."""
        end = time.monotonic() + 60
        while time.monotonic() < end:
            with self.lock:
                if self.open >= n:
                    return
            time.sleep(0.02)
        raise AssertionError(f"{n} requests were never open at once ({self.open})")

    def stop(self) -> None:
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def prom() -> Iterator[Prom]:
    server = Prom()
    yield server
    server.stop()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _setup(tmp_path: Path, prom: Prom, keys: tuple[str, ...] = ("api",)) -> tuple[Engine, dict]:
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    with write_transaction(engine) as conn:
        ids = ensure_series(conn, keys=list(keys))
        write_day_sums(conn, [DaySum(ids[k], d, 90, 100) for k in keys for d in DAYS])
    return engine, ids


def _reads(prom: Prom, keys: tuple[str, ...] = ("api",)) -> list[SeriesQueries]:
    source = PrometheusSource(name="prometheus", url=prom.url)
    return [
        SeriesQueries(
            series=k,
            slos=(f"{k}-availability",),
            sli=k,
            source=source,
            total=f'sum(increase(http_requests_total{{job="{k}"}}[{{{{.window}}}}]))',
            good=f'sum(increase(http_requests_total{{job="{k}", code="200"}}[{{{{.window}}}}]))',
        )
        for k in keys
    ]


def _reader(engine: Engine, prom: Prom, clock: Clock, **more: Any) -> MinutesReader:
    reads = _reads(prom, more.pop("keys", ("api",)))
    return MinutesReader(
        engine=lambda: engine, reads=lambda: reads, clock=lambda: NOW, monotonic=clock, **more
    )


def _refused(*pairs: tuple[int, int]) -> DaySumsOnlyError:
    return DaySumsOnlyError("days stored as sums only", needed=pairs)


def _codes(reader: MinutesReader, refused: DaySumsOnlyError, n: int) -> list[str]:
    return [reader.answer(refused).code for _ in range(n)]


def test_a_failed_read_is_tried_again_only_after_a_minute(tmp_path: Path, prom: Prom) -> None:
    engine, ids = _setup(tmp_path, prom)
    clock = Clock()
    reader = _reader(engine, prom, clock)
    refused = _refused((ids["api"], DAYS[0]), (ids["api"], DAYS[1]))
    first = reader.answer(refused)
    assert first.code == "minutes-pending"
    assert "2026-11-20, 2026-11-21 of SLO api-availability" in first.message
    assert reader.wait(60)
    one_read = prom.received
    assert one_read >= 2  # each of the two days was asked for
    unread = reader.answer(refused)
    assert unread.code == "minutes-unread"
    assert "SLO api-availability: the minutes of 2026-11-20, 2026-11-21" in unread.message
    assert "the test server refuses" in unread.message
    clock.now += 59.9
    assert _codes(reader, refused, 3) == ["minutes-unread"] * 3
    assert reader.idle()
    assert prom.received == one_read  # nothing was asked in the minute
    clock.now += 0.1  # a minute after the failure
    assert reader.answer(refused).code == "minutes-pending"
    assert reader.wait(60)
    assert prom.received == 2 * one_read  # read once more, the same way
    assert reader.answer(refused).code == "minutes-unread"
    assert prom.received == 2 * one_read
    # a day of the same series not read before is read at once
    assert reader.answer(_refused((ids["api"], DAYS[2]))).code == "minutes-pending"
    assert reader.wait(60)
    assert prom.received > 2 * one_read
    engine.dispose()


def test_pending_only_while_in_flight_then_one_outcome(tmp_path: Path, prom: Prom) -> None:
    """Asked again and again: pending while the read is held open by the server (which gets
    one request: the day is read once, whoever asks), then the outcome and nothing else."""
    engine, ids = _setup(tmp_path, prom)
    clock = Clock()
    reader = _reader(engine, prom, clock)
    refused = _refused((ids["api"], DAYS[0]))
    prom.hold.clear()
    answers = _codes(reader, refused, 1)
    prom.until_open(1)
    answers += _codes(reader, refused, 5)
    assert prom.received == 1
    prom.hold.set()
    assert reader.wait(60)
    answers += _codes(reader, refused, 5)
    assert answers == ["minutes-pending"] * 6 + ["minutes-unread"] * 5
    assert prom.received == 1


def test_read_then_figures_or_still_sums_unread(tmp_path: Path, prom: Prom) -> None:
    """A read that succeeds stores the day's minutes (one event a minute: 1,440), so the
    request is answered with figures; when the day is sums again after it — written back as a
    first read by days of another process does — the answer is minutes-unread for a minute,
    not minutes-pending for ever, then the day is read again: the server's minutes do not add
    up to those sums, so they stay and the answer names both counts."""
    engine, ids = _setup(tmp_path, prom)
    clock = Clock()
    reader = _reader(engine, prom, clock)
    prom.mode = "counter"
    sid = ids["api"]
    with write_transaction(engine) as conn:  # the day's sums as the counter has them: one
        # good event a minute (minutes that add up to other counts keep the sums)
        write_day_sums(conn, [DaySum(sid, DAYS[0], 1440, 1440)])
    refused = _refused((sid, DAYS[0]))
    assert reader.answer(refused).code == "minutes-pending"
    assert reader.wait(60)
    read = prom.received
    with engine.connect() as conn:
        assert day_sum_days(conn, series_ids=[sid], before=DAYS[-1] + DAY) == {sid: DAYS[1:]}
        day = read_matrix(conn, keys=["api"], start=DAYS[0], end=DAYS[0] + DAY)
    assert day.total[0].tolist() == [1] * 1440
    assert day.good[0].tolist() == [1] * 1440
    with write_transaction(engine) as conn:
        write_day_sums(conn, [DaySum(sid, DAYS[0], 90, 100)])
    again = reader.answer(refused)
    assert again.code == "minutes-unread"
    assert "still stored as their counts only" in again.message
    assert "covenant ingest prometheus --from 2026-11-20T00:00:00Z" in again.hint
    clock.now += 59
    assert reader.answer(refused).code == "minutes-unread"
    assert prom.received == read
    clock.now += 1
    assert reader.answer(refused).code == "minutes-pending"
    assert reader.wait(60)
    assert prom.received == 2 * read
    # the server's 1,440 events a day are not the 90 of 100 now stored: the sums stay and the
    # read failed, saying so
    still = reader.answer(refused)
    assert still.code == "minutes-unread"
    assert "add up to 1,440 good / 1,440 total events" in still.message
    assert "holds its exact sums, 90 good / 100 total" in still.message
    with engine.connect() as conn:
        assert day_sum_days(conn, series_ids=[sid], before=DAYS[-1] + DAY) == {sid: DAYS}
    engine.dispose()


def test_threads_and_waiting_days_are_bounded(tmp_path: Path, prom: Prom) -> None:
    """Two threads read one series-day each at once (the server never has more than two
    requests open); at most four series-days wait: a request that would make more is
    minutes-busy and queues nothing, one that needs more than four alone is minutes-unread
    with the command that reads them."""
    keys = ("a", "b", "c")
    engine, ids = _setup(tmp_path, prom, keys)
    clock = Clock()
    reader = _reader(engine, prom, clock, keys=keys, workers=2, batch=1, max_waiting=4)
    prom.hold.clear()
    first = _refused((ids["a"], DAYS[0]), (ids["b"], DAYS[0]), (ids["c"], DAYS[0]))
    assert reader.answer(first).code == "minutes-pending"
    prom.until_open(2)
    readers = [t for t in threading.enumerate() if t.name == "covenant-day-minutes"]
    assert len(readers) == 2
    busy = reader.answer(_refused((ids["a"], DAYS[1]), (ids["b"], DAYS[1])))
    assert busy.code == "minutes-busy"
    assert getattr(busy, "retry_after_s", None) == 30
    assert "3 series-days already (at most 4)" in busy.message
    assert reader.answer(_refused((ids["a"], DAYS[1]))).code == "minutes-pending"  # 4 of 4
    assert reader.answer(first).code == "minutes-pending"  # all waiting already
    too_many = reader.answer(_refused(*((ids["c"], d) for d in DAYS[1:])))
    assert too_many.code == "minutes-unread"
    assert "5 series-days" in too_many.message
    assert "covenant ingest prometheus --from 2026-11-21T00:00:00Z --to 2026-11-26" in (
        too_many.hint
    )
    prom.hold.set()
    assert reader.wait(60)
    assert prom.most_open == 2
    with engine.connect() as conn:  # the days read (refused) keep their sums
        found = day_sum_days(conn, series_ids=list(ids.values()), before=DAYS[-1] + DAY)
    assert found == dict.fromkeys(ids.values(), DAYS)
    engine.dispose()


def test_a_customer_is_told_busy_without_names(tmp_path: Path, prom: Prom) -> None:
    engine, ids = _setup(tmp_path, prom)
    clock = Clock()
    reader = _reader(engine, prom, clock, max_waiting=1)
    prom.hold.clear()
    assert reader.answer(_refused((ids["api"], DAYS[0]))).code == "minutes-pending"
    told: CovenantError = answer_for(reader, _refused((ids["api"], DAYS[1])), customer=True)
    assert told.code == "minutes-busy"
    assert "api" not in told.message
    prom.hold.set()
    assert reader.wait(60)
    engine.dispose()
