"""The statement route serves the statement as PDF (Accept: application/pdf or ?format=pdf) and
a customer's PDF holds nothing internal: no SLO or SLI name, no margin, no other customer."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from covenant.services.workspace import definitions_of, load_workspace
from tests.api.support import CUSTOMERS, Shop
from tests.api.test_authorization import V1
from tests.api.test_isolation import ABOUT, INTERNAL_WORDS, OTHER, internal_names
from tests.availability import unavailable


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def slo_titles(shop: Shop) -> list[str]:
    """The display names of the workspace's SLOs and objectives: internal too."""
    workspace = load_workspace(shop.workspace)
    titles = [
        d.raw["metadata"]["displayName"]
        for d in definitions_of(workspace, "SLO")
        if d.raw.get("metadata", {}).get("displayName")
    ]
    assert "Checkout availability" in titles  # the scan looks for real display names
    services = {s for v in workspace.agreements for s, _ in v.fees}  # the contracts name them
    objectives = [o.display_name for o in workspace.objectives if o.display_name]
    return [t for t in [*titles, *objectives] if t not in services]


@pytest.mark.parametrize("customer", CUSTOMERS)
def test_a_customer_reads_its_statement_as_pdf(shop: Shop, customer: str, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        unavailable("pdftotext (poppler-utils) is not installed: scripts/install-test-deps")
    token = shop.tokens[f"customer:{customer}"]
    url = f"{V1}/customers/{customer}/statements/2026-11"
    by_header = shop.client.get(url, token, headers={"Accept": "application/pdf"})
    by_query = shop.client.get(f"{url}?format=pdf", token)
    for answer in (by_header, by_query):
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/pdf"
        assert answer.content.startswith(b"%PDF-")
    text = pdf_text(by_header.content, tmp_path)
    assert text == pdf_text(by_query.content, tmp_path)
    number = shop.client.get(url, token).json()["number"]
    assert number in text
    name = {"globex": "Globex Corporation", "initech": "Initech"}[customer]
    assert name in text
    for word in [
        *internal_names(shop),
        *slo_titles(shop),
        *INTERNAL_WORDS,
        *ABOUT[OTHER[customer]],
    ]:
        assert word not in " ".join(text.split()), f"{word!r} in {customer}'s PDF statement"
    # commitments by their display names, never by their internal names
    internal = {"globex": "checkout-uptime", "initech": "storefront-uptime"}[customer]
    assert internal not in text


@pytest.mark.parametrize("customer", CUSTOMERS)
def test_another_customers_pdf_is_not_found(shop: Shop, customer: str) -> None:
    token = shop.tokens[f"customer:{customer}"]
    url = f"{V1}/customers/{OTHER[customer]}/statements/2026-11?format=pdf"
    answer = shop.client.get(url, token, headers={"Accept": "application/pdf"})
    assert answer.status_code == 404
    assert not answer.content.startswith(b"%PDF-")


def test_the_html_statement_is_served_for_an_html_accept_header(shop: Shop) -> None:
    token = shop.tokens["customer:initech"]
    url = f"{V1}/customers/initech/statements/2026-11"
    answer = shop.client.get(url, token, headers={"Accept": "text/html,application/xhtml+xml"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert "Storefront service availability" in answer.text
    plain = shop.client.get(url, token, headers={"Accept": "*/*"})
    assert plain.json()["schema"] == "covenant.statement/v1"


def test_a_pdf_on_a_server_without_pango_is_503_pdf_unavailable(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WeasyPrint's import raises OSError without Pango: a coded 503, not an internal error."""
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    token = shop.tokens["customer:globex"]
    answer = shop.client.get(f"{V1}/customers/globex/statements/2026-11?format=pdf", token)
    assert answer.status_code == 503, answer.text
    body = answer.json()
    assert body["code"] == "pdf-unavailable"
    assert "format html" in body["hint"], body
