"""The maintenance and corrections pages in Chromium: reached from the navigation, a window
announced with the form and cancelled with its button (an editor), axe-core finding nothing
serious, and nothing making either page scroll sideways at 390 px. The server's clock is pinned
at the demo's instant (2026-11-20T12:00Z)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.browser import PHONE, new_page, serious_violations, shot, sign_in
from tests.web.served import Served

pytestmark = pytest.mark.browser


def test_a_window_is_announced_and_cancelled_with_the_mouse(served: Served, browser: Any) -> None:
    page = new_page(browser)
    sign_in(page, served.url, "eve")
    page.get_by_role("link", name="Maintenance", exact=True).click()  # the main navigation
    page.wait_for_url("**/ui/maintenance")
    assert serious_violations(page, "maintenance") == []
    page.get_by_label("Name", exact=True).fill("search-reindex")
    page.get_by_label("Services").fill("checkout")
    page.get_by_label("Start").fill("2026-12-07T01:00:00Z")
    page.get_by_label("End").fill("2026-12-07T02:30:00Z")
    page.get_by_label("Description").fill("search index rebuilt")
    page.get_by_role("button", name="Announce").click()
    page.wait_for_url("**/ui/maintenance?created=search-reindex")
    assert page.locator("#done").inner_text() == "Announced search-reindex."
    row = page.locator("table.maintenance tbody tr", has_text="search-reindex")
    assert row.locator("td").nth(3).inner_text() == "2026-12-07 01:00"
    assert row.locator("td").nth(4).inner_text() == "2026-12-07 02:30"
    assert row.locator("td").nth(6).inner_text() == "upcoming"
    shot(page, "maintenance-announced")
    assert serious_violations(page, "maintenance-announced") == []
    row.get_by_label("Why").fill("moved to January")
    row.get_by_role("button", name="Cancel").click()
    page.wait_for_url("**/ui/maintenance?cancelled=search-reindex")
    assert page.locator("table.maintenance tbody tr", has_text="search-reindex").count() == 0


def test_the_corrections_page_from_the_navigation(served: Served, browser: Any) -> None:
    page = new_page(browser)
    sign_in(page, served.url, "eve")
    page.get_by_role("link", name="Corrections", exact=True).click()  # the main navigation
    page.wait_for_url("**/ui/corrections")
    row = page.locator("table.corrections tbody tr", has_text="payments-weekly-failover")
    assert row.count() == 1
    shot(page, "corrections")
    assert serious_violations(page, "corrections") == []


@pytest.mark.parametrize("path", ["/ui/maintenance", "/ui/corrections"])
def test_phone_width(served: Served, browser: Any, path: str) -> None:
    page = new_page(browser, PHONE)
    sign_in(page, served.url, "eve")
    page.goto(f"{served.url}{path}")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], path
    shot(page, path.strip("/").replace("/", "-") + "-390px")
