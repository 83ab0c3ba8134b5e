"""``covenant ingest prometheus`` with a ``--to`` after now reads up to now, not beyond.

Before, ``--to +3M`` (or the end of the current month) read the minutes after now as empty,
stored them as zero counts and moved the series' read frontier months ahead: every catch-up
(``covenant evaluate``, the worker) then started there and never stored the minutes as they
came, so the SLOs kept the counts of the day of that command until the date passed.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.engine import Engine

from covenant.core.timeutil import from_epoch, utc_text
from covenant.errors import InputError
from covenant.services.prometheus import catch_up, ingest_prometheus
from covenant.store import buckets
from tests.sources.promfake import fake_prometheus
from tests.sources.test_prometheus_errors import T0, counts_answer, queries

NOW = from_epoch(T0 + 600 + 17)  # 10 minutes (and 17 s) into the range


def _counts(engine: Engine, minutes: int) -> tuple[list[int], list[int]]:
    with engine.connect() as conn:
        m = buckets.read_matrix(conn, keys=["api"], start=T0, end=T0 + minutes * 60)
    return m.good[0].tolist(), m.total[0].tolist()


def test_a_to_after_now_reads_up_to_now_and_the_catch_up_goes_on_from_there(
    engine: Engine,
) -> None:
    with fake_prometheus(counts_answer(good=3, total=4)) as fake:
        (report,) = ingest_prometheus(
            engine,
            reads=[queries(fake.url)],
            start=from_epoch(T0),
            end=from_epoch(T0 + 90 * 86400),  # --to three months ahead
            now=NOW,
        )
        assert report.error is None
        assert report.read_until == from_epoch(T0 + 600)  # now, floored to the minute
        assert (report.buckets, report.good, report.total) == (10, 30, 40)
        # ten minutes later, a catch-up stores the ten minutes after the first read
        later = from_epoch(T0 + 1200 + 17)
        (caught,) = catch_up(engine, reads=[queries(fake.url)], now=later, initial=3600, lag_s=0)
    assert caught.error is None
    assert caught.start == from_epoch(T0 + 600)
    assert caught.read_until == from_epoch(T0 + 1200)
    assert _counts(engine, 21) == ([3] * 20 + [0], [4] * 20 + [0])


@pytest.mark.parametrize("start", [T0 + 600, T0 + 86400])
def test_a_from_not_before_now_is_an_error_that_says_so(engine: Engine, start: int) -> None:
    with pytest.raises(InputError, match="minutes after now cannot be read yet"):
        ingest_prometheus(
            engine,
            reads=[queries("http://127.0.0.1:9")],
            start=from_epoch(start),
            end=from_epoch(start + 3600),
            now=NOW,
        )
    assert _counts(engine, 11) == ([0] * 11, [0] * 11)


def test_a_future_from_without_a_to_is_named_as_the_mistake() -> None:
    """--to defaults to now: a --from tomorrow is after it, and the message is about the
    --from (before, "--to must be after --from … the two look swapped", naming a --to never
    given)."""
    from covenant.services.prometheus_range import read_range  # noqa: PLC0415

    with pytest.raises(InputError) as caught:
        read_range(from_epoch(T0 + 86400), NOW, step=60, now=NOW)
    assert str(caught.value).startswith(f"--from ({utc_text(from_epoch(T0 + 86400))}) is not")
    assert "swapped" not in caught.value.hint


def test_a_to_before_now_reads_the_range_as_given(engine: Engine) -> None:
    with fake_prometheus(counts_answer(good=1, total=2)) as fake:
        (report,) = ingest_prometheus(
            engine,
            reads=[queries(fake.url)],
            start=from_epoch(T0),
            end=from_epoch(T0 + 300),
            now=datetime.fromtimestamp(T0 + 86400).astimezone(),
        )
    assert report.read_until == from_epoch(T0 + 300)
    assert _counts(engine, 6) == ([1] * 5 + [0], [2] * 5 + [0])


def test_a_frontier_left_after_now_by_the_old_bug_is_read_again_from_that_read(
    engine: Engine,
) -> None:
    """A store the bug already hit: the first read (at ``NOW``) recorded a frontier three
    months ahead. The next catch-up reads again from that read's instant and the frontier
    comes back to where the reads are, so the minutes are stored as they come."""
    from sqlalchemy import update  # noqa: PLC0415

    from covenant.store.db import write_transaction  # noqa: PLC0415
    from covenant.store.source_reads import source_reads  # noqa: PLC0415

    with fake_prometheus(counts_answer(good=3, total=4)) as fake:
        ingest_prometheus(
            engine,
            reads=[queries(fake.url)],
            start=from_epoch(T0),
            end=from_epoch(T0 + 600),
            now=NOW,
        )
        with write_transaction(engine) as conn:  # as the bug left it: read "until" the future
            conn.execute(update(source_reads).values(read_until=T0 + 90 * 86400, updated_at=NOW))
        later = from_epoch(T0 + 1200 + 17)
        (caught,) = catch_up(engine, reads=[queries(fake.url)], now=later, initial=3600, lag_s=0)
        assert caught.error is None
        assert caught.start == from_epoch(T0 + 600)  # that read's instant, floored
        assert caught.read_until == from_epoch(T0 + 1200)
        # and from there on as usual: the next minutes are read when they come
        (after,) = catch_up(
            engine,
            reads=[queries(fake.url)],
            now=from_epoch(T0 + 1320 + 17),
            initial=3600,
            lag_s=0,
        )
    assert after.start == from_epoch(T0 + 1200)
    assert after.read_until == from_epoch(T0 + 1320)
    assert _counts(engine, 23) == ([3] * 22 + [0], [4] * 22 + [0])


def test_the_sqlite_writer_takes_a_frontier_after_its_write_as_wrong_too(
    sqlite_engine: Engine,
) -> None:
    """``covenant evaluate --read`` writes a SQLite store through ``sqlite3``: the same repair."""
    from sqlalchemy import update  # noqa: PLC0415

    from covenant.store.db import write_transaction  # noqa: PLC0415
    from covenant.store.source_reads import source_reads  # noqa: PLC0415
    from covenant.store.source_state import read_states  # noqa: PLC0415
    from covenant.store.sqlite_writer import open_sqlite_writer  # noqa: PLC0415

    with fake_prometheus(counts_answer(good=3, total=4)) as fake:
        ingest_prometheus(
            sqlite_engine,
            reads=[queries(fake.url)],
            start=from_epoch(T0),
            end=from_epoch(T0 + 600),
            now=NOW,
        )
        with write_transaction(sqlite_engine) as conn:
            conn.execute(update(source_reads).values(read_until=T0 + 90 * 86400, updated_at=NOW))
        writer = open_sqlite_writer(str(sqlite_engine.url))
        assert writer is not None
        try:
            later = from_epoch(T0 + 1200 + 17)
            (caught,) = catch_up(
                writer, reads=[queries(fake.url)], now=later, initial=3600, lag_s=0
            )
        finally:
            writer.dispose()
    assert caught.read_until == from_epoch(T0 + 1200)
    with sqlite_engine.connect() as conn:
        assert read_states(conn, keys=["api"])["api"].read_until == T0 + 1200
    assert _counts(sqlite_engine, 21) == ([3] * 20 + [0], [4] * 20 + [0])


def test_a_to_before_the_from_says_they_look_swapped() -> None:
    from covenant.services.prometheus_range import read_range  # noqa: PLC0415

    with pytest.raises(InputError) as caught:
        read_range(from_epoch(T0 - 3600), from_epoch(T0 - 7200), step=60, now=NOW)
    text = str(caught.value.message)
    assert text.startswith(
        f"--to ({from_epoch(T0 - 7200):%Y-%m-%dT%H:%M:%S}Z) must be after --from "
        f"({from_epoch(T0 - 3600):%Y-%m-%dT%H:%M:%S}Z)"
    )
    assert caught.value.hint is not None
    assert "swapped" in caught.value.hint


def test_the_progress_counts_buckets_as_the_report_does(engine: Engine) -> None:
    """The progress bar's numbers are buckets of the range, as the table after it counts
    (before, seconds: 600 of 600 for ten minutes)."""
    seen: list[tuple[str, int, int]] = []
    with fake_prometheus(counts_answer(good=3, total=4)) as fake:
        (report,) = ingest_prometheus(
            engine,
            reads=[queries(fake.url)],
            start=from_epoch(T0),
            end=from_epoch(T0 + 600),
            now=NOW,
            progress=lambda series, done, size: seen.append((series, done, size)),
        )
    assert report.buckets == 10
    assert seen[-1] == ("api", 10, 10)  # ten one-minute buckets of ten minutes
