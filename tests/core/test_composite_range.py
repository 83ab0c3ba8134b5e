"""Composite weights are exact or refused: never an int64 overflow read as a level."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from covenant.core.composite import (
    MAX_INTEGER_WEIGHT,
    Component,
    CompositeObjective,
    CompositeRangeError,
    evaluate_composites,
)
from tests.core.test_composite import AT, N, constant, matrix, objective


def composite(*weights: Fraction) -> CompositeObjective:
    names = ("pay", "search", "cart")
    return CompositeObjective(
        objective=objective("", "checkout:composite"),
        components=tuple(
            Component(objective=objective(n, n), weight=w)
            for n, w in zip(names, weights, strict=False)
        ),
    )


@pytest.mark.parametrize(
    ("weights", "fix"),
    [
        ((Fraction("0.3333333333333"), Fraction("0.6666666666667")), "e.g. 1, 2"),
        ((Fraction(10**13), Fraction(1)), "under a millionth"),
        ((Fraction(10**308), Fraction(1)), "under a millionth"),
        ((Fraction(1), Fraction(1, 10**7)), "under a millionth"),
    ],
)
def test_weights_too_fine_to_evaluate_exactly_are_refused_with_a_fix(
    weights: tuple[Fraction, ...], fix: str
) -> None:
    with pytest.raises(CompositeRangeError) as caught:
        composite(*weights)
    assert caught.value.code == "composite-out-of-range"
    assert fix in caught.value.hint


def test_the_largest_allowed_ratio_is_evaluated_exactly() -> None:
    """Weights 1 and 999,999 with 10⁶ events a minute: hand-summed over the hour's 60 buckets.
    pay: 999,000 good of 10⁶ (weight 1); search: 999,990 of 10⁶ (weight 999,999)."""
    c = composite(Fraction(1), Fraction(MAX_INTEGER_WEIGHT - 1))
    data = matrix(pay=constant(999_000, 10**6), search=constant(999_990, 10**6))
    (e,) = evaluate_composites([c], data, at=AT)
    good = 60 * (999_000 + 999_999 * 999_990)
    total = 60 * (10**6 + 999_999 * 10**6)
    assert (e.good, e.total) == (good, total)
    assert e.sli == Fraction(good, total)


def test_weighted_counts_beyond_64_bits_are_refused_not_wrapped() -> None:
    """10¹⁰ events a minute for 3 days is 4.3·10¹³ events; weighted by 10⁶ that is 4.3·10¹⁹,
    past 2⁶³ ≈ 9.2·10¹⁸: int64 sums would wrap, so the composite is refused."""
    c = composite(Fraction(1), Fraction(MAX_INTEGER_WEIGHT))
    per = 10**10
    data = matrix(pay=constant(per, per), search=constant(per, per))
    assert N * per * (MAX_INTEGER_WEIGHT + 1) > 2**63
    with pytest.raises(CompositeRangeError, match="exceed what can be evaluated exactly"):
        evaluate_composites([c], data, at=AT)
    np.testing.assert_array_equal(data.total[0], per)  # inputs untouched
