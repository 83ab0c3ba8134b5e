"""Issuing a statement from its staff page in Chromium: an admin follows the page's link to
the confirmation, axe-core finds nothing serious there, and the button issues it (the page of
revision 1 follows, its footer naming the revision). Globex's October has ended at the served
clock (2026-11-20T12:00Z) and is not issued in the demo shop."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.browser import new_page, serious_violations, shot, sign_in
from tests.web.served import Served

pytestmark = pytest.mark.browser
PAGE = "/ui/customers/globex/statements/2026-10"


def test_an_admin_issues_a_statement_after_confirming(served: Served, browser: Any) -> None:
    page = new_page(browser)
    sign_in(page, served.url, "ada")
    page.goto(f"{served.url}{PAGE}")
    page.get_by_role("link", name="Issue or reissue this statement…").click()
    page.wait_for_url(f"**{PAGE}/issue")
    assert page.get_by_text("Not issued yet.").is_visible()
    assert serious_violations(page, "statement-issue") == []
    shot(page, "statement-issue")
    page.get_by_role("button", name="Issue globex 2026-10").click()
    page.wait_for_url(f"**{PAGE}?revision=1")
    assert "revision 1" in page.content()
