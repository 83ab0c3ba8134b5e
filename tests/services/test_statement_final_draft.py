"""A statement of a period that is over says "Final statement." only on an issued copy; a draft
(computed, never issued) of the same period says the period has ended and that the draft is not
an issued statement, in each of the six languages (docs/sla.md "Issued statements")."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from covenant.core.statement import IssueMark
from covenant.render.sla import statement_html
from tests.services.test_sla_edges import statement, write

MARK = IssueMark(issued_at=datetime(2026, 12, 10, 9, 30, tzinfo=UTC), revision=1, digest="cd" * 32)

# (locale, the draft's status line, the issued copy's), written by hand
WORDS = [
    (
        "",
        "The period has ended; this draft is not an issued statement.",
        "Final statement.",
    ),
    (
        "de_DE",
        "Der Zeitraum ist abgelaufen; dieser Entwurf ist keine ausgestellte Abrechnung.",
        "Endgültige Abrechnung.",
    ),
    (
        "fr_FR",
        "La période est terminée\u202f; ce brouillon n’est pas un relevé émis.",
        "Relevé définitif.",
    ),
    (
        "es_ES",
        "El periodo ha terminado; este borrador no es un informe emitido.",
        "Informe definitivo.",
    ),
    (
        "ja_JP",
        "対象期間は終了していますが、この下書きは発行済みの明細書ではありません。",
        "本明細書は確定版です。",
    ),
    ("zh_CN", "本期间已结束；此草稿并非已出具的结算单。", "本结算单为最终版本。"),
]


def _status(page: str) -> str:
    """The status line under the header (not the red draft banner above it)."""
    found = re.findall(r'<p class="status">(.*?)</p>', page)
    assert len(found) == 1, found
    return html.unescape(found[0])


@pytest.mark.parametrize(("locale", "draft", "issued"), WORDS)
def test_only_an_issued_copy_is_final(tmp_path: Path, locale: str, draft: str, issued: str) -> None:
    write(tmp_path)
    if locale:
        path = tmp_path / "contract.yaml"
        path.write_text(
            path.read_text().replace(
                "  customer: acme\n", f"  customer: acme\n  locale: {locale}\n"
            )
        )
    # November 2026 is over on 10 December: the statement is complete
    st = statement(tmp_path, "2026-11", "2026-12-10T00:00:00Z")
    assert st.complete
    assert _status(statement_html(st)) == draft
    assert issued not in statement_html(st)
    assert _status(statement_html(st, MARK)) == issued
