"""The portal page is English (``lang="en"``): its support rows count a commitment's timers in
English, in the form English plural rules (CLDR) choose, with English digit grouping — never
in the statement's language (a German customer's statement is German, its portal page is
not)."""

from __future__ import annotations

import pytest

from covenant.web.portal import timers_text


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, "0 support timers"),
        (1, "1 support timer"),
        (2, "2 support timers"),
        (1234, "1,234 support timers"),  # not the German "1.234 Support-Fristen"
    ],
)
def test_timer_counts_follow_the_page(count: int, shown: str) -> None:
    assert timers_text(count) == shown
