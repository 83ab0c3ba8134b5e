"""How a statement writes periods and ending instants: the last day included, midnight that
ends something as 24:00 of the day before (docs/sla.md, "The period as a customer reads it")."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from covenant.core.credits import CreditLimit
from covenant.render.statement_catalogues.de import LABELS as DE
from covenant.render.statement_catalogues.en import LABELS as EN
from covenant.render.statement_format import Formats
from covenant.render.statement_view import _limit_text

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


def test_every_cap_and_minimum_is_worded_with_its_figures() -> None:
    london = Formats("en_GB", "Europe/London", EN)
    cap = CreditLimit(
        kind="cap", before=Decimal("600.00"), bound=Decimal("400"), after=Decimal("400")
    )
    assert _limit_text(cap, "EUR", london, EN) == (
        "€600.00 exceeds the commitment's cap of €400.00: the credit is capped at €400.00"
    )
    by_percent = CreditLimit(
        kind="cap", before=Decimal("600"), bound=Decimal("300"), after=Decimal("300"),
        percent=Decimal("15"),
    )  # fmt: skip
    assert _limit_text(by_percent, "EUR", london, EN) == (
        "€600.00 exceeds the commitment's cap of 15% of the fee (€300.00): the credit is "
        "capped at €300.00"
    )
    exclusive = CreditLimit(
        kind="minimum-exclusive", before=Decimal("50"), bound=Decimal("50"), after=Decimal("0")
    )
    assert _limit_text(exclusive, "JPY", london, EN) == (
        "JP¥50 does not exceed the minimum payable credit of JP¥50: no credit is paid (JP¥0)"
    )
    assert _limit_text(exclusive, "EUR", BERLIN, DE) == (
        "50,00\u00a0€ übersteigt die Mindestgutschrift von 50,00\u00a0€ nicht: es wird keine "
        "Gutschrift gezahlt (0,00\u00a0€)"
    )
    shared = CreditLimit(
        kind="agreement-cap", before=Decimal("300"), bound=Decimal("250"), after=Decimal("250")
    )
    assert _limit_text(shared, "EUR", london, EN) == (
        "The agreement caps all credits of the period together at €250.00: €300.00 becomes €250.00"
    )
