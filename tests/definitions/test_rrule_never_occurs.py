"""A rule that never occurs is refused when read, and no expansion walks far past the range it
needs: dateutil looks for a next occurrence up to the year 9999, whatever UNTIL says, so such a
rule would cost seconds at every validation and evaluation (docs/corrections.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from dateutil import rrule as dateutil_rrule

from covenant.definitions.corrections import CorrectionRule
from covenant.definitions.workspace import analyse_text


def problems_of(rule: str, start: str = "2026-01-05T09:00:00") -> list[tuple[str, str, str]]:
    text = (
        "apiVersion: covenant/v1\nkind: Correction\nmetadata: {name: r}\nspec:\n"
        f"  start: {start}\n  duration: 1h\n  rrule: '{rule}'\n"
        "  author: a@example.com\n  reason: test\n"
    )
    _, problems = analyse_text(text, file="c.yaml")
    return [(p.code, p.field or "", p.message) for p in problems]


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30", "February has no 30th"),
        ("FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31", "April has no 31st"),
        ("FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2,4", "February has no 31st, April has no 31st"),
        ("FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=-31", "June has no 31st-last day"),
        # day 60 is 1 March (29 February in a leap year), day 366 is 31 December
        ("FREQ=YEARLY;BYYEARDAY=60,366;BYMONTH=1", "no day of the year"),
        # two times an hour, the third of them
        ("FREQ=HOURLY;BYMINUTE=0,30;BYSETPOS=3", "beyond the 2 time(s) of each hour"),
        # one time a day (the start's 09:00), the second of them
        ("FREQ=DAILY;BYSETPOS=2,-2;BYMONTH=1", "beyond the 1 time(s) of each day"),
        # yearly on the start's day (the 31st) in April
        ("FREQ=YEARLY;BYMONTH=4", "BYMONTHDAY=31 (the start's day"),
        # every other hour from 09:00: 11, 13, …, 07, never 10
        ("FREQ=HOURLY;INTERVAL=2;BYHOUR=10", "BYHOUR=10 is never reached every 2 hour(s)"),
    ],
)
def test_a_rule_whose_parts_exclude_each_other_is_refused(rule: str, reason: str) -> None:
    problems = problems_of(rule, start="2026-01-31T09:00:00")
    assert [(code, field) for code, field, _ in problems] == [("invalid-rrule", "spec.rrule")]
    message = problems[0][2]
    assert "never occurs" in message, message
    assert reason in message, message


@pytest.mark.parametrize(
    ("rule", "start"),
    [
        # every 4 years from 2001: never a leap year
        ("FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", "2001-02-01T09:00:00"),
        # every 7 days from a Monday: never a Tuesday
        ("FREQ=DAILY;INTERVAL=7;BYDAY=TU", "2026-01-05T09:00:00"),
        # the first occurrence (29 February 2028) after the until
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;UNTIL=20271231", "2026-01-05T09:00:00"),
        # the only candidate (12:00 UTC) is an hour after the until (11:00 UTC): within the
        # margin kept for a clock going back, yet after the until's instant
        ("FREQ=DAILY;BYHOUR=12;UNTIL=20260601T110000Z", "2026-06-01T10:00:00"),
    ],
)
def test_a_rule_with_no_occurrence_in_the_horizon_is_refused(rule: str, start: str) -> None:
    problems = problems_of(rule, start)
    assert [(code, field) for code, field, _ in problems] == [("invalid-rrule", "spec.rrule")]
    assert "no occurrence" in problems[0][2], problems[0][2]


@pytest.mark.parametrize(
    ("rule", "start"),
    [
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "2026-01-05T09:00:00"),  # 2028
        # every 4 years from 2096 (after February): 2100 is no leap year, 2104 is
        ("FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", "2096-03-05T09:00:00"),
        ("FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2,4,5", "2026-01-05T09:00:00"),
        # every other hour from 09:00: 11, 13, …, 07, 09 (was refused: checked from 00:00)
        ("FREQ=HOURLY;INTERVAL=2;BYHOUR=9,13", "2026-01-05T09:00:00"),
        # 12:00 UTC is the until itself: bounded inclusively (RFC 5545)
        ("FREQ=DAILY;BYHOUR=12;UNTIL=20260601T120000Z", "2026-06-01T10:00:00"),
    ],
)
def test_a_rare_rule_is_kept(rule: str, start: str) -> None:
    assert [p for p in problems_of(rule, start) if p[0] != "start-not-an-occurrence"] == []


def test_expand_stops_at_the_until_instant() -> None:
    # every hour from 10:00 UTC until 11:30 UTC: 10:00 and 11:00, never 12:00 or 13:00 (within
    # the three hours the walk goes past the until's wall time, for a clock going back)
    rule = CorrectionRule(
        name="r",
        slos=(),
        start=datetime(2026, 6, 1, 10, tzinfo=UTC),
        duration=timedelta(minutes=10),
        rrule="FREQ=HOURLY",
        until=datetime(2026, 6, 1, 11, 30, tzinfo=UTC),
    )
    assert list(rule.expand(stop=datetime(2026, 6, 2))) == [
        datetime(2026, 6, 1, 10),
        datetime(2026, 6, 1, 11),
    ]


def periods_walked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """dateutil rebuilds its per-period tables once per year or month it steps through."""
    calls: list[int] = []
    rebuild = dateutil_rrule._iterinfo.rebuild

    def counted(self: object, year: int, month: int) -> None:
        calls.append(year)
        rebuild(self, year, month)  # type: ignore[arg-type]

    monkeypatch.setattr(dateutil_rrule._iterinfo, "rebuild", counted)
    return calls


@pytest.mark.parametrize(
    "text", ["FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31", "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30"]
)
def test_expanding_a_rule_that_never_occurs_stops_near_the_range(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    # built directly (as from a store written before the check): the walk still ends within
    # a few decades of the range instead of at the year 9999
    rule = CorrectionRule(
        name="r",
        slos=(),
        start=datetime(2026, 1, 5, 9, tzinfo=UTC),
        duration=timedelta(hours=1),
        rrule=text,
    )
    calls = periods_walked(monkeypatch)
    got = rule.windows(start=datetime(2026, 3, 1, tzinfo=UTC), end=datetime(2026, 4, 1, tzinfo=UTC))
    assert got == []
    assert calls
    assert max(calls) - min(calls) < 500, (min(calls), max(calls), len(calls))
    assert len(calls) < 500 * 12


def test_a_walk_across_2100_keeps_the_calendar(monkeypatch: pytest.MonkeyPatch) -> None:
    # every 4 years from 2096 on 29 February: 2100 is no leap year, so the next is 2104; the
    # years a walk steps through may be others with the same calendar, the dates are these
    rule = CorrectionRule(
        name="r",
        slos=(),
        start=datetime(2096, 2, 29, 9, tzinfo=UTC),
        duration=timedelta(hours=1),
        rrule="FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29",
    )
    calls = periods_walked(monkeypatch)
    got = rule.windows(start=datetime(2096, 3, 1, tzinfo=UTC), end=datetime(2108, 3, 1, tzinfo=UTC))
    assert [w.start for w in got] == [
        datetime(2104, 2, 29, 9, tzinfo=UTC),
        datetime(2108, 2, 29, 9, tzinfo=UTC),
    ]
    assert len(calls) < 500, len(calls)
