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
