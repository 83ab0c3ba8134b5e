"""A burn too slow for a date: time to exhaustion has no value then, with a note, instead of
an OverflowError (``timedelta`` holds at most 999,999,999 days).

A 90 % target over 30 days; every event arrives in the last hour, one of them bad. With 4e7
events the 1-hour burn is (1 / 4e7) / 0.1 = 1 / 4e6 and the budget left is 3,999,999 / 4e6, so
the budget lasts 3,999,999 / 4e6 × 2,592,000 s × 4e6 = 3,999,999 × 2,592,000 s. With 4e9 events
it would last about 1.04e15 s, past what a ``timedelta`` holds.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import numpy as np
import pytest

from covenant.core.evaluate import evaluate, required_edges
from covenant.core.model import DAY, Objective, RollingWindow
from covenant.core.series import EdgeCounts
from covenant.core.timeutil import to_epoch

AT = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def _evaluate(events: int) -> tuple[timedelta | None, str | None]:
    o = Objective(
        slo="loose",
        name="",
        series="s",
        target=Fraction(9, 10),
        window=RollingWindow(seconds=30 * DAY),
    )
    edges = np.asarray(required_edges([o], at=AT, step=60), dtype=np.int64)
    end = to_epoch(AT)
    hour = end - 3600
    total = np.where(edges >= hour, events * (edges - hour) // 3600, 0).astype(np.int64)
    good = total - (edges == end)  # the one bad event, in the last minute
    counts = EdgeCounts(keys=("s",), step=60, edges=edges, good=good[None], total=total[None])
    (e,) = evaluate([o], counts, at=AT)
    return e.time_to_exhaustion, e.exhaustion_note


def test_a_long_time_to_exhaustion_is_exact() -> None:
    assert _evaluate(40_000_000) == (timedelta(seconds=3_999_999 * 2_592_000), None)


@pytest.mark.parametrize("events", [4_000_000_000, 2**50])
def test_longer_than_a_date_has_no_value(events: int) -> None:
    tte, note = _evaluate(events)
    assert tte is None
    assert note == "burning too slowly to count (longer than a date can hold)"
