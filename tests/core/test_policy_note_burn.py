"""A burn window whose rate a good/bad no-data policy filled says so (``Burn.policy_note``).

The counts come from the silence fed in, by hand: the last ``QUIET`` one-minute buckets before
``AT`` hold no events, so a trailing window of ``w`` minutes over 1-minute slices counts ``w``
slices, ``min(w, QUIET)`` of them silent. A correction over some of those minutes skips them.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from covenant.core.composite import evaluate_composites
from covenant.core.corrections import CorrectionWindow, evaluate_corrected
from covenant.core.evaluate import evaluate
from covenant.core.model import BudgetingMethod, NoDataPolicy
from covenant.core.results import Burn, Evaluation
from tests.core.test_policy_note import AT, N, busy, data, pair, slices

QUIET = 10  # minutes without events before AT


def quiet_tail() -> np.ndarray:
    total = busy()
    total[N - QUIET :] = 0
    return total


def windows(e: Evaluation) -> dict[int, Burn]:
    """Every burn window of the evaluation by its length in minutes."""
    found = {} if e.burn is None else {e.burn.window_s // 60: e.burn}
    for t in e.tiers:
        found[t.long.window_s // 60] = t.long
        found[t.short.window_s // 60] = t.short
    return found


def expected(minutes: int, quiet: int, word: str, policy: str, had: str = "no events") -> str:
    if quiet == minutes:  # every slice silent: no events at all
        return f"no events in the window: all {minutes:,} slices counted {word} by {policy}"
    return f"{quiet:,} of {minutes:,} slices had {had} and were counted {word} by {policy}"


# The default tiers' windows and the current hour, in minutes: 5 m, 30 m, 1 h, 2 h, 6 h, 1 d, 3 d.
MINUTES = (5, 30, 60, 120, 360, 1440, 4320)


@pytest.mark.parametrize("method", [BudgetingMethod.TIMESLICES, BudgetingMethod.RATIO_TIMESLICES])
@pytest.mark.parametrize("policy", [NoDataPolicy.GOOD, NoDataPolicy.BAD])
def test_every_burn_window_says_how_many_of_its_slices_the_policy_filled(
    policy: NoDataPolicy, method: BudgetingMethod
) -> None:
    (e,) = evaluate([slices(policy, method)], data(quiet_tail()), at=AT)
    found = windows(e)
    assert sorted(found) == list(MINUTES)
    word = policy.value
    for minutes in MINUTES:
        w = found[minutes]
        quiet = min(minutes, QUIET)
        assert w.counted == minutes
        assert w.policy_filled == quiet
        assert w.policy_note == expected(minutes, quiet, word, f"noDataPolicy: {word}")
    # the 5-minute window is all silence: its rate comes from the policy alone
    assert found[5].events == 0
    assert found[5].rate == (0 if policy is NoDataPolicy.GOOD else 100)


def test_the_slo_window_counts_its_filled_slices() -> None:
    (e,) = evaluate([slices(NoDataPolicy.BAD)], data(quiet_tail()), at=AT)
    assert e.policy_filled == QUIET
    assert e.policy_note == (
        f"{QUIET} of 1,440 slices had no events and were counted bad by noDataPolicy: bad"
    )


@pytest.mark.parametrize("policy", list(NoDataPolicy))
def test_windows_with_events_in_every_slice_have_no_note(policy: NoDataPolicy) -> None:
    (e,) = evaluate([slices(policy)], data(busy()), at=AT)
    assert e.policy_filled == 0
    for w in windows(e).values():
        assert (w.policy_filled, w.policy_note) == (0, None)


def test_skip_policy_burn_windows_have_no_rate_and_no_note() -> None:
    (e,) = evaluate([slices(NoDataPolicy.SKIP)], data(quiet_tail()), at=AT)
    five = windows(e)[5]
    assert five.rate is None
    assert five.no_data is not None
    assert (five.policy_filled, five.policy_note) == (0, None)
    assert windows(e)[60].policy_note is None  # 50 measured slices, none filled


def test_corrected_burn_windows_count_only_the_slices_left() -> None:
    """A correction over the last 3 silent minutes skips 3 slices: each window that held them
    counts 3 fewer slices and 3 fewer filled ones."""
    skipped = 3
    fix = CorrectionWindow(name="deploy", start=AT - timedelta(minutes=skipped), end=AT)
    (corrected,) = evaluate_corrected([slices(NoDataPolicy.GOOD)], data(quiet_tail()), [fix], at=AT)
    assert corrected.evaluation is not None
    found = windows(corrected.evaluation)
    for minutes in MINUTES:
        w = found[minutes]
        counted, quiet = minutes - skipped, QUIET - skipped
        if minutes == 5:
            counted, quiet = 5 - skipped, 5 - skipped
        assert (w.counted, w.policy_filled) == (counted, quiet), minutes
        assert w.policy_note == expected(counted, quiet, "good", "noDataPolicy: good"), minutes
    assert corrected.evaluation.policy_filled == QUIET - skipped


def test_a_composite_burn_window_says_which_slices_its_components_policies_decided() -> None:
    """Both silent over the last 10 minutes; b (policy bad) over the last 20, where a measured
    good: each of those 20 slices is bad only by b's policy."""
    a_total, b_total = busy(), busy()
    a_total[N - QUIET :] = 0  # both silent over the last 10 minutes
    b_total[N - 2 * QUIET :] = 0  # b silent over the last 20
    both = data(a_total, b_total, keys=("a", "b"))
    (e,) = evaluate_composites([pair(NoDataPolicy.BAD)], both, at=AT)
    policy = "its components' noDataPolicy"
    for minutes, w in windows(e).items():
        quiet = min(minutes, 2 * QUIET)
        assert w.policy_filled == quiet, minutes
        had = "a component without events"
        assert w.policy_note == expected(minutes, quiet, "bad", policy, had), minutes
