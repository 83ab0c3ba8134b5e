"""The portal counts a commitment's support timers in the statement's language, in the form
its locale's plural rules (CLDR) choose: English and Spanish singular for 1 only, French for 0
and 1 too, German "Frist"/"Fristen", Japanese and Chinese one form."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from covenant.web.portal import timers_text
from tests.services.test_sla_edges import statement, write


@pytest.mark.parametrize(
    ("locale", "count", "shown"),
    [
        ("en_GB", 1, "1 support timer"),
        ("en_GB", 0, "0 support timers"),
        ("en_GB", 2, "2 support timers"),
        ("fr_FR", 0, "0 délai de support"),
        ("fr_FR", 1, "1 délai de support"),
        ("fr_FR", 2, "2 délais de support"),
        ("de_DE", 1, "1 Support-Frist"),
        ("de_DE", 1234, "1.234 Support-Fristen"),
        ("es_ES", 1, "1 plazo de soporte"),
        ("es_ES", 1000000, "1.000.000 plazos de soporte"),
        ("ja_JP", 1, "サポート期限 1 件"),
        ("zh_CN", 2, "2 个支持时限"),
    ],
)
def test_timer_counts_take_the_locales_plural(
    tmp_path: Path, locale: str, count: int, shown: str
) -> None:
    st = statement(write(tmp_path), "2026-11", "2026-12-10T00:00:00Z")
    st = replace(st, presentation=replace(st.presentation, locale=locale))
    assert timers_text(st, count) == shown
