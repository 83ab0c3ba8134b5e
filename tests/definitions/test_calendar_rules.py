"""covenant/v1 Calendar ``holidayRule``: both readings, from YAML through the engine."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from covenant.core.business_time import business_time_between, compile_calendar
from covenant.definitions.calendar_spec import CalendarSpec, to_core_calendar
from tests.definitions.helpers import errors, load_text

BERLIN = ZoneInfo("Europe/Berlin")
H = 3600

# A night desk every day, 22:00-06:00; Thursday 14 May 2026 (Ascension Day) is a holiday.
NIGHT_DESK = """\
apiVersion: covenant/v1
kind: Calendar
metadata:
  name: nights
spec:
  timeZone: Europe/Berlin
  weekly:
    mon: "22:00-06:00"
    tue: "22:00-06:00"
    wed: "22:00-06:00"
    thu: "22:00-06:00"
    fri: "22:00-06:00"
    sat: "22:00-06:00"
    sun: "22:00-06:00"
  holidays:
    dates: [2026-05-14]
"""


def _spec(rule: str | None) -> CalendarSpec:
    text = NIGHT_DESK + (f"  holidayRule: {rule}\n" if rule else "")
    workspace, problems = load_text(text)
    assert workspace is not None, problems
    assert not errors(problems)
    (calendar,) = workspace.calendars
    return calendar


def _hours(spec: CalendarSpec, lo: datetime, hi: datetime) -> float:
    table = compile_calendar(
        to_core_calendar(spec),
        start=datetime(2026, 5, 1, tzinfo=BERLIN),
        end=datetime(2026, 6, 1, tzinfo=BERLIN),
    )
    return business_time_between(table, lo, hi) / timedelta(hours=1)


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 5, day, hour, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("rule", "thursday_morning", "thursday_night", "friday_morning", "wednesday_to_saturday"),
    [
        # local-day: Thursday 00:00-24:00 is closed; Friday 00:00-06:00 (Thursday's shift) is open.
        # Wed 22-24 (2 h) + Fri 00-06 (6 h) + Fri 22-24 (2 h) = 10 h
        (None, 0, 0, 6, 10),
        ("local-day", 0, 0, 6, 10),
        # shift-start: Wednesday's shift runs to Thursday 06:00; Thursday's shift is closed whole.
        # Wed 22 - Thu 06 (8 h) + Fri 22-24 (2 h) = 10 h
        ("shift-start", 6, 0, 0, 10),
    ],
)
def test_holiday_rule_decides_which_night_closes(
    rule: str | None,
    thursday_morning: int,
    thursday_night: int,
    friday_morning: int,
    wednesday_to_saturday: int,
) -> None:
    spec = _spec(rule)
    assert spec.holiday_rule == (rule or "local-day")
    assert _hours(spec, _at(14, 0), _at(14, 12)) == thursday_morning
    assert _hours(spec, _at(14, 12), _at(15, 0)) == thursday_night
    assert _hours(spec, _at(15, 0), _at(15, 12)) == friday_morning
    assert _hours(spec, _at(13, 12), _at(16, 0)) == wednesday_to_saturday


def test_hours_on_follows_the_rule() -> None:
    local = _spec("local-day")
    assert local.hours_on(date(2026, 5, 14)) == ()
    assert local.hours_on(date(2026, 5, 15)) == ((0, 6 * H), (22 * H, 24 * H))
    start = _spec("shift-start")
    assert start.hours_on(date(2026, 5, 14)) == ((0, 6 * H),)
    assert start.hours_on(date(2026, 5, 15)) == ((22 * H, 24 * H),)


def test_an_unknown_holiday_rule_is_refused_with_the_choices() -> None:
    _, problems = load_text(NIGHT_DESK + "  holidayRule: whole-shift\n")
    found = errors(problems)
    assert len(found) == 1
    assert "holidayRule" in found[0].field
    assert "local-day" in str(found[0])
    assert "shift-start" in str(found[0])


def test_an_override_replaces_the_previous_nights_tail() -> None:
    workspace, problems = load_text(NIGHT_DESK + '  overrides:\n    2026-05-20: "10:00-12:00"\n')
    assert workspace is not None, problems
    spec = workspace.calendars[0]
    # Tuesday 19th's shift would run to Wednesday 06:00; the override gives the 20th 10-12 only.
    assert _hours(spec, _at(20, 0), _at(20, 22)) == 2
    assert _hours(spec, _at(19, 0), _at(20, 0)) == 6 + 2  # Tue 00-06 (Monday's) + Tue 22-24
