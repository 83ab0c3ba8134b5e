"""What the browser tests do on every page: sign in, take a screenshot, run axe-core."""

from __future__ import annotations

import json
from typing import Any

from tests.web.conftest import ARTIFACTS, AXE
from tests.web.served import PASSWORD

WAIT_MS = 120_000  # how long an action may wait on a loaded machine (a wait, not an assertion)
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def new_page(browser: Any, viewport: dict[str, int] = DESKTOP) -> Any:
    # bypass_csp: the pages forbid inline scripts (Content-Security-Policy), and Playwright
    # injects axe-core as one; the pages' own scripts are files and need no bypass
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    context.set_default_timeout(WAIT_MS)
    return context.new_page()


def sign_in(page: Any, url: str, name: str, password: str = PASSWORD) -> None:
    page.goto(f"{url}/ui/sign-in")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state("load")


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def serious_violations(page: Any, name: str) -> list[dict[str, Any]]:
    """axe-core's violations of impact serious or critical on the page (all of them are kept
    in test-artifacts/web/NAME.axe.json)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    (ARTIFACTS / f"{name}.axe.json").write_text(json.dumps(result["violations"], indent=2))
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def drawn_charts(page: Any) -> dict[str, dict[str, Any]]:
    """Each chart charts.js drew on the page (after ``body[data-charts=drawn]``): its x values,
    how many series it has, how many points of each were drawn, and its canvas width."""
    page.wait_for_selector("body[data-charts=drawn]")
    found: dict[str, dict[str, Any]] = page.evaluate(
        """() => Object.fromEntries(Object.entries(window.covenantCharts).map(([k, u]) =>
            [k, {x: u.data[0], xs: u.data[0].length, series: u.data.length - 1,
                 drawn: u.series.slice(1).map(s => s.idxs ? s.idxs[1] - s.idxs[0] + 1 : 0),
                 canvas: u.root.querySelector('canvas').width}]))"""
    )
    return found


def expected_points(window_s: int, step_s: int) -> int:
    """How many points a chart of a ``window_s`` window asked for one every ``step_s`` has: the
    window cut into steps (the charts' instants run from one step after its start to now)."""
    assert window_s % step_s == 0, "choose a step that divides the window"
    return window_s // step_s
