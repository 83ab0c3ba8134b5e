"""A RatioTimeslices mean over thousands of slices with unrelated event counts is a fraction of
thousands of digits; its JSON ``exact`` string is written in full (Python's ``str`` refuses
integers over 4,300 digits)."""

from __future__ import annotations

from fractions import Fraction

from covenant.render.evaluation import exact


def test_a_denominator_of_five_thousand_digits_is_written_in_full() -> None:
    # 10**5000 + 1 is "1", 4,999 zeros and "1" (5,001 digits); 3 does not divide it
    # (10**5000 + 1 ≡ 1 + 1 = 2 mod 3), so 3 / (10**5000 + 1) is in lowest terms.
    value = Fraction(3, 10**5000 + 1)
    assert exact(value) == {"value": 0.0, "exact": "3/1" + "0" * 4999 + "1"}


def test_long_numerators_and_denominators_keep_their_inner_zeros() -> None:
    # 3·10**8000 + 1 over 10**9000 + 7: "3", 7,999 zeros, "1" over "1", 8,999 zeros, "7".
    num, den = 3 * 10**8000 + 1, 10**9000 + 7
    value = Fraction(num, den)
    assert (value.numerator, value.denominator) == (num, den)  # already in lowest terms
    written = "3" + "0" * 7999 + "1" + "/1" + "0" * 8999 + "7"
    assert exact(value)["exact"] == written
    assert exact(-value)["exact"] == "-" + written
