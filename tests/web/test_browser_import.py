"""The import page in Chromium: reached from the sources page, a Sloth file chosen with the file
input, its report read (axe-core finds nothing serious, nothing scrolls sideways at 390 px),
written with the button into the served workspace, and a refused form's problem beside its
field."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ROOT
from tests.web.browser import PHONE, new_page, serious_violations, shot, sign_in
from tests.web.served import Served

pytestmark = pytest.mark.browser

SLOTH = ROOT / "examples" / "import" / "sloth-checkout.yml"


def _fits_a_phone(page: Any) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"])


def test_a_file_is_chosen_reviewed_and_written_with_the_mouse(served: Served, browser: Any) -> None:
    page = new_page(browser)
    sign_in(page, served.url, "eve")
    page.goto(f"{served.url}/ui/sources")
    assert (
        page.get_by_label(
            "From (ISO-8601 with Z or an offset, or relative to now: -30d, -3M)"
        ).count()
        == 1
    )
    assert serious_violations(page, "sources-editor") == []  # with the range form
    page.get_by_role("link", name="import a file", exact=True).click()
    page.wait_for_url("**/ui/import")
    assert serious_violations(page, "import") == []
    page.get_by_label("Tool", exact=True).select_option("sloth")
    page.get_by_label("The tool's file (YAML, at most 5,000,000 characters)").set_input_files(
        str(SLOTH)
    )
    page.get_by_role("button", name="Show what would be written").click()
    page.wait_for_selector("#import-report")
    report = page.locator("section[aria-labelledby=import-report]").inner_text()
    assert "sloth-checkout.yml: partly-imported" in report
    assert "What could not be carried over, and why" in report
    shot(page, "import-report")
    assert serious_violations(page, "import-report") == []
    page.set_viewport_size(PHONE)
    assert _fits_a_phone(page)
    shot(page, "import-report-390px")
    assert not (served.shop.workspace / "sloth-checkout.yaml").exists()
    page.get_by_role("button", name="Write 1 file(s) into the workspace").click()
    page.wait_for_url("**/ui/import?written=sloth-checkout.yaml")
    assert page.locator("#import-written").inner_text() == (
        "Written into the workspace: sloth-checkout.yaml."
    )
    written = (served.shop.workspace / "sloth-checkout.yaml").read_text(encoding="utf-8")
    assert written.startswith("# Imported by `covenant import sloth` from sloth-checkout.yml\n")
    assert _fits_a_phone(page)
    assert serious_violations(page, "import-written") == []


def test_a_refused_form_shows_the_problem_at_its_field(served: Served, browser: Any) -> None:
    page = new_page(browser, PHONE)
    sign_in(page, served.url, "vic")
    page.goto(f"{served.url}/ui/import")
    page.get_by_label("…or paste it").fill("a: 1\n")
    page.get_by_text("Options", exact=True).click()  # the options are folded
    page.get_by_label("Prometheus DataSource's name").fill("Prom_1")
    page.get_by_role("button", name="Show what would be written").click()
    page.wait_for_selector("#import-refused")
    field = page.get_by_label("Prometheus DataSource's name")
    assert field.get_attribute("aria-invalid") == "true"
    assert "is not a DNS label" in page.locator("#import-datasource-problems").inner_text()
    assert field.input_value() == "Prom_1"  # as typed
    assert _fits_a_phone(page)
    shot(page, "import-refused-390px")
    assert serious_violations(page, "import-refused") == []
