"""One shorthand for a length of time, wherever windows, steps and targets are shown.

Three copies had drifted (`0` was `0d` in two and `0s` in the third; one had a branch that
could never run), and the alert backtest wrote its durations with a copy of the statement's.
"""

from __future__ import annotations

import pytest

from covenant.core import lint_findings
from covenant.core.timeutil import shorthand
from covenant.render import alert_backtest, evaluation, sla


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (45, "45s"),
        (90, "90s"),
        (300, "5m"),
        (5400, "90m"),
        (3600, "1h"),
        (6 * 3600, "6h"),
        (86400, "1d"),
        (28 * 86400, "28d"),
        (86400 + 3600, "25h"),
        (86400 + 60, "1441m"),
        (3661, "3661s"),
    ],
)
def test_the_largest_whole_unit(seconds: int, text: str) -> None:
    assert shorthand(seconds) == text


def test_every_table_and_finding_uses_the_one_shorthand() -> None:
    assert lint_findings.length_text is shorthand
    assert evaluation.span_text is shorthand
    assert alert_backtest.duration_text is sla.duration_text
    assert sla.duration_text(3900) == "1h 05m"
