"""An issued period on the web pages: the customer's portal and the staff page give the page
issued, byte for byte, after an incident of November is recorded in December (the figures
change from 150.00 to 375.00 USD: tests/api/test_issued_statements_api.py); the staff page's
``?live=true`` gives the statement computed now."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from covenant.api.app import create_app
from covenant.config import Settings, sqlite_url
from covenant.services.agreements import sync_agreements
from covenant.services.issued_statements import issue_statement
from covenant.services.store import open_store
from covenant.services.users import create_user
from covenant.services.workspace import load_workspace
from covenant.store.records import save_incidents
from tests.conftest import ROOT
from tests.services.test_issued_statements import HOUR, LATE
from tests.web.pages import Browser
from tests.web.served import PASSWORD

ISSUED_AT = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
LATER = ISSUED_AT + timedelta(days=5)


def _served(tmp_path: Path) -> tuple[Any, str]:
    """The shop served at LATER, Initech's November issued at ISSUED_AT (and its page)."""
    target = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    url = sqlite_url(target)
    engine = open_store(url)
    workspace = load_workspace(target)
    sync_agreements(engine, workspace=workspace, at=ISSUED_AT, actor="test")
    for name, role, customer in (("ian", "customer", "initech"), ("vic", "viewer", None)):
        create_user(
            engine,
            name=name,
            password=PASSWORD,
            role=role,
            customer=customer,
            customers=("globex", "initech"),
            at=ISSUED_AT,
            created_by="test",
        )
    with engine.begin() as conn:
        save_incidents(conn, incidents=[HOUR], at=ISSUED_AT)
    issue_statement(
        engine, workspace=workspace, customer="initech", period="2026-11", now=ISSUED_AT,
        actor="test",
    )  # fmt: skip
    with engine.begin() as conn:
        save_incidents(conn, incidents=[LATE], at=LATER)
    with engine.connect() as conn:
        html = conn.execute(sa.text("SELECT html FROM issued_statements")).scalar_one()
    engine.dispose()
    return create_app(Settings(workspace=target, database_url=url), clock=lambda: LATER), html


def test_the_portal_and_the_staff_page_give_the_issued_page(tmp_path: Path) -> None:
    app, html = _served(tmp_path)
    try:
        customer = Browser(app)
        customer.sign_in("ian")
        portal = customer.get("/ui/portal/statements/2026-11")
        assert portal.status_code == 200, portal.text
        assert portal.text == html
        assert "$150.00" in html
        assert "$375.00" not in html
        pdf = customer.get("/ui/portal/statements/2026-11", params={"format": "pdf"})
        assert pdf.content.startswith(b"%PDF")

        staff = Browser(app)
        staff.sign_in("vic")
        page = staff.get("/ui/customers/initech/statements/2026-11")
        # the issued page, with staff's additions above it: the revisions (links), and what the
        # statement computed now changed (tests/web/test_statement_revisions_page.py)
        nav_start = page.text.index('<nav class="revisions"')
        nav_end = page.text.index("</nav>\n", nav_start) + len("</nav>\n")
        note_start = page.text.index('<div class="restated"')
        note_end = page.text.index("</div>\n", note_start) + len("</div>\n")
        assert nav_end == note_start
        assert page.text[:nav_start] + page.text[note_end:] == html
        assert '<a href="?revision=1" aria-current="page">revision 1</a>' in page.text
        note = page.text[note_start:note_end]
        assert "Issued 2026-12-10T09:00:00Z, revision 1" in note
        assert "storefront-uptime: credit 150.00 USD → 375.00 USD" in note
        assert 'href="?live=true"' in note
        live = staff.get("/ui/customers/initech/statements/2026-11", params={"live": "true"})
        assert live.status_code == 200, live.text
        assert "$375.00" in live.text
        nav_end = live.text.index("</nav>\n")
        assert 'aria-current="page">computed now' in live.text[:nav_end]  # staff's links
        assert "revision 1" not in live.text[nav_end:]
    finally:
        app.state.covenant.close()


def test_the_statement_links_say_which_periods_are_issued(tmp_path: Path) -> None:
    app, _ = _served(tmp_path)
    try:
        customer = Browser(app)
        customer.sign_in("ian")
        portal = customer.get("/ui/portal")
        assert portal.status_code == 200, portal.text
        section = portal.text[portal.text.index('id="h-statements"') :]
        # in the statements' words (initech: en_US) and zone (America/New_York, UTC−5 in
        # December): issued 2026-12-10 09:00 UTC is 04:00 there
        november = section[section.index("Statement for November 2026") :].split("</li>")[0]
        assert "Issued Dec 10, 2026, 04:00, revision 1" in november
        october = section[section.index("Statement for October 2026") :].split("</li>")[0]
        assert "not issued: computed now" in october
        december = section[section.index("Statement for December 2026") :].split("</li>")[0]
        assert "not issued" in december

        staff = Browser(app)
        staff.sign_in("vic")
        page = staff.get("/ui/agreements/initech-standard")
        assert page.status_code == 200, page.text
        section = page.text[page.text.index('id="h-statements"') :]
        november = section[section.index("Statement for 2026-11") :].split("</li>")[0]
        assert "issued 2026-12-10 09:00 UTC, revision 1" in november
        october = section[section.index("Statement for 2026-10") :].split("</li>")[0]
        assert "not issued" in october
    finally:
        app.state.covenant.close()
