"""The admins' and the tuning pages in Chromium: reached from the navigation and the SLO page,
axe-core finds nothing serious, a token is made and revoked and a user made and disabled with
the mouse (the user signs in, then cannot), and nothing makes the page scroll sideways at
390 px."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.web.browser import PHONE, new_page, serious_violations, shot, sign_in
from tests.web.served import Served

pytestmark = pytest.mark.browser

SLO = "checkout-availability"


def _fits_a_phone(page: Any) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"])


def _me(served: Served, token: str) -> int:
    return httpx.get(
        f"{served.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=60
    ).status_code


def test_admin_pages_from_the_navigation(served: Served, browser: Any) -> None:
    page = new_page(browser)
    sign_in(page, served.url, "ada")
    for link, path, name in (
        ("Audit log", "/ui/audit", "audit"),
        ("Outbox", "/ui/alerts/outbox", "outbox"),
        ("Tokens", "/ui/tokens", "tokens"),
        ("Users", "/ui/users", "users"),
    ):
        page.get_by_role("link", name=link, exact=True).click()  # in the main navigation
        page.wait_for_url(f"**{path}")
        shot(page, name)
        assert serious_violations(page, name) == [], name
    page.goto(f"{served.url}/ui/audit")
    assert page.locator("table.audit tbody tr").count() > 3
    page.get_by_role("link", name="Verify the chain", exact=True).click()
    page.wait_for_url("**/ui/audit/verify")
    assert page.locator("#verdict").inner_text().startswith("The chain is whole")
    shot(page, "audit-verify")
    assert serious_violations(page, "audit-verify") == []


def test_a_token_is_made_copied_and_revoked_with_the_mouse(served: Served, browser: Any) -> None:
    page = new_page(browser)
    sign_in(page, served.url, "ada")
    page.goto(f"{served.url}/ui/tokens")
    page.get_by_label("Role").select_option("viewer")
    page.get_by_label("Label").fill("from the browser")
    page.get_by_role("button", name="Create token").click()
    page.wait_for_selector("#secret")
    token = page.get_by_label("The new viewer token").input_value()
    assert _me(served, token) == 200
    shot(page, "token-made")
    assert serious_violations(page, "token-made") == []
    token_id = token.removeprefix("cvt_").split(".")[0]
    page.get_by_role("link", name=f"Revoke {token_id}").click()
    page.wait_for_url(f"**/ui/tokens/{token_id}/revoke")
    assert _me(served, token) == 200  # asking is not revoking
    page.get_by_role("button", name=f"Revoke {token_id}").click()
    page.wait_for_selector("#done")
    assert _me(served, token) == 401
    page.set_viewport_size(PHONE)
    assert _fits_a_phone(page)
    shot(page, "tokens-390px")


def test_a_user_is_made_and_disabled_with_the_mouse(served: Served, browser: Any) -> None:
    page = new_page(browser)
    sign_in(page, served.url, "ada")
    page.get_by_role("link", name="Users", exact=True).click()
    page.wait_for_url("**/ui/users")
    page.get_by_label("Name", exact=True).fill("bea")
    page.get_by_label("Role").select_option("viewer")
    page.get_by_role("button", name="Create user").click()  # no password: one is made up
    page.wait_for_selector("#secret")
    password = page.get_by_label("The password of bea").input_value()
    assert len(password) >= 12
    shot(page, "user-made")
    assert serious_violations(page, "user-made") == []

    bea = new_page(browser)
    sign_in(bea, served.url, "bea", password)
    assert bea.url.endswith("/ui/overview")

    page.goto(f"{served.url}/ui/users")
    page.get_by_role("link", name="Disable bea").click()
    page.wait_for_url("**/ui/users/bea/disable")
    shot(page, "user-disable-question")
    assert serious_violations(page, "user-disable-question") == []
    bea.reload()
    assert bea.url.endswith("/ui/overview")  # asking is not disabling
    page.get_by_role("button", name="Disable bea").click()
    page.wait_for_url("**/ui/users?disabled=bea")  # Post/Redirect/Get
    assert page.locator("#done").inner_text().startswith("User bea is disabled")
    row = page.locator("table.users tbody tr", has_text="bea")
    assert row.locator("td").nth(3).inner_text() == "disabled"

    bea.reload()
    assert "/ui/sign-in" in bea.url  # the session ended
    sign_in(bea, served.url, "bea", password)
    assert "the user is disabled" in bea.get_by_role("alert").inner_text()

    page.set_viewport_size(PHONE)
    assert _fits_a_phone(page)
    shot(page, "users-390px")
    assert serious_violations(page, "users-390px") == []


def test_history_lint_errors_and_store_pages_from_their_links(served: Served, browser: Any) -> None:
    page = new_page(browser)
    sign_in(page, served.url, "vic")
    page.goto(f"{served.url}/ui/agreements/globex-enterprise")
    page.get_by_role("link", name="History", exact=True).click()
    page.wait_for_url("**/ui/agreements/globex-enterprise/history")
    assert page.locator("#verdict").inner_text().startswith("The hash chain is intact")
    assert page.locator("table.history tbody tr").count() > 0
    shot(page, "agreement-history")
    assert serious_violations(page, "agreement-history") == []
    page.goto(f"{served.url}/ui/agreements")
    page.get_by_role("link", name="Lint", exact=True).click()
    page.wait_for_url("**/ui/lint")
    assert page.locator("table.findings tbody tr").count() > 0
    shot(page, "lint")
    assert serious_violations(page, "lint") == []
    page.goto(f"{served.url}/ui/agreements/no-such-deal")  # an error page: its code linked
    page.get_by_role("link", name="what it means", exact=True).click()
    page.wait_for_url("**/ui/errors/not-found")
    assert page.locator("#explained p").count() > 0
    shot(page, "error-code")
    assert serious_violations(page, "error-code") == []
    page.get_by_role("link", name="Error codes", exact=True).click()
    page.wait_for_url("**/ui/errors")
    shot(page, "error-codes")
    assert serious_violations(page, "error-codes") == []
    page.goto(f"{served.url}/ui/sources")
    page.get_by_role("link", name="series set aside", exact=True).click()
    page.wait_for_url("**/ui/sources/series-aside")
    shot(page, "series-aside")
    assert serious_violations(page, "series-aside") == []


def test_tuning_pages_from_the_slo_page(served: Served, browser: Any) -> None:
    page = new_page(browser)
    sign_in(page, served.url, "vic")
    assert page.get_by_role("link", name="Tokens", exact=True).count() == 0  # admins only
    page.goto(f"{served.url}/ui/slos/{SLO}")
    page.get_by_role("link", name="Alert backtest", exact=True).click()
    page.wait_for_url(f"**/ui/backtests/alerts/{SLO}")
    assert page.locator("table.episodes tbody tr").count() > 0
    shot(page, "alert-backtest")
    assert serious_violations(page, "alert-backtest") == []
    page.get_by_role("link", name="Target suggestions", exact=True).click()
    page.wait_for_url(f"**/ui/suggestions/slo/{SLO}")
    shot(page, "suggestions")
    assert serious_violations(page, "suggestions") == []
    page.goto(f"{served.url}/ui/agreements/globex-enterprise")
    page.get_by_role("link", name="Backing suggestions", exact=True).click()
    page.wait_for_url("**/ui/suggestions/backing/globex-enterprise")
    assert page.locator("table.backing tbody tr").count() == 1
    shot(page, "backing-suggestions")
    assert serious_violations(page, "backing-suggestions") == []


@pytest.mark.parametrize(
    ("user", "path"),
    [
        ("ada", "/ui/audit"),
        ("ada", "/ui/audit/verify"),
        ("ada", "/ui/alerts/outbox"),
        ("ada", "/ui/users"),
        ("ada", "/ui/sources/series-aside"),
        ("vic", "/ui/agreements/globex-enterprise/history"),
        ("vic", "/ui/lint"),
        ("vic", "/ui/errors"),
        ("vic", "/ui/errors/not-found"),
        ("vic", f"/ui/backtests/alerts/{SLO}"),
        ("vic", f"/ui/suggestions/slo/{SLO}"),
        ("vic", "/ui/suggestions/backing/globex-enterprise"),
    ],
)
def test_phone_width(served: Served, browser: Any, user: str, path: str) -> None:
    page = new_page(browser, PHONE)
    sign_in(page, served.url, user)
    page.goto(f"{served.url}{path}")
    assert _fits_a_phone(page), path
    shot(page, path.strip("/").replace("/", "-") + "-390px")
