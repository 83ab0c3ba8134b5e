"""The tickets and incidents pages in Chromium: reached from the navigation, a ticket recorded
with the form, paused while it waits on the customer and resumed with its buttons, a refused
form showing the problem beside its field with what was typed kept, an incident recorded;
axe-core finding nothing serious, and neither page scrolling sideways at 390 px. The server's
clock is pinned at the demo's instant (2026-11-20T12:00Z)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.browser import PHONE, new_page, serious_violations, shot, sign_in
from tests.web.served import Served

pytestmark = pytest.mark.browser


def test_a_ticket_is_recorded_paused_and_resumed_with_the_mouse(
    served: Served, browser: Any
) -> None:
    page = new_page(browser)
    sign_in(page, served.url, "eve")
    page.get_by_role("link", name="Tickets", exact=True).click()  # the main navigation
    page.wait_for_url("**/ui/tickets")
    assert serious_violations(page, "tickets") == []
    page.get_by_label("ID", exact=True).fill("GLX-BROWSER-1")
    page.get_by_label("Customer").fill("globex")
    page.get_by_label("Priority", exact=True).fill("P2")  # each row's Change has its own
    page.get_by_label("Created").fill("2026-11-20T13:00")  # no offset: refused, kept
    page.get_by_role("button", name="Record").click()
    beside = page.locator("#ticket-created-problems")
    assert "invalid-instant-option" in beside.inner_text()
    assert page.get_by_label("Created").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Customer").input_value() == "globex"  # nothing lost
    shot(page, "tickets-refused")
    assert serious_violations(page, "tickets-refused") == []
    page.get_by_label("Created").fill("2026-11-20T11:00:00Z")
    page.get_by_role("button", name="Record").click()
    page.wait_for_url("**/ui/tickets?created=GLX-BROWSER-1")
    assert page.locator("#done").inner_text() == "Recorded GLX-BROWSER-1."
    row = page.locator("table.tickets tbody tr", has_text="GLX-BROWSER-1")
    status = row.locator("td").nth(6).inner_text().splitlines()
    assert status[0] == "open"
    assert status[1].startswith("Timers: response ")  # its timers now, as the API's
    row.get_by_label("Pause state of GLX-BROWSER-1").select_option("waiting-on-customer")
    row.get_by_role("button", name="Pause").click()
    page.wait_for_url("**/ui/tickets?paused=GLX-BROWSER-1")
    row = page.locator("table.tickets tbody tr", has_text="GLX-BROWSER-1")
    status = row.locator("td").nth(6).inner_text().splitlines()
    assert status[0] == "waiting-on-customer (timers paused)"
    shot(page, "tickets-paused")
    row.get_by_role("button", name="Resume").click()
    page.wait_for_url("**/ui/tickets?resumed=GLX-BROWSER-1")
    row = page.locator("table.tickets tbody tr", has_text="GLX-BROWSER-1")
    status = row.locator("td").nth(6).inner_text().splitlines()
    assert status[0] == "open"
    assert status[1].startswith("Timers: response ")  # its timers now, as the API's


def test_a_ticket_is_changed_from_its_row(served: Served, browser: Any) -> None:
    page = new_page(browser)
    sign_in(page, served.url, "eve")
    page.goto(f"{served.url}/ui/tickets")
    page.get_by_label("ID", exact=True).fill("GLX-BROWSER-2")
    page.get_by_label("Customer").fill("globex")
    page.get_by_label("Priority", exact=True).fill("P3")
    page.get_by_label("Created").fill("2026-11-20T10:00:00Z")
    page.get_by_role("button", name="Record").click()
    page.wait_for_url("**/ui/tickets?created=GLX-BROWSER-2")
    row = page.locator("table.tickets tbody tr", has_text="GLX-BROWSER-2")
    row.get_by_text("Change").first.click()  # the disclosure opens
    row.get_by_label("First response of GLX-BROWSER-2").fill("2026-11-20T09:00:00Z")
    row.get_by_role("button", name="Change GLX-BROWSER-2").click()  # before its creation
    row = page.locator("table.tickets tbody tr", has_text="GLX-BROWSER-2")
    beside = row.locator("[id$='-first_response-problems']")
    assert "is before its creation" in beside.inner_text()  # shown, the disclosure open
    assert serious_violations(page, "tickets-change-refused") == []
    row.get_by_label("First response of GLX-BROWSER-2").fill("2026-11-20T10:30:00Z")
    row.get_by_label("Priority of GLX-BROWSER-2").fill("P1")
    row.get_by_role("button", name="Change GLX-BROWSER-2").click()
    page.wait_for_url("**/ui/tickets?changed=GLX-BROWSER-2")
    assert page.locator("#done").inner_text() == "Changed GLX-BROWSER-2."
    row = page.locator("table.tickets tbody tr", has_text="GLX-BROWSER-2")
    assert row.locator("td").nth(2).inner_text() == "P1"
    assert row.locator("td").nth(4).inner_text() == "2026-11-20 10:30"
    shot(page, "tickets-changed")


def test_an_incident_is_recorded_with_the_mouse(served: Served, browser: Any) -> None:
    page = new_page(browser)
    sign_in(page, served.url, "eve")
    page.get_by_role("link", name="Incidents", exact=True).click()
    page.wait_for_url("**/ui/incidents")
    assert serious_violations(page, "incidents") == []
    page.get_by_label("ID", exact=True).fill("INC-BROWSER-1")
    page.get_by_label("Services").fill("checkout")
    page.get_by_label("Start").fill("2026-11-20T10:00:00Z")
    page.get_by_label("End", exact=True).fill("2026-11-20T10:20:00Z")
    page.get_by_label("Customer-caused").check()
    page.get_by_role("button", name="Record").click()
    page.wait_for_url("**/ui/incidents?created=INC-BROWSER-1")
    row = page.locator("table.incidents tbody tr", has_text="INC-BROWSER-1")
    assert row.locator("td").nth(3).inner_text() == "2026-11-20 10:00"
    assert row.locator("td").nth(4).inner_text() == "2026-11-20 10:20"
    assert row.locator("td").nth(6).inner_text().strip() == "Customer-caused"
    shot(page, "incidents-recorded")
    assert serious_violations(page, "incidents-recorded") == []


@pytest.mark.parametrize("path", ["/ui/tickets", "/ui/incidents"])
def test_phone_width(served: Served, browser: Any, path: str) -> None:
    page = new_page(browser, PHONE)
    sign_in(page, served.url, "eve")
    page.goto(f"{served.url}{path}")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], path
    shot(page, path.strip("/").replace("/", "-") + "-390px")
