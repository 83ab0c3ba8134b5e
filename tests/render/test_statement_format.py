"""How a statement writes periods and ending instants: the last day included, midnight that
ends something as 24:00 of the day before (docs/sla.md, "The period as a customer reads it")."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from covenant.core.credits import CreditLimit
from covenant.core.money import Money
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
        "50,00\u00a0€ übersteigt die Mindestgutschrift von 50,00\u00a0€ nicht: Es wird keine "
        "Gutschrift gezahlt (0,00\u00a0€)"
    )
    shared = CreditLimit(
        kind="agreement-cap", before=Decimal("300"), bound=Decimal("250"), after=Decimal("250")
    )
    assert _limit_text(shared, "EUR", london, EN) == (
        "The agreement caps all credits of the period together at €250.00: €300.00 becomes €250.00"
    )


def test_money_is_shown_rounded_half_up_as_covenant_computes_it() -> None:
    """A support penalty's pro-rated fee is exact: 100.25 EUR a month, the version in force
    for 15 of November's 30 days, is 100.25 × 15 / 30 = 50.125 EUR. Covenant rounds money half
    up to the cent (core.credits, core.support), so the statement shows 50.13 — never Babel's
    own half-even 50.12, which a reader checking "5 % of 50.13" would not find."""
    assert NEW_YORK.money(Money(amount=Decimal("50.125"), currency="EUR")) == "€50.13"
    assert BERLIN.money(Money(amount=Decimal("0.125"), currency="EUR")) == "0,13\xa0€"
    yen = Formats("ja_JP", "Asia/Tokyo", EN)
    assert yen.money(Money(amount=Decimal("122.5"), currency="JPY")) == "￥123"  # not ￥122


def test_money_has_the_iso_4217_decimals_it_was_computed_to() -> None:
    """HUF, IDR and COP have two decimals in ISO 4217 (credits are computed to 0.01), where
    CLDR prints none: 12 345.50 HUF shown as 12 346 Ft would not add up with the JSON's
    12345.50 nor with the other lines of the total."""
    budapest = Formats("hu_HU", "Europe/Budapest", EN)
    assert budapest.money(Money(amount=Decimal("12345.50"), currency="HUF")) == (
        "12\xa0345,50\xa0Ft"
    )
    jakarta = Formats("id_ID", "Asia/Jakarta", EN)
    assert jakarta.money(Money(amount=Decimal("1500000.25"), currency="IDR")) == (
        "Rp1.500.000,25"  # CLDR: no space after Rp
    )
    # three decimals (BHD) and none (JPY) as before
    assert NEW_YORK.money(Money(amount=Decimal("1.250"), currency="BHD")) == "BHD1.250"
    assert NEW_YORK.money(Money(amount=Decimal("123457"), currency="JPY")) == "JP¥123,457"


def test_the_periods_another_statement_holds_are_named_as_its_heading_names_them() -> None:
    """The note on an agreement measured per another period names the statements that hold
    its figures as each language names a period and joins a list (CLDR through Babel), not as
    the ASCII ids ``2026-10, 2026-11`` in a Japanese or German sentence."""
    months = ("2026-10", "2026-11", "2026-12")
    assert NEW_YORK.period_names(months) == "October 2026, November 2026 and December 2026"
    assert BERLIN.period_names(months) == "Oktober 2026, November 2026 und Dezember 2026"
    tokyo = Formats("ja_JP", "Asia/Tokyo", EN)
    assert tokyo.period_names(months) == "2026年10月、2026年11月、2026年12月"
    assert Formats("fr_FR", "Europe/Paris", EN).period_names(("2026-Q4",)) == "T4 2026"
    shanghai = Formats("zh_CN", "Asia/Shanghai", EN)
    assert shanghai.period_names(("2026-Q4",)) == "2026年第4季度"  # not "4季度 2026"
    # the heading names a quarter the same way
    assert shanghai.period(datetime(2026, 9, 30, 16, tzinfo=UTC), quarter=True) == "2026年第4季度"
    assert NEW_YORK.period(datetime(2026, 10, 1, 4, tzinfo=UTC), quarter=True) == "Q4 2026"
