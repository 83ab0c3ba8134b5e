"""A statement never issued (computed now: a draft, a preview) is labelled so — "Draft — not
issued" above its header, in its title and page footer, in the statement's language, its time
labelled "Computed" — and never "Issued"; an issued copy says when it was issued and which
revision it is (docs/sla.md "Issued statements")."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from covenant.core.statement import IssueMark
from covenant.render.sla import statement_html
from tests.services.test_sla_edges import statement, write

MARK = IssueMark(issued_at=datetime(2026, 12, 10, 9, 30, tzinfo=UTC), revision=2, digest="ab" * 32)


def _meta(html: str) -> str:
    """The header row that says whether and when the statement was issued, as text."""
    row = re.search(r'<tr class="(draft|issued)"><th>(.*?)</th><td>(.*?)</td></tr>', html)
    assert row is not None
    return f"{row[1]}: {row[2]}: {row[3]}"


def _german(folder: Path) -> Path:
    path = write(folder) / "contract.yaml"
    path.write_text(
        path.read_text().replace("  customer: acme\n", "  customer: acme\n  locale: de_DE\n")
    )
    return folder


def test_a_draft_says_it_was_not_issued(tmp_path: Path) -> None:
    st = statement(write(tmp_path), "2026-11", "2026-12-10T00:00:00Z")
    html = statement_html(st)
    # the statement's instant, 2026-12-10 00:00 UTC, in the agreement's zone (UTC)
    assert _meta(html) == "draft: Computed: 10 Dec 2026, 00:00 (2026-12-10 00:00 UTC)"
    assert '<p class="status draft">Draft — not issued</p>' in html
    assert ">Issued<" not in html
    assert re.search(r"Issued(?! by)", html) is None  # "Issued by": the issuer's block
    assert "· Draft — not issued</title>" in html


def test_an_issued_copy_says_when_and_which_revision(tmp_path: Path) -> None:
    st = statement(write(tmp_path), "2026-11", "2026-12-10T00:00:00Z")
    html = statement_html(st, MARK)
    assert _meta(html) == "issued: Issued: 10 Dec 2026, 09:30 (2026-12-10 09:30 UTC), revision 2"
    assert "Draft" not in html
    assert "Issued 10 Dec 2026, 09:30, revision 2</title>" in html


def test_german_draft_and_issued(tmp_path: Path) -> None:
    st = statement(_german(tmp_path), "2026-11", "2026-12-10T00:00:00Z")
    draft = statement_html(st)
    assert _meta(draft) == "draft: Berechnet: 10. Dez. 2026, 00:00 (2026-12-10 00:00 UTC)"
    assert '<p class="status draft">Entwurf – nicht ausgestellt</p>' in draft
    assert "Ausgestellt:" not in draft
    assert "Ausgestellt am" not in draft
    assert _meta(statement_html(st, MARK)) == (
        "issued: Ausgestellt: 10. Dez. 2026, 09:30 (2026-12-10 09:30 UTC), Revision 2"
    )
