"""A tick's budget per source: a server that hangs costs a tick one query's time, not one per
query (a local fake server plays the hanging Prometheus)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from covenant.core.promql import PrometheusSource
from covenant.errors import DaySumsOnlyError, SourceUnreachableError
from covenant.services.prometheus import budgeted
from covenant.sources.prometheus.budget import Budget, query_budget_s
from covenant.sources.prometheus.client import PrometheusClient
from tests.sources.promfake import Answer, fake_prometheus, matrix

T0 = 1_790_000_000 - 1_790_000_000 % 86400


def _source(url: str, timeout_s: float) -> PrometheusSource:
    return PrometheusSource(name="metrics", url=url, timeout_s=timeout_s)


def _ask(client: PrometheusClient) -> object:
    return client.query_range("up", start=T0, end=T0 + 60, step=60)


def test_one_query_may_take_every_attempts_timeout_and_the_waits_between() -> None:
    assert query_budget_s(30.0, 3, 0.5) == 91.5  # the defaults: 3 × 30 s + 0.5 s + 1 s
    assert query_budget_s(2.0, 1, 0.5) == 2.0


def test_after_a_query_gets_no_answer_the_sources_other_queries_are_not_asked() -> None:
    with fake_prometheus(lambda form, _: Answer(body=b"{}", delay_s=3.0)) as fake:
        make = budgeted(lambda s: PrometheusClient(s, sleep=lambda _: None, env={}))
        first = make(_source(fake.url, 0.2))
        with pytest.raises(SourceUnreachableError, match=r"did not answer after 3 attempts"):
            _ask(first)
        assert fake.asked(3) == 3
        second = make(_source(fake.url, 0.2))  # another client of the tick, same source
        with pytest.raises(SourceUnreachableError, match="not asked: an earlier query of this"):
            _ask(second)
        assert fake.asked(3) == 3  # nothing more asked
        other = budgeted(lambda s: PrometheusClient(s, sleep=lambda _: None, env={}))
        with pytest.raises(SourceUnreachableError, match="after 3 attempts"):
            _ask(other(_source(fake.url, 0.2)))  # the next tick asks again
        assert fake.asked(6) == 6


def test_an_attempt_waits_only_what_is_left_and_a_spent_budget_asks_nothing() -> None:
    answered = matrix({T0 + 60: "1"})
    with fake_prometheus(lambda form, _: Answer(body=answered.body, delay_s=3.0)) as fake:
        client = PrometheusClient(_source(fake.url, 30.0), env={})
        client.budget = Budget(0.3)  # the tick's time for the source: 0.3 s
        with pytest.raises(SourceUnreachableError, match=r"no answer within 0\.\d+s"):
            _ask(client)
        assert fake.asked(1) == 1  # no time left to wait 0.5 s and ask again
        spent = PrometheusClient(_source(fake.url, 30.0), env={})
        spent.budget = Budget(0.0)
        with pytest.raises(SourceUnreachableError, match="this tick's time for the source"):
            _ask(spent)
        assert fake.asked(1) == 1


def test_only_the_time_the_source_is_waited_on_counts() -> None:
    """The tick's own work between queries (writing, evaluating) spends none of the source's
    time; two queries in flight at once count their common time once."""
    now = [100.0]
    budget = Budget(10.0, clock=lambda: now[0])
    now[0] += 50.0  # the tick works for 50 s without asking the source
    assert budget.left() == 10.0
    with budget.waiting():
        now[0] += 3.0
        assert budget.left() == 7.0
        with budget.waiting():  # a second query on another thread, at the same time
            now[0] += 2.0
        now[0] += 1.0
    assert budget.left() == 4.0  # 3 + 2 + 1 s waited, once
    now[0] += 100.0
    assert budget.left() == 4.0
    with budget.waiting():
        now[0] += 5.0
    assert budget.left() == 0.0
    with pytest.raises(SourceUnreachableError, match="this tick's time for the source"):
        budget.check("a query")


def test_the_cli_readers_of_day_minutes_ask_a_source_that_did_not_answer_nothing_more(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``backtest``, ``suggest``, ``report sla`` and ``exposure`` read the minutes of days
    stored as sums (``with_day_minutes`` without a factory of the caller's) through one factory
    for the command: its clients of one source share a budget with no time limit, and after a
    query got no answer the others are not asked."""
    from covenant.services import day_minutes  # noqa: PLC0415

    given: list[Callable[[PrometheusSource], PrometheusClient]] = []

    def capture(_store: object, *, client_for: Any, **_: object) -> list[object]:
        given.append(client_for)
        return []

    class Store:
        @contextmanager
        def connect(self) -> Iterator[None]:
            yield None

        def dispose(self) -> None:
            pass

    monkeypatch.setattr(day_minutes, "read_needed", capture)
    monkeypatch.setattr(day_minutes, "by_key", lambda _conn, _ids: {"s": [T0]})
    calls = []

    def compute() -> int:
        calls.append(1)
        if len(calls) == 1:  # the first call needs a day's minutes
            raise DaySumsOnlyError("day sums only", needed=((1, T0),))
        return 7

    assert day_minutes.with_day_minutes(compute, engine=Store, reads=list, now=lambda: None) == 7
    (make,) = given
    with fake_prometheus(lambda form, _: Answer(body=b"{}", delay_s=3.0)) as fake:
        first, second = make(_source(fake.url, 0.2)), make(_source(fake.url, 0.2))
        first._sleep = second._sleep = lambda _: None
        assert first.budget is second.budget
        assert first.budget is not None
        assert first.budget.left() == math.inf
        with pytest.raises(SourceUnreachableError, match=r"did not answer after 3 attempts"):
            _ask(first)
        with pytest.raises(SourceUnreachableError, match="earlier query of this command") as e:
            _ask(second)
        assert "run the command again once it answers" in (e.value.hint or "")
        assert fake.asked(3) == 3
