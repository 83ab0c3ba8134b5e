"""Duration shorthand: parsing, calendar units, and a parse/format round trip."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from covenant.core.model import CalendarUnit
from covenant.definitions.durations import DurationRangeError, format_seconds, parse_duration
from covenant.errors import InputError
from tests.definitions.helpers import load_text


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("5m", 300), ("1h", 3600), ("28d", 28 * 86400), ("1w", 604800)],
)
def test_fixed_units_have_seconds(text: str, seconds: int) -> None:
    assert parse_duration(text).seconds == seconds


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("1M", CalendarUnit.MONTH),
        ("1Q", CalendarUnit.QUARTER),
        ("1y", CalendarUnit.YEAR),
        ("1Y", CalendarUnit.YEAR),
        ("1w", CalendarUnit.WEEK),
        ("1d", CalendarUnit.DAY),
    ],
)
def test_calendar_units(text: str, unit: CalendarUnit) -> None:
    assert parse_duration(text).calendar_unit is unit


@pytest.mark.parametrize("text", ["", "0d", "1.5h", "-1d", "1 d", "1s", "d", "28days"])
def test_invalid_durations_raise(text: str) -> None:
    with pytest.raises(InputError):
        parse_duration(text)


def test_month_has_no_fixed_length() -> None:
    with pytest.raises(InputError):
        _ = parse_duration("1M").seconds


@given(st.integers(min_value=1, max_value=15653), st.sampled_from(["m", "h", "d", "w"]))
def test_format_then_parse_round_trips(count: int, unit: str) -> None:
    seconds = parse_duration(f"{count}{unit}").seconds
    assert parse_duration(format_seconds(seconds)).seconds == seconds


@given(st.integers(min_value=1, max_value=10**7))
def test_format_seconds_is_exact_for_whole_minutes(minutes: int) -> None:
    assert parse_duration(format_seconds(minutes * 60)).seconds == minutes * 60


# 300 years at most, counted by hand: 300 × 365.25 = 109575 days = 15653 weeks + 4 days
# = 2629800 hours = 157788000 minutes; 3600 months = 1200 quarters = 300 years.
@pytest.mark.parametrize(
    "text", ["109575d", "15653w", "2629800h", "157788000m", "3600M", "1200Q", "300Y", "300y"]
)
def test_longest_durations_parse(text: str) -> None:
    assert parse_duration(text).count > 0


@pytest.mark.parametrize(
    "text",
    ["109576d", "15654w", "2629801h", "157788001m", "3601M", "1201Q", "301Y", "99999999999999d"],
)
def test_durations_over_300_years_are_out_of_range(text: str) -> None:
    with pytest.raises(DurationRangeError) as caught:
        parse_duration(text)
    assert caught.value.code == "duration-out-of-range"
    assert "300 years" in caught.value.message


@pytest.mark.parametrize(
    ("written", "shorthand"),
    [("Week", "1w"), ("30 days", "30d"), ("1Month", "1M"), ("quarter", "1Q"), ("2 Hours", "2h")],
)
def test_a_unit_spelled_out_is_told_its_shorthand(written: str, shorthand: str) -> None:
    """OpenSLO/slogen's samples write ``duration: Week`` (with ``startTime: Monday``): the fix
    said only "a positive whole number and one unit"; it now gives the shorthand meant."""
    text = (
        "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: s}\nspec:\n  service: web\n"
        "  budgetingMethod: Occurrences\n  indicatorRef: avail\n"
        f"  timeWindow: [{{duration: {written}, isRolling: true}}]\n"
        "  objectives: [{target: 0.99}]\n"
    )
    _, problems = load_text(text)
    (problem,) = [p for p in problems if p.code == "invalid-duration"]
    assert problem.field == "spec.timeWindow[0].duration"
    assert problem.fix.startswith(f"write {shorthand}: ")
