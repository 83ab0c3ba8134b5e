"""A counter's stored samples counted per bucket (sources.prometheus.samples): the request a
server gets, resets, silences, series that appear, and values that are not counts (a local fake
server answers; the real servers are in tests/services/test_prometheus_unaligned.py)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import numpy as np
import pytest

from covenant.core.promql import PrometheusSource, SeriesQueries, raw_selector
from covenant.errors import SourceAnswerError
from covenant.sources.prometheus.client import PrometheusClient, RawSeries
from covenant.sources.prometheus.reads import Counts, read_counts
from covenant.sources.prometheus.samples import LabelIndex, narrower
from tests.sources.promfake import Answer, fake_prometheus

T0 = 1_790_000_000 - 1_790_000_000 % 86400


def _answer(*series: tuple[dict[str, str], list[tuple[float, str]]]) -> Answer:
    result = [
        {"metric": labels, "values": [[t, v] for t, v in points]} for labels, points in series
    ]
    body = {"status": "success", "data": {"resultType": "matrix", "result": result}}
    return Answer(body=json.dumps(body).encode())


def _read(
    respond: object, minutes: int, good: str = 'req_total{code="200"}'
) -> tuple[list[Counts], list[dict[str, str]]]:
    with fake_prometheus(respond) as fake:  # type: ignore[arg-type]
        queries = SeriesQueries(
            series="api",
            slos=("api",),
            sli="api",
            source=PrometheusSource(name="metrics", url=fake.url),
            good=f"sum(increase({good}[{{{{.window}}}}]))",
            total="sum(increase(req_total[{{.window}}]))",
        )
        with PrometheusClient(queries.source, env={}) as client:
            parts = list(read_counts(client, queries, start=T0, end=T0 + minutes * 60, step=60))
        return parts, [form for form, _ in fake.requests]


@pytest.mark.parametrize("good", ['req_total{code="200"}', 'req_total{code=~"200"}'])
def test_the_samples_are_asked_for_with_the_lookback_and_counted_in_the_later_samples_minute(
    good: str,
) -> None:
    # a 200 series: a sample before T0 (the baseline), increments, a reset, a silence of 6 min;
    # a 500 series that appears at T0 + 90.5 with 4 (its first sample: a baseline)
    ok = [
        (T0 - 10.25, "100"),
        (T0 + 20.25, "103"),  # +3 in minute 0
        (T0 + 60, "110"),  # +7 on the boundary: minute 0
        (T0 + 80.5, "2"),  # reset: +2 in minute 1
        (T0 + 140.5, "5"),  # +3 in minute 2
        (T0 + 500.5, "9"),  # after 6 minutes of silence: a baseline only
        (T0 + 530.5, "12"),  # +3 in minute 8
    ]
    errors = [(T0 + 90.5, "4"), (T0 + 150.5, "6")]  # +2 in minute 2

    def respond(form: dict[str, str], _: dict[str, str]) -> Answer:
        if "code" in form["query"]:
            return _answer(({"code": "200"}, ok))
        return _answer(({"code": "200"}, ok), ({"code": "500"}, errors))

    (part,), forms = _read(respond, minutes=10, good=good)
    total = {"query": "req_total[900s]", "time": str(T0 + 600)}
    if "=~" in good:  # good's series are read on their own
        assert forms == [{"query": f"{good}[900s]", "time": str(T0 + 600)}, total]
    else:  # good is total narrowed by an equality: one read gives both
        assert forms == [total]
    assert part.good.tolist() == [10, 2, 3, 0, 0, 0, 0, 0, 3, 0]
    assert part.total.tolist() == [10, 2, 5, 0, 0, 0, 0, 0, 3, 0]


@pytest.mark.parametrize(
    ("value", "message"),
    [("2.5", "not a whole number of events"), ("NaN", "not a counter value"), ("-1", "not a")],
)
def test_a_counter_sample_that_is_not_a_count_is_refused_never_rounded(
    value: str, message: str
) -> None:
    def respond(form: dict[str, str], _: dict[str, str]) -> Answer:
        return _answer(({"code": "200"}, [(T0 + 10.5, "1"), (T0 + 70.5, value)]))  # both queries

    with pytest.raises(SourceAnswerError, match=message) as caught:
        _read(respond, minutes=2)
    assert 'code="200"' in caught.value.message


@pytest.mark.parametrize(
    ("value", "written"),
    [("NaN", "NaN"), ("+Inf", "+Inf"), ("-1", "-1"), ("2.5", "2.5"), ("1e300", "1e+300")],
)
def test_a_refused_sample_is_named_as_prometheus_writes_it_not_as_numpy_does(
    value: str, written: str
) -> None:
    # a stranger's fake server answered NaN and read "the sample np.float64(nan) of
    # {__name__='http_requests_total'} at 1796390060.000": numpy's repr and a bare epoch
    def respond(form: dict[str, str], _: dict[str, str]) -> Answer:
        labels = {"__name__": "req_total", "code": "200", "job": "api"}
        return _answer((labels, [(T0 + 10.5, "1"), (T0 + 70.25, value)]))

    with pytest.raises(SourceAnswerError) as caught:
        _read(respond, minutes=2)
    message = caught.value.message
    assert "np." not in message
    at = datetime.fromtimestamp(T0 + 70.25, UTC).strftime("%Y-%m-%dT%H:%M:%S.250Z")
    assert f'the sample {written} of req_total{{code="200", job="api"}} at {at} is' in message


def test_only_a_plain_counter_selector_is_read_as_samples() -> None:
    assert raw_selector('sum(increase(x{a="b"}[{{.window}}]))') == 'x{a="b"}'
    # a sum of two counts is read (and recorded) as written, not taken for one selector
    two = "sum(increase(a[{{.window}}])) + sum(increase(b[{{.window}}]))"
    assert raw_selector(two) is None
    assert raw_selector('sum(increase(x{a=~"(b|c)[0-9]"}[{{.window}}]))') == 'x{a=~"(b|c)[0-9]"}'
    assert raw_selector("sum(increase(x offset 1h[{{.window}}]))") is None
    assert raw_selector("sum(increase(rate(x[5m])[{{.window}}:]))") is None
    assert raw_selector("sum(increase(x[{{.window}}])) / 2") is None
    assert raw_selector("sum(sum_over_time(x[{{.window}}]))") is None


def test_good_is_read_out_of_total_only_when_it_narrows_total_by_equalities() -> None:
    assert narrower('x{a="1",b="2"}', 'x{a="1"}') == (("b", "=", "2"),)
    assert narrower('x{b!=""}', "x") == (("b", "!=", ""),)
    assert narrower('x{b=~"2"}', "x") is None  # a regex is matched by the server only
    assert narrower('y{b="2"}', "x") is None
    assert narrower('x{b="2"}', 'x{a="1"}') is None  # total's matcher is not in good
    assert narrower('x{b="a\\"b"}', "x") is None  # escapes are left to the server


def test_the_label_index_finds_exactly_the_series_each_read_matches_in_answer_order() -> None:
    # every combination of two labels' values (a missing label too) against reads that fix,
    # exclude or ask for the absence of a label, checked one by one against the plain rule
    rng = random.Random(20261202)
    values = ["a", "b", "c", ""]
    answer = []
    for _ in range(120):
        labels = {k: v for k in ("job", "code") if (v := rng.choice(values))}
        answer.append(RawSeries(labels=labels, times_ms=np.empty(0, np.int64), values=np.empty(0)))
    index = LabelIndex(answer)
    for _ in range(300):
        matchers = tuple(
            (k, rng.choice(["=", "!="]), rng.choice(values))
            for k in rng.sample(["job", "code"], rng.randint(0, 2))
        )
        expected = [
            s
            for s in answer
            if all((s.labels.get(k, "") == v) == (op == "=") for k, op, v in matchers)
        ]
        found = index.matching(matchers)
        assert [id(s) for s in found] == [id(s) for s in expected], matchers
