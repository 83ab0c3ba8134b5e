"""The customer portal's statement page reads every revision issued to the customer
(``?revision=N``, as the API gives a customer): Initech's November issued on 10 December
(one hour down: 10 % of 1,500.00 USD = $150.00) and again on 13 December after an incident of
16 h 40 min was recorded late (25 % = $375.00), served on 15 December
(tests/web/test_statement_revisions_page.py sets it up; the figures are worked there).

Each revision is its stored page byte for byte under a list of the revisions (links, when and
why each was issued, which one stands); a revision that is not there is a 404 naming those
there are; Globex's user reading "revision 1" of November reads nothing of Initech's."""

from __future__ import annotations

import re
from pathlib import Path

from covenant.config import sqlite_url
from covenant.services.store import open_store
from covenant.services.users import create_user
from tests.web.pages import Browser
from tests.web.served import PASSWORD
from tests.web.test_statement_revisions_page import ISSUED_AT, _served

PORTAL = "/ui/portal/statements/2026-11"
NAV = re.compile(r'<nav class="issued-revisions".*?</nav>\n', re.DOTALL)


def test_a_customer_reads_each_revision_issued_to_it(tmp_path: Path) -> None:
    app, (first, second) = _served(tmp_path)
    try:
        ian = Browser(app)
        ian.sign_in("ian")

        latest = ian.get(PORTAL)
        assert latest.status_code == 200, latest.text
        assert NAV.sub("", latest.text, count=1) == second  # the stored page, byte for byte
        nav = NAV.search(latest.text)
        assert nav is not None
        assert '<a href="?revision=1">revision 1</a> (issued 2026-12-10T09:00:00Z)' in nav[0]
        assert (
            '<a href="?revision=2" aria-current="page">revision 2</a> '
            "(issued 2026-12-13T09:00:00Z: INC-N2 recorded late)" in nav[0]
        )
        assert "revision 2 is the one that stands" in nav[0]
        assert "live=true" not in nav[0]
        assert "computed now" not in nav[0]
        assert 'class="revisions"' not in latest.text

        old = ian.get(PORTAL, params={"revision": "1"})
        assert old.status_code == 200, old.text
        assert NAV.sub("", old.text, count=1) == first
        assert "$150.00" in old.text
        assert "$375.00" not in old.text
        assert '<a href="?revision=1" aria-current="page">revision 1</a>' in old.text
        assert ian.get(PORTAL, params={"revision": "2"}).text == latest.text
        pdf = ian.get(PORTAL, params={"revision": "1", "format": "pdf"})
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF")

        missing = ian.get(PORTAL, params={"revision": "3"})
        assert missing.status_code == 404
        assert "initech 2026-11 has no revision 3; its revisions: 1, 2" in missing.text
        assert f'<a href="{PORTAL}?revision=1">Revision 1</a>' in missing.text
        assert f'<a href="{PORTAL}?revision=2">Revision 2</a>' in missing.text
        for wrong in ("abc", "0"):
            assert ian.get(PORTAL, params={"revision": wrong}).status_code == 400
    finally:
        app.state.covenant.close()


def test_a_customer_cannot_read_another_customers_revision(tmp_path: Path) -> None:
    app, (_first, _) = _served(tmp_path)
    engine = open_store(sqlite_url(tmp_path / "shop"))
    create_user(
        engine, name="gil", password=PASSWORD, role="customer", customer="globex",
        customers=("globex", "initech"), at=ISSUED_AT, created_by="test",
    )  # fmt: skip
    engine.dispose()
    try:
        gil = Browser(app)
        gil.sign_in("gil")
        # the portal reads the signed-in customer's statements only: Globex's November was
        # never issued, so there is no revision 1 of it, and nothing of Initech's is shown
        for number in ("1", "2"):
            answer = gil.get(PORTAL, params={"revision": number})
            assert answer.status_code == 404
            assert "globex 2026-11 is not issued" in answer.text
            for initech in ("initech", "Initech", "$150.00", "$375.00", "storefront"):
                assert initech not in answer.text
        pdf = gil.get(PORTAL, params={"revision": "1", "format": "pdf"})
        assert pdf.status_code == 404
        assert not pdf.content.startswith(b"%PDF")
    finally:
        app.state.covenant.close()
