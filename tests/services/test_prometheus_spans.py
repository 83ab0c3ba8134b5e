"""A long read goes span by span: a unit reads at most ``SPAN_PARTS`` parts of a series, every
series' first span before any second one, so a read of years holds a few spans' counts at a
time (before, a unit was a series' whole range: ``ingest prometheus --from 1971`` held 1.5 GB
for one SLI, and its progress bar stood at 0 until the whole range was read).

The spans are made small here (``max_points=2``: parts of 2 minutes, spans of 8) so a
30-minute read has four; a local fake server answers every instant with fixed counts.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from covenant.core.promql import SeriesQueries
from covenant.core.timeutil import from_epoch
from covenant.errors import SourceAnswerError
from covenant.services.prometheus import ingest_prometheus
from covenant.services.prometheus_units import SPAN_PARTS, units
from covenant.store import buckets
from covenant.store.source_state import read_states
from tests.sources.promfake import Answer, fake_prometheus, instants, matrix
from tests.sources.test_prometheus_errors import T0, source

MINUTES = 30
NOW = datetime(2026, 12, 1, tzinfo=UTC)
SPAN = 2 * SPAN_PARTS  # minutes of one span with max_points=2


def _reads(url: str) -> list[SeriesQueries]:
    return [
        SeriesQueries(
            series=name,
            slos=(name,),
            sli=name,
            source=source(url),
            good=f'sum(sum_over_time(good_count{{s="{name}"}}[{{{{.window}}}}]))',
            total=f'sum(sum_over_time(total_count{{s="{name}"}}[{{{{.window}}}}]))',
        )
        for name in ("a", "b")
    ]


def _counts(fail_a_from: int | None = None) -> object:
    """3 good of 4 per minute for both series; series a's queries from ``fail_a_from`` on
    (a part starting there or later) get garbage."""

    def respond(form: dict[str, str], _: dict[str, str]) -> Answer:
        query = form["query"]
        start = int(float(form["start"]))
        if fail_a_from is not None and 's="a"' in query and start > fail_a_from:
            return Answer(body=b"<html>proxy error</html>", content_type="text/html")
        value = "3" if query.startswith("sum(sum_over_time(good") else "4"
        return matrix(dict.fromkeys(instants(form), value))

    return respond


def _stored(engine: Engine, key: str) -> tuple[list[int], list[int]]:
    with engine.connect() as conn:
        m = buckets.read_matrix(conn, keys=[key], start=T0, end=T0 + MINUTES * 60)
    return m.good[0].tolist(), m.total[0].tolist()


def test_units_cover_one_span_each_and_every_first_span_comes_first() -> None:
    reads = _reads("http://127.0.0.1:9")
    made = list(
        units([(r, T0) for r in reads], workers=4, end=T0 + MINUTES * 60, step=60, max_points=2)
    )
    seen = [(u.reads[0][0].series, (u.reads[0][1] - T0) // 60, (u.end - T0) // 60) for u in made]
    # 30 minutes in spans of 8: [0, 8), [8, 16), [16, 24), [24, 30); a then b in each
    assert seen == [
        ("a", 0, 8),
        ("b", 0, 8),
        ("a", 8, 16),
        ("b", 8, 16),
        ("a", 16, 24),
        ("b", 16, 24),
        ("a", 24, 30),
        ("b", 24, 30),
    ]


def test_a_series_that_stops_is_left_out_of_the_spans_not_made_yet() -> None:
    reads = _reads("http://127.0.0.1:9")
    going = {"a", "b"}
    made = units(
        [(r, T0) for r in reads],
        workers=4,
        end=T0 + MINUTES * 60,
        step=60,
        max_points=2,
        going=going,
    )
    first = [next(made), next(made)]
    going.discard("a")
    rest = [(u.reads[0][0].series, (u.reads[0][1] - T0) // 60) for u in made]
    assert [u.reads[0][0].series for u in first] == ["a", "b"]
    assert rest == [("b", 8), ("b", 16), ("b", 24)]


def test_a_long_read_is_written_and_reported_span_by_span(engine: Engine) -> None:
    seen: list[tuple[str, int, int]] = []
    with fake_prometheus(_counts()) as fake:
        reports = ingest_prometheus(
            engine,
            reads=_reads(fake.url),
            start=from_epoch(T0),
            end=from_epoch(T0 + MINUTES * 60),
            max_points=2,
            now=NOW,
            progress=lambda series, done, size: seen.append((series, done, size)),
        )
    for report in reports:  # one report per series for the whole range
        assert report.error is None
        assert (report.start, report.end) == (from_epoch(T0), from_epoch(T0 + MINUTES * 60))
        assert report.read_until == report.end
        assert (report.buckets, report.good, report.total) == (30, 90, 120)
    assert [r.series for r in reports] == ["a", "b"]
    for key in ("a", "b"):
        assert _stored(engine, key) == ([3] * MINUTES, [4] * MINUTES)
        # the progress bar moves as each span is written, not once at the end
        assert [done for s, done, size in seen if s == key] == [8, 16, 24, 30]
        assert {size for s, _, size in seen if s == key} == {30}


def test_a_series_whose_span_fails_stops_there_and_the_others_read_on(engine: Engine) -> None:
    """a's queries fail from minute 12 on (in its second span; every span is asked before
    the first is written, so its third and fourth are fetched and must be dropped)."""
    with fake_prometheus(_counts(fail_a_from=T0 + 11 * 60)) as fake:
        a, b = ingest_prometheus(
            engine,
            reads=_reads(fake.url),
            start=from_epoch(T0),
            end=from_epoch(T0 + MINUTES * 60),
            max_points=2,
            now=NOW,
        )
    assert isinstance(a.error, SourceAnswerError)
    # parts of 2 minutes from 8: [8, 10) and [10, 12) read, [12, 14) is the first refused
    assert a.read_until == from_epoch(T0 + 12 * 60)
    assert (a.buckets, a.good, a.total) == (12, 36, 48)
    assert a.end == from_epoch(T0 + MINUTES * 60)
    assert _stored(engine, "a") == ([3] * 12 + [0] * 18, [4] * 12 + [0] * 18)
    assert b.error is None
    assert (b.buckets, b.good, b.total) == (30, 90, 120)
    assert _stored(engine, "b") == ([3] * MINUTES, [4] * MINUTES)
    with engine.connect() as conn:
        states = read_states(conn, keys=["a", "b"])
    assert states["a"].read_until == T0 + 12 * 60
    assert states["a"].error is not None
    assert states["b"].read_until == T0 + MINUTES * 60
    assert states["b"].error is None
