"""The staff statement page's ``?revision=N`` (the API's and the CLI's ``revision``): Initech's
November issued on 10 December with one hour of downtime (10 % of 1,500.00 USD = 150.00), an
incident of 16 h 40 min of November recorded on 12 December (63,600 s down of 2,595,600 s:
97.549 %, under 99 %: 25 % = 375.00 USD) and revision 2 issued on 13 December with its
reason; the page is served on 15 December.

Revision 1's page is its stored page byte for byte under the staff's additions (links to every
revision; what the statement computed now changed against it: credit 150.00 → 375.00);
the latest is revision 2 (375.00, the same as computed now: no change listed). A revision that
does not exist is a 404 page naming those there are, with a link to each."""

from __future__ import annotations

import re
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
RECORDED = datetime(2026, 12, 12, 9, 0, tzinfo=UTC)
REISSUED = datetime(2026, 12, 13, 9, 0, tzinfo=UTC)
SERVED = datetime(2026, 12, 15, 9, 0, tzinfo=UTC)
PAGE = "/ui/customers/initech/statements/2026-11"
ADDITIONS = re.compile(r'<(nav|div) class="(revisions|restated)".*?</\1>\n', re.DOTALL)


def _served(tmp_path: Path) -> tuple[Any, list[str]]:
    """The shop served at SERVED with November issued twice; the stored pages, in order."""
    target = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    url = sqlite_url(target)
    engine = open_store(url)
    workspace = load_workspace(target)
    sync_agreements(engine, workspace=workspace, at=ISSUED_AT, actor="test")
    for name, role, customer in (("ian", "customer", "initech"), ("vic", "viewer", None)):
        create_user(
            engine, name=name, password=PASSWORD, role=role, customer=customer,
            customers=("globex", "initech"), at=ISSUED_AT, created_by="test",
        )  # fmt: skip
    with engine.begin() as conn:
        save_incidents(conn, incidents=[HOUR], at=ISSUED_AT - timedelta(days=9))
    issue_statement(
        engine, workspace=workspace, customer="initech", period="2026-11", now=ISSUED_AT,
        actor="test",
    )  # fmt: skip
    with engine.begin() as conn:
        save_incidents(conn, incidents=[LATE], at=RECORDED)
    issue_statement(
        engine, workspace=workspace, customer="initech", period="2026-11", now=REISSUED,
        actor="test", reissue=True, reason="INC-N2 recorded late",
    )  # fmt: skip
    with engine.connect() as conn:
        pages = conn.execute(
            sa.text("SELECT html FROM issued_statements ORDER BY revision")
        ).scalars()
        stored = list(pages)
    engine.dispose()
    return create_app(Settings(workspace=target, database_url=url), clock=lambda: SERVED), stored


def _nav(text: str) -> str:
    start = text.index('<nav class="revisions"')
    return text[start : text.index("</nav>", start)]


def test_each_revision_has_its_page_and_links_to_the_others(tmp_path: Path) -> None:
    app, (first, second) = _served(tmp_path)
    try:
        staff = Browser(app)
        staff.sign_in("vic")

        old = staff.get(PAGE, params={"revision": "1"})
        assert old.status_code == 200, old.text
        assert ADDITIONS.sub("", old.text, count=2) == first  # the stored page, byte for byte
        assert "$150.00" in first
        assert "$375.00" not in first
        nav = _nav(old.text)
        assert '<a href="?revision=1" aria-current="page">revision 1</a>' in nav
        assert "issued 2026-12-10T09:00:00Z" in nav
        assert '<a href="?revision=2">revision 2</a>' in nav
        assert "issued 2026-12-13T09:00:00Z: INC-N2 recorded late" in nav
        assert "the customer is given revision 2" in nav
        assert '<a href="?live=true">' in nav
        # computed now (375.00) differs from revision 1 (150.00)
        assert "storefront-uptime: credit 150.00 USD → 375.00 USD" in old.text
        assert "revision 1 is not the latest: the customer is given revision 2" in old.text

        latest = staff.get(PAGE)
        assert latest.status_code == 200, latest.text
        assert ADDITIONS.sub("", latest.text, count=2) == second
        assert "$375.00" in second
        assert '<div class="restated"' not in latest.text  # the same as computed now
        nav = _nav(latest.text)
        assert '<a href="?revision=2" aria-current="page">revision 2</a>' in nav
        assert '<a href="?revision=1">revision 1</a>' in nav
        assert staff.get(PAGE, params={"revision": "2"}).text == latest.text

        pdf = staff.get(PAGE, params={"revision": "1", "format": "pdf"})
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF")

        live = staff.get(PAGE, params={"live": "true"})
        assert live.status_code == 200
        assert '<a href="?revision=1">revision 1</a>' in _nav(live.text)
        assert 'aria-current="page">computed now' in _nav(live.text)
    finally:
        app.state.covenant.close()


def test_a_revision_that_does_not_exist_is_a_404_page_naming_those_there_are(
    tmp_path: Path,
) -> None:
    app, _ = _served(tmp_path)
    try:
        staff = Browser(app)
        staff.sign_in("vic")
        missing = staff.get(PAGE, params={"revision": "3"})
        assert missing.status_code == 404
        assert "initech 2026-11 has no revision 3; its revisions: 1, 2" in missing.text
        assert "<code>not-found</code>" in missing.text
        assert f'<a href="{PAGE}?revision=1">Revision 1</a>' in missing.text
        assert f'<a href="{PAGE}?revision=2">Revision 2</a>' in missing.text
        assert f'<a href="{PAGE}">The statement as the customer is given it</a>' in missing.text

        october = staff.get("/ui/customers/initech/statements/2026-10", params={"revision": "1"})
        assert october.status_code == 404
        assert "initech 2026-10 is not issued: it has no revision to read" in october.text
        assert 'href="/ui/customers/initech/statements/2026-10">' in october.text

        for wrong in ("abc", "0", "-1", "1.5"):
            refused = staff.get(PAGE, params={"revision": wrong})
            assert refused.status_code == 400, wrong
            assert "revision=" in refused.text
            assert "a whole number from 1" in refused.text
        both = staff.get(PAGE, params={"revision": "1", "live": "true"})
        assert both.status_code == 400
        assert "not both" in both.text

        customer = Browser(app)
        customer.sign_in("ian")
        assert customer.get(PAGE, params={"revision": "1"}).status_code in {403, 404}
        portal = customer.get("/ui/portal/statements/2026-11")
        assert 'class="revisions"' not in portal.text  # a customer never gets the staff's links
    finally:
        app.state.covenant.close()
