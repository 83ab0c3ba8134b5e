"""The customer portal: a customer user sees its own agreements, levels, credits, tickets and
statements, and nothing internal or of the other customer, in any page, fragment or error."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from covenant.services.workspace import definitions_of, load_workspace
from tests.api.support import Shop, make_shop
from tests.api.test_isolation import ABOUT, INTERNAL_WORDS, OTHER, internal_names
from tests.availability import unavailable
from tests.web.pages import Browser
from tests.web.served import add_users

USER = {"globex": "gus", "initech": "ian"}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-portal"))
    add_users(made)
    return made


def forbidden_words(shop: Shop, customer: str) -> list[str]:
    """Every internal name of the demo workspace (SLOs, SLIs, sources, their display names)
    and every name of the other customer."""
    workspace = load_workspace(shop.workspace)
    services = {s for v in workspace.agreements for s, _ in v.fees}  # the contracts name them
    slo_titles = [
        d.raw["metadata"]["displayName"]
        for d in definitions_of(workspace, "SLO")
        if d.raw.get("metadata", {}).get("displayName")
    ]
    assert slo_titles  # the scan looks for real display names
    words = [
        *internal_names(shop),
        *slo_titles,
        *(o.display_name for o in workspace.objectives if o.display_name),
        *INTERNAL_WORDS,
        *ABOUT[OTHER[customer]],
    ]
    return [w for w in words if w not in services]


@pytest.mark.parametrize("customer", ["globex", "initech"])
def test_the_portal_shows_only_the_customers_own_data(shop: Shop, customer: str) -> None:
    browser = Browser(shop.client.app)
    assert browser.sign_in(USER[customer]).headers["location"] == "/ui/"
    assert browser.get("/ui/").headers["location"] == "/ui/portal"
    pages = {
        path: browser.get(path)
        for path in (
            "/ui/portal",
            "/ui/portal/tickets",
            "/ui/portal/statements/2026-11",
            "/ui/portal/statements/2026-10",
            "/ui/portal/statements/2026-09",
        )
    }
    for path, answer in pages.items():
        assert answer.status_code == 200, (path, answer.text)
    portal = pages["/ui/portal"].text
    assert ABOUT[customer][1] in portal  # its own display name
    errors = {
        path: browser.get(path)
        for path in (
            "/ui/overview",
            "/ui/slos/checkout-monthly",
            "/ui/slos/checkout-monthly/series.json",
            "/ui/agreements",
            f"/ui/portal/statements/{'x' * 40}",
            "/ui/portal/statements/2026-13",
            "/ui/checkout-monthly",  # no such page: an HTML 404 that does not repeat the path
        )
    }
    assert {p: a.status_code for p, a in errors.items()} == {
        "/ui/overview": 403,
        "/ui/slos/checkout-monthly": 403,
        "/ui/slos/checkout-monthly/series.json": 403,
        "/ui/agreements": 403,
        f"/ui/portal/statements/{'x' * 40}": 400,
        "/ui/portal/statements/2026-13": 400,
        "/ui/checkout-monthly": 404,
    }
    for path, answer in {**pages, **errors}.items():
        for word in forbidden_words(shop, customer):
            assert word not in answer.text, f"{word!r} leaks through {path}"


def test_each_customer_sees_its_own_tickets(shop: Shop) -> None:
    globex, initech = Browser(shop.client.app), Browser(shop.client.app)
    globex.sign_in("gus")
    initech.sign_in("ian")
    assert "GLX-" in globex.get("/ui/portal/tickets").text
    assert "INI-0001" in initech.get("/ui/portal/tickets").text
    assert "INI-0001" not in globex.get("/ui/portal/tickets").text


def test_staff_are_sent_to_the_team_pages(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    assert browser.get("/ui/").headers["location"] == "/ui/overview"
    refused = browser.get("/ui/portal")
    assert refused.status_code == 403


def _pdf_text(data: bytes, folder: Path) -> str:
    """The PDF's text as `pdftotext` (poppler-utils) reads it back."""
    tool = shutil.which("pdftotext")
    if tool is None:
        unavailable("pdftotext (poppler-utils) is not installed (scripts/install-test-deps)")
    path = folder / "statement.pdf"
    path.write_bytes(data)
    done = subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode()


@pytest.mark.parametrize("customer", ["globex", "initech"])
def test_the_statement_pdf_holds_nothing_internal(
    shop: Shop, customer: str, tmp_path: Path
) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in(USER[customer])
    portal = browser.get("/ui/portal").text
    assert 'href="/ui/portal/statements/2026-11?format=pdf"' in portal
    answer = browser.get("/ui/portal/statements/2026-11?format=pdf")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith('attachment; filename="statement-')
    text = _pdf_text(answer.content, tmp_path)
    assert ABOUT[customer][1] in text  # its own name: the text was read back
    for word in forbidden_words(shop, customer):
        assert word not in text, f"{word!r} leaks through the PDF"
    wrong = browser.get("/ui/portal/statements/2026-11?format=xml")
    assert wrong.status_code == 400
    assert "is not html or pdf" in wrong.text


def test_the_overview_names_commitments_as_the_contract_does(shop: Shop) -> None:
    """The demo's contracts.yaml: agreement displayName "Globex enterprise SLA", commitment
    displayName "Checkout service availability"; never the internal ``globex-enterprise v1:
    checkout-uptime``; the support rows count timers in English plural ("support timers")."""
    browser = Browser(shop.client.app)
    browser.sign_in("gus")
    page = browser.get("/ui/portal").text
    assert "Globex enterprise SLA: Checkout service availability" in page
    assert "<td>Globex enterprise SLA</td>" in page  # the agreements table too
    for internal in ("globex-enterprise", "checkout-uptime", " v1:"):
        assert internal not in page
    assert re.search(r">\d+ support timers<", page)
    assert not re.search(r">\d+ timers<", page)  # the old "30 timers", "1 timers"


def test_a_statement_pdf_without_pango_is_a_503_page_naming_the_fix(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WeasyPrint cannot load without Pango: `pdf-unavailable`, 503, not an internal error."""
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    browser = Browser(shop.client.app)
    browser.sign_in(USER["globex"])
    answer = browser.get("/ui/portal/statements/2026-11?format=pdf")
    assert answer.status_code == 503, answer.text[:500]
    assert "pdf-unavailable" in answer.text
