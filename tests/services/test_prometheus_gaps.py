"""Reading a range again from a server that no longer has all of it (its retention is shorter
than the range, or it is another, emptier server) keeps the events the store holds where the
server has no data, and says how many minutes that was; minutes it has data for are replaced.

The expected counts come from the events (``test_prometheus_unaligned.expected``): the minute
``[a, a + 1m)`` holds the events first reported by a sample in ``(a, a + 1m]``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from sqlalchemy.engine import Engine

from covenant.core.timeutil import from_epoch
from covenant.definitions.workspace import load_workspace
from covenant.services.prometheus import ReadReport, ingest_prometheus
from covenant.services.prometheus_recorded import read_day_minutes
from covenant.services.read_warnings import unanswered
from covenant.services.store import open_store
from covenant.store import buckets
from covenant.store.day_sums import DaySum, write_day_sums
from covenant.store.db import write_transaction
from tests import promdata
from tests.promserver import Server, openmetrics_text
from tests.services.test_prometheus_unaligned import (
    END,
    KEYS,
    MINUTES,
    START,
    _sum,
    expected,
    samples,
    scrapes,
)
from tests.store.test_kept_sums import _row

CUT = START + 120 * 60  # the second server's data begins here (its retention)
LOST = 121  # api's minutes before CUT, and CUT's own
SERVICE = {"api-availability": "api", "web-availability": "web", "api-latency:lte300": "api"}


def unknown(series: str, since: float = 0) -> list[int]:
    """The minutes of [START, END) a server holding the scrapes from ``since`` on has no
    baseline for: no scrape at the minute's start or in the 5 minutes before it (its samples
    in the minute would only start the count afresh)."""
    taken = [t for t in scrapes(SERVICE[series]) if t >= since]
    return [m for m in range(START, END, 60) if not any(m - 300 < t <= m for t in taken)]


def _ingest(engine: Engine, ws: Path, url: str) -> list[ReadReport]:
    reads = load_workspace(ws).prometheus.reads  # type: ignore[union-attr]
    moved = [replace(r, source=replace(r.source, url=url)) for r in reads]
    reports = ingest_prometheus(engine, reads=moved, start=from_epoch(START), end=from_epoch(END))
    assert [r.error for r in reports] == [None] * len(KEYS)
    return reports


def _stored(engine: Engine) -> tuple[list[list[int]], list[list[int]]]:
    with engine.connect() as conn:
        m = buckets.read_matrix(conn, keys=KEYS, start=START, end=END)
    return m.good.tolist(), m.total.tolist()


def test_a_read_again_keeps_the_stored_events_where_the_server_has_no_data(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    events = promdata.events(START, MINUTES)
    every = samples(events)
    full = prometheus(openmetrics=openmetrics_text(every, counters=["http_requests"]))
    later = [s for s in every if s.timestamp >= CUT]
    short = prometheus(openmetrics=openmetrics_text(later, counters=["http_requests"]))
    empty = prometheus()
    ws = promdata.workspace(tmp_path / "ws", full.url)
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")

    first = _ingest(engine, ws, full.url)
    # every minute answered, but web's 7 silent minutes (the last 5 have the one before)
    assert {r.series: r.unanswered.minutes if r.unanswered else 0 for r in first} == {
        k: len(unknown(k)) for k in KEYS
    }
    assert len(unknown("web-availability")) == 3
    read = _stored(engine)
    api_all = _sum(*(expected(events, ("req", "api", c), "api") for c in promdata.CODES))
    assert read[1][0] == api_all  # the store holds the events' counts
    assert sum(api_all) > 0

    # the server whose data begins at CUT: its minutes replace the stored ones (the same
    # counts), the 121 before are kept as stored, not replaced by zeros
    again = _ingest(engine, ws, short.url)
    assert _stored(engine) == read
    for r in again:
        gap = r.unanswered
        assert gap is not None
        i = KEYS.index(r.series)
        lost = unknown(r.series, since=CUT)  # [START, CUT + 1m): CUT's minute has no baseline
        assert lost[:LOST] == list(range(START, CUT + 60, 60))
        assert (gap.minutes, gap.first, gap.last) == (len(lost), lost[0], lost[-1] + 60)
        rows = [(m - START) // 60 for m in lost]
        # the stored minutes before CUT were kept; CUT's own too when the server's part of it
        # (after its first sample) has fewer events than the store
        before = [j for j in rows if j < (CUT - START) // 60]
        assert sum(read[1][i][j] for j in before) <= gap.kept_total
        assert gap.kept_total <= sum(read[1][i][j] for j in rows)
        assert sum(read[0][i][j] for j in before) <= gap.kept_good
    (line, *_) = unanswered(again)
    assert f"has no data for {LOST:,} of the minutes read, from " in line
    assert "the store's counts were kept where they were higher" in line

    # a server with nothing at all: every minute kept
    none = _ingest(engine, ws, empty.url)
    assert _stored(engine) == read
    assert {r.unanswered.minutes for r in none if r.unanswered} == {MINUTES}
    assert len([r for r in none if r.unanswered]) == len(KEYS)

    # a store that held nothing there: those minutes count what the server had, said so
    fresh = open_store(f"sqlite:///{tmp_path / 'fresh.db'}")
    told = _ingest(fresh, ws, short.url)
    good, total = _stored(fresh)
    assert [row[: LOST - 1] for row in total] == [[0] * (LOST - 1)] * len(KEYS)  # before CUT
    # CUT's minute: the events after the server's first sample only
    assert all(row[LOST - 1] <= full[LOST - 1] for row, full in zip(total, read[1], strict=True))
    assert [row[LOST:] for row in total] == [row[LOST:] for row in read[1]]
    assert [row[LOST:] for row in good] == [row[LOST:] for row in read[0]]
    assert all(r.unanswered is not None and r.unanswered.kept_total == 0 for r in told)
    assert all(line.endswith("count only the events the server had") for line in unanswered(told))


def test_a_day_of_sums_the_server_lacks_is_left_as_stored(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    """A day stored as its exact sums (a first read by days) is not replaced by the minutes of
    a server that has none of them: `ingest prometheus` leaves it and says so; the worker's read
    of its minutes (sums replaced only by minutes adding up to them) fails and reads it later."""
    empty = prometheus()
    ws = promdata.workspace(tmp_path / "ws", empty.url)
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    key = KEYS[0]
    with write_transaction(engine) as conn:
        sid = buckets.ensure_series(conn, keys=[key])[key]
        write_day_sums(conn, [DaySum(sid, START, 90, 100)])
    reads = [r for r in load_workspace(ws).prometheus.reads if r.series == key]  # type: ignore[union-attr]
    (report,) = ingest_prometheus(
        engine, reads=reads, start=from_epoch(START), end=from_epoch(START + 86400)
    )
    assert report.error is None
    assert report.unanswered is not None
    assert (report.unanswered.left, report.unanswered.left_from) == (1440, START)
    assert _row(engine, sid, START)[2:] == (90, 100)  # the day's sums stand
    (line,) = unanswered([report])
    assert "1,440 minutes of days stored as sums were left as they are" in line
    (checked,) = read_day_minutes(engine, {START: reads}, now=from_epoch(START + 90 * 86400))
    assert checked.error is not None
    assert checked.error.code == "source-sums-differ"
    assert "the server has no data for 1,440 minutes of days (hours) stored as" in str(
        checked.error
    )
    assert checked.read_until == from_epoch(START)  # read again later
    assert _row(engine, sid, START)[2:] == (90, 100)
