"""The worker's memory of failed day reads: waits of 1, 2, 4, 8, then 15 minutes, reset by a
read that succeeds, forgotten when nobody wants the day any more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from covenant.core.timeutil import from_epoch
from covenant.errors import SourceRefusedError
from covenant.services.day_retries import DayRetries, wait_s
from covenant.services.prometheus import ReadReport

DAY = 86400
D = 1_790_000_000 - 1_790_000_000 % DAY
T0 = datetime(2026, 9, 28, 9, 0, tzinfo=UTC)


def _report(*, ok: bool, series: str = "web", day: int = D) -> ReadReport:
    return ReadReport(
        series=series,
        slos=(f"{series}-availability",),
        source="prom",
        start=from_epoch(day),
        end=from_epoch(day + DAY),
        read_until=from_epoch(day + DAY if ok else day),
        buckets=1440 if ok else 0,
        good=0,
        total=0,
        error=None if ok else SourceRefusedError("prom answered HTTP 503", hint="later"),
    )


def test_the_waits_double_up_to_15_minutes() -> None:
    assert [wait_s(n) // 60 for n in range(1, 8)] == [1, 2, 4, 8, 15, 15, 15]
    assert wait_s(10_000) == 900


def test_a_failed_day_waits_its_turn_and_a_success_forgets_it() -> None:
    retries = DayRetries()
    now = T0
    for n, wait in enumerate([1, 2, 4, 8, 15, 15], start=1):
        assert retries.due("web", D, now=now)
        retries.record([_report(ok=False)], now=now)
        failure = retries.failure("web", D)
        assert failure is not None
        assert (failure.failures, failure.retry_at) == (n, now + timedelta(minutes=wait))
        assert not retries.due("web", D, now=now + timedelta(minutes=wait) - timedelta(seconds=1))
        assert retries.due("api", D, now=now)  # other series and days are not held back
        assert retries.due("web", D + DAY, now=now)
        now += timedelta(minutes=wait)
    assert retries.waiting({"web": [D, D + DAY], "api": [D]}, now=now - timedelta(seconds=1)) == {
        "web": [D]
    }
    reason = retries.of_series(["web"])["web"].reason()
    assert reason == (
        "reading prom failed at 2026-09-28T09:30:00Z [source-refused]: prom answered HTTP 503; "
        "asked again at 2026-09-28T09:45:00Z (6 failed reads in a row)"
    )
    retries.record([_report(ok=True)], now=now)
    assert retries.failure("web", D) is None
    assert len(retries) == 0


def test_a_day_nobody_asks_for_again_is_forgotten_after_an_hour() -> None:
    retries = DayRetries()
    retries.record([_report(ok=False)], now=T0)  # due at T0 + 1 min
    retries.prune(now=T0 + timedelta(minutes=61))
    assert len(retries) == 1
    retries.prune(now=T0 + timedelta(minutes=61, seconds=1))
    assert len(retries) == 0


def test_a_waiting_hour_is_named_as_its_hour_and_a_day_as_its_date() -> None:
    from covenant.services.day_minutes import days_text  # noqa: PLC0415

    # D is 2026-09-21T00:00Z (1,790,000,000 s floored to its UTC day)
    assert from_epoch(D) == datetime(2026, 9, 21, tzinfo=UTC)
    assert days_text([D + DAY + 13 * 3600, D + 2 * DAY], span=3600) == (
        "2026-09-22T13:00–14:00Z, 2026-09-23T00:00–01:00Z"
    )
    assert days_text([D + 2 * DAY, D]) == "2026-09-21, 2026-09-23"
