"""Business time matches a brute-force walk across DST, holds its algebra, and the golden cases."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covenant.core.business_time import (
    Calendar,
    CalendarSet,
    Closure,
    DayHours,
    HolidayRule,
    IntervalTable,
    Pauses,
    ScheduleChange,
    Shift,
    WeeklyHours,
    business_deadline,
    business_deadline_after,
    business_seconds_at,
    business_seconds_between,
    business_time_between,
    clock,
    compile_calendar,
    compile_calendars,
    covering_range,
    epoch_seconds,
)
from covenant.core.calendar_hours import open_intervals
from covenant.core.timeutil import to_epoch
from covenant.errors import InputError, NaiveDatetimeError, OutsideCompiledRangeError
from tests.conftest import ROOT
from tests.core.business_reference import Reference

BERLIN = ZoneInfo("Europe/Berlin")
H = 3600
TWENTY_FOUR_SEVEN = Calendar(zone="UTC", hours=WeeklyHours.always())

# DST changes in 2026 (UTC), one spring and one autumn per zone; UTC gets an ordinary instant.
TRANSITIONS = {
    "Europe/Berlin": (datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)),
    "America/New_York": (
        datetime(2026, 3, 8, 7, tzinfo=UTC),
        datetime(2026, 11, 1, 6, tzinfo=UTC),
    ),
    "Australia/Lord_Howe": (
        datetime(2026, 4, 4, 15, tzinfo=UTC),
        datetime(2026, 10, 3, 15, 30, tzinfo=UTC),
    ),
    # clocks change at midnight: a holiday's 00:00 falls in a gap or a fold
    "America/Havana": (datetime(2026, 3, 8, 5, tzinfo=UTC), datetime(2026, 11, 1, 5, tzinfo=UTC)),
    "America/Santiago": (
        datetime(2026, 4, 5, 3, tzinfo=UTC),
        datetime(2026, 9, 6, 4, tzinfo=UTC),
    ),
    "UTC": (datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)),
}


# ------------------------------------------------------------------ strategies


def _shifts_from(points: list[int], overnight_end: int | None) -> tuple[Shift, ...]:
    points = sorted(points)[: len(points) // 2 * 2]
    shifts = [Shift(start=points[i], end=points[i + 1]) for i in range(0, len(points), 2)]
    if shifts and overnight_end is not None and overnight_end < shifts[-1].start:
        shifts[-1] = Shift(start=shifts[-1].start, end=overnight_end)
    return tuple(shifts)


@st.composite
def day_shifts(draw: st.DrawFn, *, unit: int = 60) -> tuple[Shift, ...]:
    """0–3 shifts of one day on a ``unit``-second grid; the last may run overnight."""
    steps = 86400 // unit
    interesting = [0, 60, 90, 120, 130, 150, 170, 180, 360, 480, 720, 1020, 1320, 1380, 1440]
    values = st.one_of(
        st.sampled_from([m * 60 // unit for m in interesting]), st.integers(0, steps)
    )
    count = draw(st.integers(0, 3))
    points = draw(st.sets(values, min_size=2 * count, max_size=2 * count))
    overnight = draw(st.none() | st.integers(0, steps - 1))
    return _shifts_from([p * unit for p in points], None if overnight is None else overnight * unit)


@st.composite
def weekly_hours(draw: st.DrawFn, *, unit: int = 60) -> WeeklyHours:
    if draw(st.integers(0, 9)) == 0:
        return WeeklyHours.always()
    return WeeklyHours(days=tuple(draw(day_shifts(unit=unit)) for _ in range(7)))


@st.composite
def calendars(draw: st.DrawFn, *, zone: str, days: list[date], unit: int = 60) -> Calendar:
    some_days = st.sampled_from(days)
    closures = []
    for day in draw(st.lists(some_days, max_size=2)):
        lo, hi = sorted(draw(st.sets(st.integers(0, 86400 // unit), min_size=2, max_size=2)))
        closures.append(Closure(day=day, start=lo * unit, end=hi * unit))
    return Calendar(
        zone=zone,
        hours=draw(weekly_hours(unit=unit)),
        changes=tuple(
            ScheduleChange(effective=day, hours=draw(weekly_hours(unit=unit)))
            for day in draw(st.lists(some_days, max_size=1))
        ),
        holidays=frozenset(draw(st.lists(some_days, max_size=2))),
        overrides=tuple(
            DayHours(day=day, shifts=draw(day_shifts(unit=unit)))
            for day in draw(st.sets(some_days, max_size=2))
        ),
        closures=tuple(closures),
        holiday_rule=draw(st.sampled_from(list(HolidayRule))),
    )


@st.composite
def scenario(draw: st.DrawFn) -> tuple[Calendar, int, int]:
    """A calendar in a DST zone and an 8-day range around one of its transitions."""
    zone = draw(st.sampled_from(sorted(TRANSITIONS)))
    pivot = draw(st.sampled_from(TRANSITIONS[zone]))
    lo = pivot.replace(hour=0, minute=0) - timedelta(days=4)
    hi = lo + timedelta(days=8)
    tz = ZoneInfo(zone)
    first = lo.astimezone(tz).date() - timedelta(days=1)
    days = [first + timedelta(days=i) for i in range(10)]
    return draw(calendars(zone=zone, days=days)), to_epoch(lo), to_epoch(hi)


def _instant(lo: int, hi: int, step: int) -> st.SearchStrategy[int]:
    """Instants on the ``step`` grid in ``[lo, hi]``: often the ends or quarters of the range."""
    steps = (hi - lo) // step
    marks = st.sampled_from([0, steps // 4, steps // 2, 3 * steps // 4, steps])
    return (marks | st.integers(0, steps)).map(lambda k: lo + k * step)


# ------------------------------------------------------------------ against the reference


@st.composite
def queries(
    draw: st.DrawFn, lo: int, hi: int, step: int
) -> list[tuple[int, int, int, list[tuple[int, int]]]]:
    out = []
    for _ in range(draw(st.integers(1, 5))):
        a, b = draw(_instant(lo, hi, step)), draw(_instant(lo, hi, step))
        if draw(st.integers(0, 3)):
            a, b = min(a, b), max(a, b)
        pauses = [
            tuple(sorted((draw(_instant(lo, hi, step)), draw(_instant(lo, hi, step)))))
            for _ in range(draw(st.integers(0, 3)))
        ]
        # -1 asks for the elapsed time from a to b, so deadlines land on closing edges
        seconds = draw(st.integers(0, 3 * 86400) | st.sampled_from([-1, -1, 0, 1, 3600]))
        out.append((a, b, seconds, pauses))
    return out  # type: ignore[return-value]


def _check_against_reference(
    calendar: Calendar,
    lo: int,
    hi: int,
    step: int,
    warmup: int,
    cases: list[tuple[int, int, int, list[tuple[int, int]]]],
) -> None:
    table = compile_calendar(
        calendar, start=datetime.fromtimestamp(lo, UTC), end=datetime.fromtimestamp(hi, UTC)
    )
    ref = Reference(calendar, start=lo, end=hi, step=step, warmup=warmup)
    cases = [(x, y, ref.elapsed(x, y, p) if s < 0 else s, p) for x, y, s, p in cases]
    a = np.array([c[0] for c in cases], dtype=np.int64)
    b = np.array([c[1] for c in cases], dtype=np.int64)
    n = np.array([c[2] for c in cases], dtype=np.int64)
    pauses = Pauses.from_lists([c[3] for c in cases])
    # unpaused and paused elapsed time, in one vectorised call each
    got = business_seconds_between(table, a, b)
    assert got.tolist() == [ref.elapsed(x, y) for x, y, _, _ in cases]
    got = business_seconds_between(table, a, b, pauses=pauses)
    assert got.tolist() == [ref.elapsed(x, y, p) for x, y, _, p in cases]
    # the same tickets in one batch over several calendars, each naming its own
    many = compile_calendars([OFFICE, calendar, TWENTY_FOUR_SEVEN], start=lo, end=hi)
    which = np.ones(a.size, dtype=np.int64)
    got = business_seconds_between(many, a, b, calendar=which, pauses=pauses)
    assert got.tolist() == [ref.elapsed(x, y, p) for x, y, _, p in cases]
    everywhere = business_seconds_between(many, a, b, calendar=np.full(a.size, 2))
    assert everywhere.tolist() == np.maximum(b - a, 0).tolist()
    # deadlines: those past the range must raise, the rest match in one call
    for paused in (False, True):
        want = [ref.deadline(x, s, p if paused else []) for x, _, s, p in cases]
        inside = [i for i, w in enumerate(want) if w is not None]
        sub = Pauses.from_lists([cases[i][3] if paused else [] for i in inside])
        got = business_deadline(table, a[inside], n[inside], pauses=sub)
        assert got.tolist() == [want[i] for i in inside]
        got = business_deadline(many, a[inside], n[inside], calendar=1, pauses=sub)
        assert got.tolist() == [want[i] for i in inside]
        for i, w in enumerate(want):
            if w is None:
                with pytest.raises(InputError, match="after the end of the compiled"):
                    business_deadline(
                        table,
                        a[i : i + 1],
                        n[i : i + 1],
                        pauses=Pauses.from_lists([cases[i][3]]) if paused else None,
                    )


@settings(max_examples=70, deadline=None)
@given(data=st.data(), setup=scenario())
def test_matches_minute_walk_around_dst(
    data: st.DataObject, setup: tuple[Calendar, int, int]
) -> None:
    calendar, lo, hi = setup
    cases = data.draw(queries(lo, hi, 60))
    _check_against_reference(calendar, lo, hi, 60, 86400, cases)


@st.composite
def second_scenario(draw: st.DrawFn) -> tuple[Calendar, int, int]:
    """Shift edges at any second near the change, a 6-hour range around it."""
    zone = draw(
        st.sampled_from(
            ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Havana"]
        )
    )
    pivot = to_epoch(draw(st.sampled_from(TRANSITIONS[zone])))
    tz = ZoneInfo(zone)
    day = datetime.fromtimestamp(pivot, tz).date()
    # local 02:00-03:00 is the gap or fold in the first three zones (Lord Howe: 02:00-02:30),
    # 00:00-01:00 in Havana
    near = (
        st.integers(0, 7200) | st.integers(82800, 86399)
        if zone == "America/Havana"
        else st.integers(7000, 11000) | st.integers(3600, 4 * 3600)
    ) | st.integers(0, 86400)
    count = draw(st.integers(1, 3))
    points = draw(st.sets(near, min_size=2 * count, max_size=2 * count))
    overnight = draw(st.none() | st.integers(0, 86399))
    shifts = _shifts_from(list(points), overnight)
    cal = Calendar(
        zone=zone,
        hours=WeeklyHours(days=(shifts,) * 7),
        holidays=frozenset(
            d for d in (day - timedelta(days=1), day) if draw(st.integers(0, 2)) == 0
        ),
        holiday_rule=draw(st.sampled_from(list(HolidayRule))),
        closures=tuple(
            Closure(day=day, start=lo_, end=hi_)
            for lo_, hi_ in [sorted(draw(st.sets(near, min_size=2, max_size=2)))]
            if draw(st.booleans())
        ),
    )
    return cal, pivot - 3 * 3600, pivot + 3 * 3600


@settings(max_examples=20, deadline=None)
@given(data=st.data(), setup=second_scenario())
def test_matches_second_walk_at_dst_edges(
    data: st.DataObject, setup: tuple[Calendar, int, int]
) -> None:
    calendar, lo, hi = setup
    cases = data.draw(queries(lo, hi, 1))
    _check_against_reference(calendar, lo, hi, 1, 2 * 3600, cases)


# ------------------------------------------------------------------ properties


@st.composite
def table_and_instants(draw: st.DrawFn) -> tuple[IntervalTable, int, int, int]:
    calendar, lo, hi = draw(scenario())
    table = compile_calendar(
        calendar, start=datetime.fromtimestamp(lo, UTC), end=datetime.fromtimestamp(hi, UTC)
    )
    a, b, c = sorted(draw(st.integers(lo, hi)) for _ in range(3))
    return table, a, b, c


@settings(max_examples=60, deadline=None)
@given(setup=table_and_instants())
def test_additive_bounded_and_round_trips(setup: tuple[IntervalTable, int, int, int]) -> None:
    table, a, b, c = setup

    def elapsed(x: int, y: int) -> int:
        return int(business_seconds_between(table, np.array([x]), np.array([y]))[0])

    assert elapsed(a, c) == elapsed(a, b) + elapsed(b, c)
    assert 0 <= elapsed(a, c) <= c - a
    assert elapsed(c, a) == 0 or a == c
    n = elapsed(a, c)
    due = int(business_deadline(table, np.array([a]), np.array([n]))[0])
    assert a <= due <= c
    assert elapsed(a, due) == n
    if n:  # earliest: one second earlier is not enough
        assert elapsed(a, due - 1) == n - 1
    clock_ = business_seconds_at(table, np.array([a, b, c]))
    assert (np.diff(clock_) >= 0).all()


@settings(max_examples=60, deadline=None)
@given(
    spans=st.lists(
        st.tuples(st.integers(0, 50), st.integers(0, 20)).map(lambda p: (p[0], p[0] + p[1])),
        max_size=6,
    ),
    a=st.integers(0, 30),
    b=st.integers(0, 80),
)
def test_pauses_merge_like_a_set(spans: list[tuple[int, int]], a: int, b: int) -> None:
    """Overlapping, touching and unsorted pauses count once: compare with a set of seconds."""
    base = to_epoch(datetime(2026, 1, 5, tzinfo=UTC))
    cal = Calendar(zone="UTC", hours=WeeklyHours.always())
    table = compile_calendar(
        cal, start=datetime(2026, 1, 5, tzinfo=UTC), end=datetime(2026, 1, 6, tzinfo=UTC)
    )
    paused = {s for lo, hi in spans for s in range(lo, hi)}
    want = sum(1 for s in range(a, b) if s not in paused)
    pauses = Pauses.from_lists([[(base + lo, base + hi) for lo, hi in spans]])
    got = business_seconds_between(table, np.array([base + a]), np.array([base + b]), pauses=pauses)
    assert got.tolist() == [want]


# ------------------------------------------------------------------ golden cases


def _table(
    cal: Calendar, lo: date = date(2026, 1, 1), hi: date = date(2027, 1, 1)
) -> IntervalTable:
    return compile_calendar(
        cal,
        start=datetime.combine(lo, datetime.min.time(), UTC),
        end=datetime.combine(hi, datetime.min.time(), UTC),
    )


OFFICE = Calendar(zone="Europe/Berlin", hours=WeeklyHours.parse({"mon-fri": "08:00-17:00"}))


def test_vendor_friday_evening_to_monday_morning() -> None:
    table = _table(OFFICE)
    opened = datetime(2026, 5, 8, 21, tzinfo=BERLIN)  # Friday
    checked = datetime(2026, 5, 11, 9, 30, tzinfo=BERLIN)  # Monday
    assert business_time_between(table, opened, checked) == timedelta(hours=1, minutes=30)
    assert checked - opened == timedelta(hours=60, minutes=30)


def test_vendor_24x7_target_with_a_pause() -> None:
    table = _table(Calendar(zone="UTC", hours=WeeklyHours.always()))
    created = datetime(2026, 6, 1, 8, tzinfo=UTC)
    pause = (datetime(2026, 6, 1, 9, tzinfo=UTC), datetime(2026, 6, 1, 10, 5, tzinfo=UTC))
    due = business_deadline_after(table, created, timedelta(hours=2), pauses=[pause])
    assert due == datetime(2026, 6, 1, 11, 5, tzinfo=UTC)
    # running out exactly as a pause starts is due then, not after the pause
    edge = business_deadline_after(table, created, timedelta(hours=1), pauses=[pause])
    assert edge == datetime(2026, 6, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "night", "hours"),
    [
        ("Europe/Berlin", date(2026, 3, 28), 7),
        ("Europe/Berlin", date(2026, 10, 24), 9),
        ("Europe/Berlin", date(2026, 6, 6), 8),
        ("America/New_York", date(2026, 3, 7), 7),
        ("America/New_York", date(2026, 10, 31), 9),
        ("Australia/Lord_Howe", date(2026, 10, 3), 7.5),
        ("Australia/Lord_Howe", date(2026, 4, 4), 8.5),
    ],
)
def test_overnight_shift_across_dst(zone: str, night: date, hours: float) -> None:
    tz = ZoneInfo(zone)
    cal = Calendar(zone=zone, hours=WeeklyHours.parse({"daily": "22:00-06:00"}))
    table = _table(cal)
    noon = datetime.combine(night, datetime.min.time(), tz) + timedelta(hours=12)
    next_noon = datetime.combine(night + timedelta(days=1), datetime.min.time(), tz) + timedelta(
        hours=12
    )
    assert business_time_between(table, noon, next_noon) == timedelta(hours=hours)


def test_german_holiday_is_closed() -> None:
    de = holidays.country_holidays("DE", years=2026)
    christmas = date(2026, 12, 25)
    assert christmas in de
    assert christmas.weekday() == 4  # a Friday
    table = _table(
        Calendar(zone="Europe/Berlin", hours=OFFICE.hours, holidays=frozenset(de)),
        hi=date(2027, 1, 10),
    )
    day = datetime(2026, 12, 24, tzinfo=BERLIN)
    assert business_time_between(table, day, day + timedelta(days=1)) == timedelta(hours=9)
    assert business_time_between(table, day + timedelta(days=1), day + timedelta(days=2)) == (
        timedelta(0)
    )
    # 4 business hours from Thursday 15:00 run out Monday the 28th at 10:00
    due = business_deadline_after(table, day + timedelta(hours=15), timedelta(hours=4))
    assert due == datetime(2026, 12, 28, 10, tzinfo=BERLIN)


def test_deadline_is_the_earliest_instant() -> None:
    table = _table(OFFICE)
    start = datetime(2026, 5, 8, 15, tzinfo=BERLIN)  # Friday
    due = business_deadline_after(table, start, timedelta(hours=2))
    assert due == datetime(2026, 5, 8, 17, tzinfo=BERLIN)  # not Monday 08:00
    after = business_deadline_after(table, start, timedelta(hours=2, seconds=1))
    assert after == datetime(2026, 5, 11, 8, 0, 1, tzinfo=BERLIN)
    assert business_deadline_after(table, start, timedelta(0)) == start
    closed = datetime(2026, 5, 9, 12, tzinfo=BERLIN)  # Saturday: zero is still the start
    assert business_deadline_after(table, closed, timedelta(0)) == closed


def test_closures_overrides_changes_and_lunch() -> None:
    cal = Calendar(
        zone="Europe/Berlin",
        hours=WeeklyHours.parse({"mon-fri": "08:00-12:00, 13:00-17:00"}),
        changes=(
            ScheduleChange(
                effective=date(2026, 7, 1), hours=WeeklyHours.parse({"mon-sat": "09:00-17:00"})
            ),
        ),
        overrides=(DayHours(day=date(2026, 6, 13), shifts=(Shift.parse("10:00-14:00"),)),),
        closures=(Closure.parse(date(2026, 6, 12), "12:00-24:00"),),
    )
    table = _table(cal)

    def day_hours(day: date) -> timedelta:
        start = datetime.combine(day, datetime.min.time(), BERLIN)
        return business_time_between(table, start, start + timedelta(days=1))

    assert day_hours(date(2026, 6, 11)) == timedelta(hours=8)  # lunch break
    assert day_hours(date(2026, 6, 12)) == timedelta(hours=4)  # closed from 12:00
    assert day_hours(date(2026, 6, 13)) == timedelta(hours=4)  # a Saturday opened 10–14
    assert day_hours(date(2026, 6, 20)) == timedelta(0)  # an ordinary Saturday
    assert day_hours(date(2026, 7, 4)) == timedelta(hours=8)  # Saturday under the new hours
    assert day_hours(date(2026, 7, 6)) == timedelta(hours=8)


def test_wall_times_in_gaps_and_folds() -> None:
    """A gap start maps to the gap's end; a fold uses the first occurrence for both edges."""
    cal = Calendar(zone="Europe/Berlin", hours=WeeklyHours.parse({"sun": "02:30-04:00"}))
    table = _table(cal)
    spring = datetime(2026, 3, 29, tzinfo=BERLIN)
    assert business_time_between(table, spring, spring + timedelta(days=1)) == timedelta(hours=1)
    autumn = datetime(2026, 10, 25, tzinfo=BERLIN)
    assert business_time_between(table, autumn, autumn + timedelta(days=1)) == timedelta(
        hours=2, minutes=30
    )
    start = business_deadline_after(table, autumn, timedelta(seconds=1)) - timedelta(seconds=1)
    assert start == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, the first one


def test_24_00_and_overnight_tails_merge() -> None:
    cal = Calendar(
        zone="UTC",
        hours=WeeklyHours.parse({"mon": "18:00-24:00", "tue": "00:00-06:00, 22:00-02:00"}),
    )
    table = _table(cal)
    monday = datetime(2026, 6, 1, tzinfo=UTC)
    assert business_time_between(table, monday, monday + timedelta(days=3)) == timedelta(hours=16)
    # Monday evening and Tuesday morning are one interval; Tuesday night runs into Wednesday
    i = int(np.searchsorted(table.starts, to_epoch(monday + timedelta(hours=18))))
    assert table.ends[i] - table.starts[i] == 12 * H
    assert table.ends[i + 1] - table.starts[i + 1] == 4 * H


def test_vectorised_calls_broadcast_and_keep_shape() -> None:
    table = _table(OFFICE)
    start = to_epoch(datetime(2026, 5, 4, 8, tzinfo=BERLIN))
    starts = np.array([[start, start + H], [start + 2 * H, start + 3 * H]])
    due = business_deadline(table, starts, 3600)
    assert due.shape == (2, 2)
    assert (due - starts == 3600).all()
    assert business_seconds_between(table, starts, starts + 60).tolist() == [[60, 60], [60, 60]]


# ------------------------------------------------------------------ invalid input


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(NaiveDatetimeError, match="no time zone"):
        compile_calendar(OFFICE, start=datetime(2026, 1, 1), end=datetime(2026, 2, 1, tzinfo=UTC))
    table = _table(OFFICE)
    with pytest.raises(NaiveDatetimeError):
        business_time_between(table, datetime(2026, 5, 4), datetime(2026, 5, 5, tzinfo=UTC))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: WeeklyHours.parse({"mon": "08:00-12:00, 11:00-17:00"}), "overlap"),
        (lambda: WeeklyHours.parse({"mon": "22:00-06:00, 23:00-23:30"}), "overlap"),
        (lambda: Shift.parse("08:00-08:00"), "same time"),
        (lambda: Shift.parse("8-17"), "not a clock time"),
        (lambda: clock("24:30"), "not a clock time"),
        (lambda: WeeklyHours.parse({"fri-mon": "08:00-17:00"}), "backwards"),
        (lambda: WeeklyHours.parse({"mon-fri": "08:00-17:00", "fri": "09:00-10:00"}), "twice"),
        (lambda: Closure.parse(date(2026, 12, 24), "18:00-12:00"), "not a range"),
        (lambda: Calendar(zone="Mars/Olympus", hours=WeeklyHours.always()), "unknown time zone"),
        (lambda: Calendar(zone="UTC", hours=WeeklyHours.always(), holidays=frozenset({1})), "date"),
        (lambda: Pauses.from_lists([[(10, 5)]]), "ends before it starts"),
    ],
)
def test_bad_definitions_are_refused(build: object, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        build()  # type: ignore[operator]
    assert info.value.hint


def test_queries_outside_the_compiled_range_are_refused() -> None:
    table = _table(OFFICE, hi=date(2026, 2, 1))
    inside = datetime(2026, 1, 15, tzinfo=UTC)
    outside = datetime(2026, 3, 1, tzinfo=UTC)
    with pytest.raises(InputError, match="outside the compiled calendar range") as info:
        business_time_between(table, inside, outside)
    assert "compile_calendar" in info.value.hint
    with pytest.raises(InputError, match="outside"):
        business_seconds_between(table, np.array([to_epoch(outside)]), np.array([0]))
    with pytest.raises(InputError, match="after the end"):
        business_deadline_after(table, inside, timedelta(days=30))
    with pytest.raises(InputError, match=">= 0"):
        business_deadline(table, np.array([to_epoch(inside)]), np.array([-1]))
    with pytest.raises(InputError, match="fraction of a second"):
        business_deadline_after(table, inside, timedelta(seconds=1.5))
    with pytest.raises(InputError, match="integer epoch seconds"):
        business_seconds_between(table, np.array([1.5]), np.array([2.5]))
    with pytest.raises(InputError, match="refers to ticket"):
        business_seconds_between(
            table,
            np.array([to_epoch(inside)]),
            np.array([to_epoch(inside)]),
            pauses=Pauses.from_lists([[], [(0, 1)]]),
        )
    with pytest.raises(InputError, match="empty"):
        compile_calendar(OFFICE, start=inside, end=inside)


def test_sub_second_instants_are_truncated() -> None:
    table = _table(Calendar(zone="UTC", hours=WeeklyHours.always()))
    a = datetime(2026, 5, 4, 8, 0, 0, 900_000, tzinfo=UTC)
    b = datetime(2026, 5, 4, 8, 0, 1, 100_000, tzinfo=UTC)
    assert business_time_between(table, a, b) == timedelta(seconds=1)


# ------------------------------------------------------------------ the docs run


def test_docs_examples_run() -> None:
    text = (ROOT / "docs" / "business-time.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 4
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "docs/business-time.md", "exec"), namespace)


# ------------------------------------------------------------------ holidays on a night desk


@pytest.mark.parametrize(
    ("rule", "thursday_morning", "friday_morning"),
    [(HolidayRule.LOCAL_DAY, 0, 6 * H), (HolidayRule.SHIFT_START, 6 * H, 0)],
)
def test_a_thursday_holiday_on_a_night_desk(
    rule: HolidayRule, thursday_morning: int, friday_morning: int
) -> None:
    """22:00-06:00 daily, Thursday 14 May 2026 a holiday. local-day closes Thursday 00:00-24:00
    only (Friday 00:00-06:00 is no holiday); shift-start closes Thursday's shift whole and lets
    Wednesday's run to Thursday 06:00."""
    cal = Calendar(
        zone="Europe/Berlin",
        hours=WeeklyHours.parse({"daily": "22:00-06:00"}),
        holidays=frozenset({date(2026, 5, 14)}),
        holiday_rule=rule,
    )
    table = _table(cal)

    def hours(lo: datetime, hi: datetime) -> int:
        return int(business_time_between(table, lo, hi).total_seconds())

    assert hours(
        datetime(2026, 5, 14, tzinfo=BERLIN), datetime(2026, 5, 14, 12, tzinfo=BERLIN)
    ) == (thursday_morning)
    assert (
        hours(datetime(2026, 5, 14, 12, tzinfo=BERLIN), datetime(2026, 5, 15, tzinfo=BERLIN)) == 0
    )
    assert hours(
        datetime(2026, 5, 15, tzinfo=BERLIN), datetime(2026, 5, 15, 12, tzinfo=BERLIN)
    ) == (friday_morning)
    # Wed 22:00 .. Sat 00:00 holds 2 h (Wed) + 6 h (Thu or Fri morning) + 2 h (Fri night) + the
    # other 0, under both rules
    assert hours(
        datetime(2026, 5, 13, 12, tzinfo=BERLIN), datetime(2026, 5, 16, tzinfo=BERLIN)
    ) == (10 * H)


# ------------------------------------------------------------------ one batch, many calendars


def test_one_batch_over_many_calendars_matches_each_alone() -> None:
    de = Calendar(
        zone="Europe/Berlin",
        hours=WeeklyHours.parse({"mon-fri": "08:00-17:00"}),
        holidays=frozenset(holidays.country_holidays("DE", years=2026)),
    )
    ny = Calendar(
        zone="America/New_York",
        hours=WeeklyHours.parse({"mon-fri": "09:00-12:00, 13:00-18:00"}),
        holidays=frozenset(holidays.country_holidays("US", years=2026)),
    )
    cals = [de, ny, TWENTY_FOUR_SEVEN]
    rng = np.random.default_rng(3)
    lo = to_epoch(datetime(2026, 1, 1, tzinfo=UTC))
    created = lo + rng.integers(0, 300 * 86400, 300)
    resolved = created + rng.integers(0, 20 * 86400, 300)
    which = rng.integers(0, 3, 300)
    many = compile_calendars(cals, covering=(created, resolved), ahead=timedelta(days=40))
    assert many.start == int(created.min())
    assert many.end == int(resolved.max()) + 1 + 40 * 86400
    elapsed = business_seconds_between(many, created, resolved, calendar=which)
    due = business_deadline(many, created, 4 * H, calendar=which)
    for k, cal in enumerate(cals):
        alone = compile_calendar(cal, start=many.start, end=many.end)
        mine = which == k
        assert mine.any()
        assert (
            elapsed[mine].tolist()
            == business_seconds_between(alone, created[mine], resolved[mine]).tolist()
        )
        assert due[mine].tolist() == business_deadline(alone, created[mine], 4 * H).tolist()
        assert many[k].starts.tolist() == alone.starts.tolist()
    # on the 24x7 calendar elapsed time is wall time and the deadline 4 h later
    assert elapsed[which == 2].tolist() == (resolved - created)[which == 2].tolist()
    assert (due[which == 2] - created[which == 2] == 4 * H).all()


def test_batch_calls_say_what_is_wrong() -> None:
    many = compile_calendars(
        [OFFICE, TWENTY_FOUR_SEVEN],
        start=datetime(2026, 1, 1, tzinfo=UTC),
        end=datetime(2026, 2, 1, tzinfo=UTC),
    )
    t = np.array([to_epoch(datetime(2026, 1, 5, tzinfo=UTC))])
    with pytest.raises(InputError, match="say which one") as info:
        business_seconds_between(many, t, t + 60)
    assert "calendar=" in info.value.hint
    with pytest.raises(InputError, match="calendar index 2 is out of range"):
        business_seconds_between(many, t, t + 60, calendar=[2])
    with pytest.raises(OutsideCompiledRangeError, match="after the end") as beyond:
        business_deadline(many, t, 40 * 86400, calendar=1)
    assert beyond.value.code == "outside-compiled-range"
    assert "ahead=" in beyond.value.hint
    with pytest.raises(OutsideCompiledRangeError, match="outside the compiled"):
        business_seconds_at(many, t - 30 * 86400, calendar=0)
    with pytest.raises(InputError, match="either start/end or covering"):
        compile_calendars([OFFICE], start=t[0], end=t[0] + 1, covering=(t,))
    with pytest.raises(InputError, match="needs a range"):
        compile_calendars([OFFICE])


def test_instants_are_taken_one_way_everywhere() -> None:
    """Aware datetimes or integer epoch seconds, scalars or arrays; naive refused."""
    table = _table(OFFICE)
    monday_9 = datetime(2026, 5, 4, 9, tzinfo=BERLIN)
    monday_10 = datetime(2026, 5, 4, 10, tzinfo=BERLIN)
    as_ints = np.array([to_epoch(monday_9)]), np.array([to_epoch(monday_10)])
    as_datetimes = np.array([monday_9], dtype=object), np.array([monday_10], dtype=object)
    assert business_seconds_between(table, *as_ints).tolist() == [H]
    assert business_seconds_between(table, *as_datetimes).tolist() == [H]
    assert business_seconds_between(table, [monday_9], [to_epoch(monday_10)]).tolist() == [H]
    assert business_time_between(table, to_epoch(monday_9), monday_10) == timedelta(hours=1)
    assert epoch_seconds(monday_9).tolist() == to_epoch(monday_9)
    naive = datetime(2026, 5, 4, 9)
    for call in (
        lambda: business_seconds_between(table, [naive], [monday_10]),
        lambda: business_seconds_at(table, naive),
        lambda: compile_calendars([OFFICE], start=naive, end=monday_10),
        lambda: compile_calendars([OFFICE], covering=([naive],)),
        lambda: Pauses.from_lists([[(naive, monday_10)]]),
        lambda: epoch_seconds(np.array(["2026-05-04T09:00"], dtype="datetime64[s]")),
    ):
        with pytest.raises(NaiveDatetimeError):
            call()
    with pytest.raises(InputError, match="neither an aware datetime"):
        business_seconds_between(table, np.array(["x"], dtype=object), [0])


@settings(max_examples=40, deadline=None)
@given(setup=scenario())
def test_shared_hours_minus_own_closed_time_equals_compiling_alone(
    setup: tuple[Calendar, int, int],
) -> None:
    """Calendars of one zone and hours share one compilation and subtract their own holidays
    and closures; that gives what compiling each calendar from its own rules gives."""
    calendar, lo, hi = setup
    plain = Calendar(zone=calendar.zone, hours=calendar.hours, changes=calendar.changes)
    variants = [
        calendar,
        Calendar(
            zone=calendar.zone,
            hours=calendar.hours,
            changes=calendar.changes,
            holidays=calendar.holidays,
            closures=calendar.closures,
        ),
        plain,
    ]
    many = compile_calendars(variants, start=lo, end=hi)
    for k, variant in enumerate(variants):
        starts, ends = open_intervals(variant, lo, hi)  # the rules applied one calendar alone
        assert many[k].starts.tolist() == starts.tolist()
        assert many[k].ends.tolist() == ends.tolist()


def test_stacked_tables_and_the_covering_range() -> None:
    lo, hi = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
    night = Calendar(zone="Europe/Berlin", hours=WeeklyHours.parse({"daily": "22:00-06:00"}))
    tables = [compile_calendar(c, start=lo, end=hi) for c in (OFFICE, night)]
    stacked = CalendarSet.of(tables)
    compiled = compile_calendars([OFFICE, night], start=lo, end=hi)
    # Monday 2 March 08:00 CET to Tuesday 08:00 CET: the office is open 08:00-17:00 (9 h); the
    # night desk Monday 22:00 - Tuesday 06:00 (8 h; Sunday's shift ended Monday 06:00)
    a = to_epoch(datetime(2026, 3, 2, 7, tzinfo=UTC))
    b = a + 86400
    for many in (stacked, compiled):
        got = business_seconds_between(many, [a, a], [b, b], calendar=[0, 1])
        assert got.tolist() == [9 * H, 8 * H]
    with pytest.raises(InputError, match="different ranges"):
        CalendarSet.of([tables[0], compile_calendar(night, start=lo, end=hi + timedelta(days=1))])
    assert covering_range([a, b], b + 5, ahead=timedelta(hours=1)) == (a, b + 5 + 1 + 3600)
    with pytest.raises(InputError, match="no instants"):
        covering_range()


def test_huge_numbers_are_refused_not_wrapped() -> None:
    table = _table(OFFICE)
    t = np.array([to_epoch(datetime(2026, 5, 4, 9, tzinfo=UTC))])
    with pytest.raises(OutsideCompiledRangeError, match="more than"):
        business_deadline(table, t, np.array([2**62]))
    with pytest.raises(InputError, match="too far from 1970"):
        business_seconds_between(table, [2**70], t)
    with pytest.raises(InputError, match="too far from 1970"):
        business_seconds_between(table, np.array([2**70], dtype=object), t)
    with pytest.raises(OutsideCompiledRangeError, match="outside the compiled"):
        business_seconds_between(table, [2**61], t)
