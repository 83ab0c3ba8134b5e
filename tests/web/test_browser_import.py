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
FILES = "The tool's files (YAML, one or several, at most 5,000,000 characters in all)"
REPLACE = "Replace the files an earlier import of these files wrote: sloth-checkout.yaml"


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
    page.get_by_label(FILES).set_input_files(str(SLOTH))
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
    # the same file again: shown as replacing the earlier import, replaced once ticked
    page.get_by_label(FILES).set_input_files(str(SLOTH))
    page.get_by_role("button", name="Show what would be written").click()
    page.wait_for_selector("#import-report")
    assert "Replaces sloth-checkout.yaml" in page.locator("#import-report ~ article").inner_text()
    assert serious_violations(page, "import-replace") == []
    page.get_by_role("button", name="Write 1 file(s) into the workspace").click()
    page.wait_for_selector("#import-force-problems")
    assert "exists already" in page.locator("#import-force-problems").inner_text()
    assert page.get_by_label(REPLACE).get_attribute("aria-invalid") == "true"
    shot(page, "import-replace-refused-390px")
    assert serious_violations(page, "import-replace-refused") == []
    page.get_by_label(REPLACE).check()
    page.get_by_role("button", name="Write 1 file(s) into the workspace").click()
    page.wait_for_url("**/ui/import?written=sloth-checkout.yaml")
    assert not (served.shop.workspace / "sloth-checkout-2.yaml").exists()


def test_several_files_are_chosen_and_written_together(served: Served, browser: Any) -> None:
    page = new_page(browser)
    sign_in(page, served.url, "eve")
    page.goto(f"{served.url}/ui/import")
    page.get_by_label("Tool", exact=True).select_option("pyrra")
    page.get_by_label(FILES).set_input_files(
        [
            {"name": f"{name}.yaml", "mimeType": "application/yaml", "buffer": _pyrra(name)}
            for name in ("search-a", "search-b")
        ]
    )
    page.get_by_role("button", name="Show what would be written").click()
    page.wait_for_selector("#import-report")
    report = page.locator("section[aria-labelledby=import-report]").inner_text()
    assert "2 files, written all or nothing: 2 with SLOs to write" in report
    assert "search-a.yaml: imported" in report
    assert "search-b.yaml: imported" in report
    assert serious_violations(page, "import-several") == []
    page.get_by_role("button", name="Write 2 file(s) into the workspace").click()
    page.wait_for_url("**/ui/import?written=pyrra-search-a.yaml%2Cpyrra-search-b.yaml")
    assert page.locator("#import-written").inner_text() == (
        "Written into the workspace: pyrra-search-a.yaml, pyrra-search-b.yaml."
    )
    for name in ("search-a", "search-b"):
        written = (served.shop.workspace / f"pyrra-{name}.yaml").read_text(encoding="utf-8")
        assert written.startswith(f"# Imported by `covenant import pyrra` from {name}.yaml\n")


def test_chosen_files_are_kept_for_a_second_preview_and_the_write(
    served: Served, browser: Any
) -> None:
    """Two files chosen once; a bad option refuses the preview; fixed, the second preview and
    the write use the files kept, with no file chosen again."""
    page = new_page(browser)
    sign_in(page, served.url, "eve")
    page.goto(f"{served.url}/ui/import")
    page.get_by_label("Tool", exact=True).select_option("pyrra")
    page.get_by_label(FILES).set_input_files(
        [
            {"name": f"{name}.yaml", "mimeType": "application/yaml", "buffer": _pyrra(name)}
            for name in ("kept-a", "kept-b")
        ]
    )
    page.locator("summary", has_text="Options").click()
    page.get_by_label("Prometheus DataSource's name").fill("Not A Label")
    page.get_by_role("button", name="Show what would be written").click()
    page.wait_for_selector("#import-refused")
    assert (
        page.locator("#import-kept")
        .inner_text()
        .startswith("2 files kept: kept-a.yaml, kept-b.yaml")
    )
    assert page.get_by_label(FILES).evaluate("input => input.files.length") == 0
    page.get_by_label("Prometheus DataSource's name").fill("prometheus")
    page.get_by_role("button", name="Show what would be written").click()
    page.wait_for_selector("#import-report")
    report = page.locator("section[aria-labelledby=import-report]").inner_text()
    assert "2 files, written all or nothing: 2 with SLOs to write" in report
    assert serious_violations(page, "import-kept") == []
    page.get_by_role("button", name="Write 2 file(s) into the workspace").click()
    page.wait_for_url("**/ui/import?written=pyrra-kept-a.yaml%2Cpyrra-kept-b.yaml")
    for name in ("kept-a", "kept-b"):
        written = (served.shop.workspace / f"pyrra-{name}.yaml").read_text(encoding="utf-8")
        assert written.startswith(f"# Imported by `covenant import pyrra` from {name}.yaml\n")


def _pyrra(name: str) -> bytes:
    """A small Pyrra ratio SLO named ``name``."""
    return (
        "apiVersion: pyrra.dev/v1alpha1\n"
        "kind: ServiceLevelObjective\n"
        f"metadata:\n  name: {name}\n  namespace: search\n"
        'spec:\n  target: "99"\n  window: 2w\n  indicator:\n    ratio:\n'
        f'      errors:\n        metric: http_requests_total{{job="{name}",code=~"5.."}}\n'
        f'      total:\n        metric: http_requests_total{{job="{name}"}}\n'
    ).encode()


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
