"""Day tables: the paths the brute-force walks seldom reach, with hand-derived numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from covenant.core import business_clock
from covenant.core.business_time import (
    Calendar,
    CalendarSet,
    IntervalTable,
    Pauses,
    WeeklyHours,
    business_deadline,
    business_seconds_between,
    compile_calendar,
    compile_calendars,
    to_epoch,
)
from covenant.errors import InputError, OutsideCompiledRangeError
from tests.core.business_reference import Reference

H = 3600
OFFICE = WeeklyHours.parse({"mon-fri": "09:00-17:00"})  # 8 hours a weekday


def _at(*args: int) -> int:
    return to_epoch(datetime(*args, tzinfo=UTC))


def test_a_deadline_many_open_days_away_steps_then_searches() -> None:
    # 100 business hours from Monday 2026-03-02 09:00 on 8-hour weekdays: 12 whole days
    # (two weeks, then Monday and Tuesday) hold 96 hours; 4 more on Wednesday 2026-03-18.
    office = Calendar(zone="UTC", hours=OFFICE)
    night = Calendar(zone="UTC", hours=WeeklyHours.parse({"daily": "22:00-06:00"}))
    many = compile_calendars([night, office], start=_at(2026, 3, 1), end=_at(2026, 5, 1))
    start = np.array([_at(2026, 3, 2, 9), _at(2026, 3, 2, 9)])
    due = business_deadline(many, start, np.array([100 * H, 100 * H]), calendar=[1, 0])
    # the night desk: 8 hours a night from Monday 22:00 (Mon 02 09:00 is closed): 12 nights
    # hold 96 hours (Mon 02 22:00 .. Sat 14 06:00), 4 more from Sat 14 22:00: Sun 15 02:00
    assert due.tolist() == [_at(2026, 3, 18, 13), _at(2026, 3, 15, 2)]
    assert business_seconds_between(many, start, due, calendar=[1, 0]).tolist() == [
        100 * H,
        100 * H,
    ]


def test_a_deadline_across_a_long_closure_jumps_it() -> None:
    # three weeks of holidays after Friday 2026-07-03; 2 hours left at 16:00 that Friday run
    # 1 hour to 17:00, and 1 hour from Monday 2026-07-27 09:00
    closed = frozenset(date(2026, 7, 6) + timedelta(days=i) for i in range(21))
    cal = Calendar(zone="UTC", hours=OFFICE, holidays=closed)
    many = compile_calendars([cal], start=_at(2026, 7, 1), end=_at(2026, 8, 15))
    due = business_deadline(many, _at(2026, 7, 3, 16), 2 * H, calendar=0)
    assert int(due) == _at(2026, 7, 27, 10)


def test_shifts_off_the_minute_are_exact() -> None:
    # 08:00:30-16:59:45 in UTC: 8 h 59 min 15 s a weekday; patterns off the minute are
    # answered from their pieces, not from quanta
    hours = WeeklyHours.parse({"mon-fri": "08:00:30-16:59:45"})
    cal = Calendar(zone="UTC", hours=hours)
    many = compile_calendars([cal, cal], start=_at(2026, 3, 1), end=_at(2026, 3, 20))
    a = np.array([_at(2026, 3, 2, 8), _at(2026, 3, 2, 8, 0, 31), _at(2026, 3, 2, 12)])
    b = np.array([_at(2026, 3, 3, 8), _at(2026, 3, 2, 16, 59, 44), _at(2026, 3, 4, 12)])
    day = 8 * H + 59 * 60 + 15
    got = business_seconds_between(many, a, b, calendar=[0, 1, 0])
    assert got.tolist() == [day, day - 2, 2 * day]
    due = business_deadline(many, a, np.array([day, 1, day + 1]), calendar=[1, 0, 1])
    assert due.tolist() == [
        _at(2026, 3, 2, 16, 59, 45),
        _at(2026, 3, 2, 8, 0, 32),
        _at(2026, 3, 3, 12, 0, 1),
    ]


def test_stacked_tables_answer_like_the_compiled_set() -> None:
    cals = [
        Calendar(zone="Europe/Berlin", hours=OFFICE, holidays=frozenset({date(2026, 3, 27)})),
        Calendar(zone="America/New_York", hours=WeeklyHours.parse({"mon-fri": "22:00-06:00"})),
    ]
    lo, hi = _at(2026, 3, 1), _at(2026, 4, 30)
    many = compile_calendars(cals, start=lo, end=hi)
    stacked = CalendarSet.of([compile_calendar(c, start=lo, end=hi) for c in cals])
    rng = np.random.default_rng(3)
    a = rng.integers(lo, hi - 20 * 86400, 2000)
    b = a + rng.integers(0, 10 * 86400, 2000)
    k = rng.integers(0, 2, 2000)
    n = rng.integers(0, 30 * H, 2000)
    assert (
        business_seconds_between(many, a, b, calendar=k).tolist()
        == business_seconds_between(stacked, a, b, calendar=k).tolist()
    )
    assert (
        business_deadline(many, a, n, calendar=k).tolist()
        == business_deadline(stacked, a, n, calendar=k).tolist()
    )
    with pytest.raises(OutsideCompiledRangeError, match="after the end"):
        business_deadline(many, a, np.full(a.size, 400 * H), calendar=k)


def test_a_hand_made_table_of_a_century_is_refused_not_wrapped() -> None:
    lo, hi = _at(1950, 1, 1), _at(2050, 1, 1)
    table = IntervalTable(zone="UTC", start=lo, end=hi, starts=[lo + H], ends=[hi - H], cum=[0])
    with pytest.raises(InputError, match="too long for business-time arithmetic"):
        business_seconds_between(table, lo, hi)


def test_batches_in_chunks_answer_like_the_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches run a chunk of tickets at a time (``business_clock.CHUNK``); in chunks of 7,
    60 tickets on three calendars, some paused, get the brute-force walk's answers."""
    monkeypatch.setattr(business_clock, "CHUNK", 7)
    cals = [
        Calendar(zone="Europe/Berlin", hours=OFFICE, holidays=frozenset({date(2026, 3, 27)})),
        Calendar(
            zone="America/New_York",
            hours=WeeklyHours.parse({"mon-fri": "09:00-12:00, 13:00-18:00"}),
        ),
        Calendar(zone="Australia/Sydney", hours=WeeklyHours.parse({"mon-fri": "18:00-09:00"})),
    ]
    lo, hi = _at(2026, 3, 20), _at(2026, 4, 12)  # Berlin's and Sydney's clocks change inside
    refs = [Reference(c, start=lo, end=hi) for c in cals]
    many = compile_calendars(cals, start=lo, end=hi)
    rng = np.random.default_rng(8)
    n = 60
    which = rng.integers(0, 3, n)
    a = lo + rng.integers(0, 12 * 1440, n) * 60
    b = a + rng.integers(0, 4 * 1440, n) * 60
    spans: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for i in rng.choice(n, 25, replace=False).tolist():
        for _ in range(int(rng.integers(1, 4))):
            start = int(a[i] + rng.integers(0, 3 * 1440) * 60)
            spans[i].append((start, start + int(rng.integers(1, 600)) * 60))
    pauses = Pauses.from_lists(spans)
    for paused in (None, pauses):
        got = business_seconds_between(many, a, b, calendar=which, pauses=paused)
        due = business_deadline(many, a, 4 * H, calendar=which, pauses=paused)
        for i, k in enumerate(which.tolist()):
            mine = spans[i] if paused is not None else []
            assert got[i] == refs[k].elapsed(int(a[i]), int(b[i]), mine)
            assert due[i] == refs[k].deadline(int(a[i]), 4 * H, mine)
