"""Issuing and reissuing a customer's statement from its staff page, as ``POST
/api/v1/customers/{customer}/statements/{period}/issue`` does (admins only, as the API): a link
on the statement page to a confirmation page, whose form issues through the same service
(``services.issued_statements.issue_statement``). Initech's November is issued at ISSUED_AT
and changed since by a late incident (tests/web/test_issued_statement_pages.py): a plain issue
is refused (issued already) with the service's words and nothing stored; a reissue with a
reason stores revision 2, which the page then gives ($375.00 instead of $150.00)."""

from __future__ import annotations

import html
from pathlib import Path

from covenant.config import sqlite_url
from covenant.services.issued_statements import issued_revisions
from covenant.services.store import open_existing
from covenant.services.users import create_user
from tests.web.pages import Browser
from tests.web.served import PASSWORD
from tests.web.test_issued_statement_pages import ISSUED_AT, _served

PAGE = "/ui/customers/initech/statements/2026-11"
ISSUE = f"{PAGE}/issue"


def _revisions(tmp_path: Path) -> list[tuple[int, str | None, str]]:
    engine = open_existing(sqlite_url(tmp_path / "shop"))
    try:
        found = issued_revisions(engine, customer="initech", period="2026-11")
    finally:
        engine.dispose()
    return [(r.revision, r.reason, r.issued_by) for r in found]


def _admin(tmp_path: Path) -> None:
    engine = open_existing(sqlite_url(tmp_path / "shop"))
    try:
        create_user(
            engine, name="ada", password=PASSWORD, role="admin", customer=None,
            customers=("globex", "initech"), at=ISSUED_AT, created_by="test",
        )  # fmt: skip
    finally:
        engine.dispose()


def test_a_viewer_gets_no_issue_link_and_403(tmp_path: Path) -> None:
    app, _ = _served(tmp_path)
    viewer = Browser(app)
    viewer.sign_in("vic")
    assert ISSUE not in viewer.get(PAGE).text
    assert viewer.get(ISSUE).status_code == 403
    assert viewer.post(ISSUE, {"reissue": "1", "reason": "x"}).status_code == 403
    assert len(_revisions(tmp_path)) == 1


def test_an_admin_reissues_a_changed_statement_after_confirming(tmp_path: Path) -> None:
    app, _ = _served(tmp_path)
    _admin(tmp_path)
    browser = Browser(app)
    browser.sign_in("ada")
    assert f'href="{ISSUE}"' in browser.get(PAGE).text
    confirm = browser.get(ISSUE)
    assert confirm.status_code == 200, confirm.text
    assert f'action="{ISSUE}"' in confirm.text
    csrf = browser.csrf(ISSUE)

    plain = browser.post(ISSUE, {"csrf": csrf, "reason": ""})
    assert plain.status_code == 409, plain.text
    assert "conflict" in plain.text
    assert "reissue" in html.unescape(plain.text)
    assert len(_revisions(tmp_path)) == 1  # nothing stored

    assert browser.post(ISSUE, {"reissue": "1", "reason": "x"}).status_code == 403  # no csrf

    done = browser.post(ISSUE, {"csrf": csrf, "reissue": "1", "reason": "late incident"})
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"{PAGE}?revision=2"
    assert _revisions(tmp_path)[1] == (2, "late incident", "user:ada")
    shown = browser.get(PAGE).text
    assert "$375.00" in shown
    assert "$150.00" not in shown


def test_an_over_long_reason_is_refused_not_cut(tmp_path: Path) -> None:
    """The service keeps reasons of 1000 characters at most; the page must not cut what was
    typed to fit (a reason padded past the cut kept only its start)."""
    app, _ = _served(tmp_path)
    _admin(tmp_path)
    browser = Browser(app)
    browser.sign_in("ada")
    csrf = browser.csrf(ISSUE)
    padded = "late incident" + " " * 2100 + "and a credit the customer asked for"
    refused = browser.post(ISSUE, {"csrf": csrf, "reissue": "1", "reason": padded})
    assert refused.status_code == 400, refused.text
    assert "longer than 1000 characters" in html.unescape(refused.text)
    assert len(_revisions(tmp_path)) == 1  # nothing stored
