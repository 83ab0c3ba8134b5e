"""A refused form at phone width (390 px) in Chromium: the page again with the problems and the
form as typed, and still nothing making it scroll sideways — a long name the refusal quotes
(an unknown service, a long ID) wraps inside its alert. The server's clock is pinned at the
demo's instant (2026-11-20T12:00Z)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.browser import PHONE, new_page, shot, sign_in
from tests.web.served import Served

pytestmark = pytest.mark.browser
LONG = "search-" + "x" * 120  # one word, wider than a phone


def _sideways(page: Any) -> int:
    width: int = page.evaluate("() => document.documentElement.scrollWidth")
    return width


def test_a_refused_window_at_phone_width(served: Served, browser: Any) -> None:
    page = new_page(browser, PHONE)
    sign_in(page, served.url, "eve")
    page.goto(f"{served.url}/ui/maintenance")
    page.get_by_label("Name", exact=True).fill("phone-window")
    page.get_by_label("Services").fill(LONG)  # no such service: quoted in the refusal
    page.get_by_label("Start").fill("2026-12-07T01:00:00Z")
    page.get_by_label("End").fill("2026-12-07T02:00:00Z")
    page.get_by_role("button", name="Announce").click()
    page.wait_for_selector("#refused")
    assert LONG in page.locator("#refused").inner_text()
    assert page.get_by_label("Services").input_value() == LONG  # kept
    shot(page, "maintenance-refused-390px")
    assert _sideways(page) <= PHONE["width"]


def test_a_refused_correction_at_phone_width(served: Served, browser: Any) -> None:
    page = new_page(browser, PHONE)
    sign_in(page, served.url, "eve")
    page.goto(f"{served.url}/ui/corrections")
    page.get_by_label("Name", exact=True).fill("phone-correction")
    page.get_by_label("SLOs", exact=True).fill(LONG)  # no such SLO: quoted in the refusal
    page.get_by_label("Start").fill("2026-11-19T01:00:00Z")
    page.get_by_label("Duration").fill("1h")
    page.get_by_label("Reason").fill("failover drill")
    page.get_by_role("button", name="Correct").click()
    page.wait_for_selector("#refused")
    assert LONG in page.locator("#refused").inner_text()
    shot(page, "corrections-refused-390px")
    assert _sideways(page) <= PHONE["width"]


def test_a_refused_ticket_at_phone_width(served: Served, browser: Any) -> None:
    page = new_page(browser, PHONE)
    sign_in(page, served.url, "eve")
    page.goto(f"{served.url}/ui/tickets")
    page.get_by_label("ID", exact=True).fill("GLX-PHONE-1")
    page.get_by_label("Customer").fill(LONG)  # no such customer: quoted beside the field
    page.get_by_label("Priority", exact=True).fill("P2")
    page.get_by_label("Created").fill("2026-11-20T10:00:00Z")
    page.get_by_role("button", name="Record").click()
    page.wait_for_selector("#refused")
    assert page.get_by_label("Customer").input_value() == LONG
    shot(page, "tickets-refused-390px")
    assert _sideways(page) <= PHONE["width"]
