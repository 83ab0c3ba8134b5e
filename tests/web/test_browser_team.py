"""The team's pages in Chromium: sign in, the overview, an SLO page's charts, phone width."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest

from covenant.services.slo_timeline import DEFAULT_POINTS
from covenant.services.workspace import load_workspace
from tests.api.support import AT
from tests.web.browser import (
    PHONE,
    WAIT_MS,
    drawn_charts,
    expected_points,
    new_page,
    serious_violations,
    shot,
    sign_in,
)
from tests.web.served import Served

pytestmark = pytest.mark.browser


def test_overview_lists_every_objective(served: Served, browser: Any) -> None:
    page = new_page(browser)
    page.goto(f"{served.url}/ui/overview")
    assert "/ui/sign-in" in page.url  # no session: the sign-in form
    shot(page, "sign-in")
    assert serious_violations(page, "sign-in") == []
    page.keyboard.press("Tab")  # the keyboard's first stop skips to the content
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to content"
    sign_in(page, served.url, "vic")
    assert page.url.endswith("/ui/overview")
    workspace = load_workspace(served.shop.workspace)
    expected = len(workspace.objectives) + len(workspace.composites)
    assert page.locator("table.slos tbody tr").count() == expected
    shot(page, "overview")
    assert serious_violations(page, "overview") == []
    # with JavaScript, choosing a filter swaps the table in place (htmx) and keeps the URL
    page.evaluate("() => { window.notReloaded = true; }")
    page.get_by_label("Service").select_option("search")
    page.wait_for_url("**/ui/overview?*service=search*")
    search = sum(1 for o in workspace.objectives if o.service == "search")
    page.wait_for_function(
        "n => document.querySelectorAll('table.slos tbody tr').length === n", arg=search
    )
    assert page.evaluate("() => window.notReloaded") is True  # the page was not loaded anew


def test_overview_filters_without_javascript(served: Served, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    sign_in(page, served.url, "vic")
    page.goto(f"{served.url}/ui/overview?service=checkout&sort=name")
    services = page.locator("table.slos tbody tr td:nth-child(2)").all_inner_texts()
    workspace = load_workspace(served.shop.workspace)
    checkout = [o for o in workspace.objectives if o.service == "checkout"]
    checkout += [c.objective for c in workspace.composites if c.objective.service == "checkout"]
    assert services == ["checkout"] * len(checkout)
    context.close()


def test_slo_page_draws_its_charts(served: Served, browser: Any) -> None:
    page = new_page(browser)
    sign_in(page, served.url, "vic")
    page.goto(f"{served.url}/ui/slos/checkout-availability")
    charts = drawn_charts(page)
    # the tiers the API reports for this SLO: a burn line and a threshold line each
    token = served.shop.tokens["viewer"]
    answer = httpx.get(
        f"{served.url}/api/v1/evaluations/checkout-availability",
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    ).json()
    result = answer["results"][0]
    evaluation = result["corrected"] or result  # the charts draw the figures after corrections
    tiers = len(evaluation["alerts"])
    assert tiers > 0
    expected_series = {"sli": 2, "budget": 2, "burn": 2 * tiers}
    for name, chart in charts.items():
        assert chart["xs"] == DEFAULT_POINTS, name
        assert chart["series"] == expected_series[name], name
        assert chart["drawn"] == [DEFAULT_POINTS] * expected_series[name], name
        assert chart["canvas"] > 0, name
    # the last point is now: the budget left the API reports
    last_budget = page.evaluate("() => window.covenantCharts.budget.data[1].at(-1)")
    assert last_budget == pytest.approx(evaluation["budget"]["remaining_ratio"]["value"] * 100)
    shot(page, "slo-checkout-availability")
    assert serious_violations(page, "slo") == []


def test_phone_width(served: Served, browser: Any) -> None:
    page = new_page(browser, PHONE)
    sign_in(page, served.url, "vic")
    page.goto(f"{served.url}/ui/overview")
    # the page itself does not scroll sideways at 390 px (the table scrolls in its box)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "overview-390px")
    page.goto(f"{served.url}/ui/slos/checkout-availability")
    page.wait_for_selector("body[data-charts=drawn]")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "slo-390px")


def test_composite_page_and_an_error_page(served: Served, browser: Any) -> None:
    page = new_page(browser)
    sign_in(page, served.url, "vic")
    page.goto(f"{served.url}/ui/overview")
    page.get_by_role("link", name="Browse and buy (composite)").click()  # its SLO's displayName
    page.wait_for_url("**/ui/composites/shopping-journey")
    assert page.locator("table.parts tbody tr").count() == 2  # storefront and checkout
    charts = drawn_charts(page)
    assert sorted(charts) == ["budget", "burn", "sli"]
    # the default: 60 instants over the window, whatever its length
    assert {c["xs"] for c in charts.values()} == {DEFAULT_POINTS}
    shot(page, "composite-shopping-journey")
    assert serious_violations(page, "composite") == []
    # asked for one point every 14 hours of its 28-day window (the API's figures): 48 points,
    # each drawn, the last at now and each 14 hours after the one before (to the minute the
    # buckets are aligned to)
    token = served.shop.tokens["viewer"]
    answer = httpx.get(
        f"{served.url}/api/v1/evaluations?slo=shopping-journey",
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    ).json()
    (composite,) = [r for r in answer["results"] if r["objective"] == ""]
    window_s, step_s = composite["window"]["seconds"], 14 * 3600
    assert window_s == 28 * 86400
    wanted = expected_points(window_s, step_s)
    page.goto(f"{served.url}/ui/composites/shopping-journey?points={wanted}")
    charts = drawn_charts(page)
    tiers = len(composite["alerts"])
    assert tiers > 0
    for name, series in {"sli": 2, "budget": 2, "burn": 2 * tiers}.items():
        chart = charts[name]
        assert (chart["xs"], chart["series"]) == (wanted, series), name
        assert chart["drawn"] == [wanted] * series, name
        assert chart["canvas"] > 0, name
    xs = charts["sli"]["x"]
    start = datetime.fromisoformat(composite["window_start"].replace("Z", "+00:00"))
    assert xs[-1] == int(AT.timestamp())
    for i, x in enumerate(xs[:-1], start=1):
        assert 0 <= int(start.timestamp()) + i * step_s - x < 60, i
    # the composite level now is the API's
    last = page.evaluate("() => window.covenantCharts.sli.data[1].at(-1)")
    assert last == pytest.approx(float(composite["sli_value"]["value"]) * 100)
    page.goto(f"{served.url}/ui/no-such-page")
    assert page.locator("h1").inner_text() == "404: not-found"
    shot(page, "error-404")
    assert serious_violations(page, "error-404") == []
    phone = new_page(browser, PHONE)
    sign_in(phone, served.url, "vic")
    phone.goto(f"{served.url}/ui/composites/shopping-journey")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "composite-390px")


def test_exposure_page_filters_in_place(served: Served, browser: Any) -> None:
    page = new_page(browser)
    sign_in(page, served.url, "vic")
    page.get_by_role("link", name="Exposure", exact=True).click()  # in the main navigation
    page.wait_for_url("**/ui/exposure")
    credits = "table.exposure:not(.support) tbody tr"  # the support penalties are apart
    assert page.locator(credits).count() == 2  # globex's and initech's
    assert page.locator("table.support tbody tr").count() == 2  # globex's two desks
    # the count and the chips count both tables' rows (the demo: 2 + 2)
    assert page.locator("#matched").inner_text() == "4 of 4 commitments shown."
    shot(page, "exposure")
    assert serious_violations(page, "exposure") == []
    page.evaluate("() => { window.notReloaded = true; }")
    page.get_by_label("Customer").select_option(label="Initech")
    page.wait_for_url("**/ui/exposure?*customer=initech*")
    page.wait_for_function(
        "() => document.querySelectorAll('table.exposure tbody tr').length === 1"  # no support
    )
    assert page.locator("table.exposure tbody td a").all_inner_texts() == ["initech-standard"]
    assert page.locator("#matched").inner_text() == "1 of 4 commitments shown."
    assert page.evaluate("() => window.notReloaded") is True  # swapped in place (htmx)
    page.set_viewport_size(PHONE)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "exposure-390px")
