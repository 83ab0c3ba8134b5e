"""Error-budget arithmetic: small exact functions, each named for what it returns."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction


def burn_rate(*, bad: Fraction | int, counted: int, target: Fraction) -> Fraction:
    """Error ratio over a window divided by the error ratio the target allows (1 − target)."""
    return Fraction(bad) / counted / (1 - target)


def budget_consumed(*, rate: Fraction, over_s: int, window_s: int) -> Fraction:
    """Share of a ``window_s`` budget a burn of ``rate`` held for ``over_s`` consumes."""
    return rate * over_s / window_s


def time_to_exhaustion(*, remaining_ratio: Fraction, rate: Fraction, window_s: int) -> timedelta:
    """How long the remaining share of the budget lasts at ``rate`` (whole seconds, down).

    A rate of 1 spends a whole budget in exactly one window; a budget already spent lasts 0.
    """
    if rate <= 0:
        raise ValueError("time to exhaustion needs a positive burn rate")
    if remaining_ratio <= 0:
        return timedelta(0)
    return timedelta(seconds=int(remaining_ratio * window_s / rate))
