"""The burn rate an alert's description writes (Alertmanager's `description`, the webhook's,
Slack's): three significant digits, never an exponent. A checkout failing every request burns a
99.9 % budget at 1000× and was described as `1e+03 over 5m` to the person paged."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import pytest

from covenant.core.alert_rules import _rate
from covenant.core.results import Burn

T = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def burn(rate: Fraction | None) -> Burn:
    return Burn(window_s=300, start=T, end=T, rate=rate, events=10)


@pytest.mark.parametrize(
    ("rate", "words"),
    [
        (Fraction(1000), "1000"),  # every request failed against a 99.9 % objective
        (Fraction(123456, 100), "1230"),  # 1234.56 to three significant digits
        (Fraction(14400), "14400"),
        (Fraction(1034, 10), "103"),
        (Fraction(56, 10), "5.6"),
        (Fraction(1, 100000), "0.00001"),
        (Fraction(0), "0"),
    ],
)
def test_a_burn_rate_is_written_without_an_exponent(rate: Fraction, words: str) -> None:
    assert _rate(burn(rate)) == words


def test_no_rate_is_no_data() -> None:
    assert _rate(burn(None)) == "no data"
