"""How a statement writes periods and ending instants: the last day included, midnight that
ends something as 24:00 of the day before (docs/sla.md, "The period as a customer reads it")."""

from __future__ import annotations

from datetime import UTC, datetime

from covenant.render.statement_format import Formats
from covenant.render.statement_labels import DE, EN

BERLIN = Formats("de_DE", "Europe/Berlin", DE)
NEW_YORK = Formats("en_GB", "America/New_York", EN)


def test_an_ending_midnight_is_24_00_of_the_day_before() -> None:
    # 2026-11-30T23:00Z is midnight (CET, UTC+1) starting 1 December in Berlin
    end = datetime(2026, 11, 30, 23, tzinfo=UTC)
    assert BERLIN.when(end, end=True) == "30. Nov. 2026, 24:00"
    assert BERLIN.when(end) == "1. Dez. 2026, 00:00"  # a start stays 00:00
    # not midnight: the same either way
    later = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert BERLIN.when(later, end=True) == BERLIN.when(later) == "1. Dez. 2026, 00:30"


def test_the_days_of_a_period_include_the_last() -> None:
    # November 2026 in New York: 2026-11-01T04:00Z (EDT) to 2026-12-01T05:00Z (EST)
    start = datetime(2026, 11, 1, 4, tzinfo=UTC)
    end = datetime(2026, 12, 1, 5, tzinfo=UTC)
    assert NEW_YORK.days(start, end) == "1\u2009–\u200930 Nov 2026"
    assert NEW_YORK.when(end, end=True) == "30 Nov 2026, 24:00"
    # a quarter across a year's end, and a single day
    assert (
        BERLIN.days(datetime(2026, 11, 30, 23, tzinfo=UTC), datetime(2027, 2, 28, 23, tzinfo=UTC))
        == "1. Dez. 2026\u2009–\u200928. Feb. 2027"
    )
    assert (
        BERLIN.days(datetime(2026, 11, 30, 23, tzinfo=UTC), datetime(2026, 12, 1, 23, tzinfo=UTC))
        == "1. Dez. 2026"
    )
