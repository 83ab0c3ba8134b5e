"""The portal counts a support commitment's timers in the page's language (the statements'),
in the form that language's plural rules (CLDR) choose and with its digit grouping: the
catalogue's ``support_timers_*`` entries, each expected text written here by hand."""

from __future__ import annotations

import pytest

from covenant.web.portal_text import PortalText


@pytest.mark.parametrize(
    ("locale", "count", "shown"),
    [
        ("en_GB", 0, "0 support timers"),
        ("en_GB", 1, "1 support timer"),
        ("en_GB", 2, "2 support timers"),
        ("en_GB", 1234, "1,234 support timers"),
        ("de_DE", 1, "1 Support-Frist"),
        ("de_DE", 1234, "1.234 Support-Fristen"),
        ("fr_FR", 0, "0 délai de support"),  # French: 0 and 1 are singular
        ("fr_FR", 1, "1 délai de support"),
        ("fr_FR", 2, "2 délais de support"),
        ("fr_FR", 1234, "1\u202f234 délais de support"),
        ("es_ES", 0, "0 plazos de soporte"),  # Spanish: only 1 is singular
        ("es_ES", 1, "1 plazo de soporte"),
        ("ja_JP", 1, "サポート期限 1 件"),  # one form for every count
        ("ja_JP", 1234, "サポート期限 1,234 件"),
        ("zh_CN", 2, "2 个支持时限"),
    ],
)
def test_timer_counts_follow_the_language(locale: str, count: int, shown: str) -> None:
    assert PortalText(locale, "UTC").timers(count) == shown
