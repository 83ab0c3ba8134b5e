"""Amending every term in Chromium: an editor opens "Edit all terms (YAML)", types a target
that is no duration and is told the line, the field, the problem and the fix with the text
kept as typed; fixed, the draft appears with its changes against the version in force (the
old and the new target, in seconds, worked out here from what was typed)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.browser import PHONE, new_page, serious_violations, shot, sign_in
from tests.web.served import Served

pytestmark = pytest.mark.browser


def test_an_editor_amends_a_support_target_in_yaml(served: Served, browser: Any) -> None:
    page = new_page(browser)
    sign_in(page, served.url, "eve")
    page.goto(f"{served.url}/ui/agreements/globex-enterprise")
    page.get_by_text("Edit all terms (YAML)").click()
    terms = page.get_by_label("Terms of the amendment (YAML)")
    original = terms.input_value()
    assert "firstResponse: 30m" in original  # P1 of enterprise-support, contracts.yaml
    typed = original.replace("firstResponse: 30m", "firstResponse: 15 minutes")
    terms.fill(typed)
    page.get_by_label("Start date of the new terms").fill("2027-01-01")
    page.get_by_label("Why the terms change").fill("P1 answered within 15 minutes")
    page.get_by_role("button", name="Draft these terms as an amendment").click()
    page.wait_for_load_state("load")

    alert = page.locator("#amend-terms-refused")
    assert alert.is_visible()
    assert "Nothing was changed" in alert.inner_text()
    problem = page.locator("#amend-terms-terms-problems li").inner_text()
    line = typed.splitlines().index("      firstResponse: 15 minutes") + 1
    assert problem.startswith(f"line {line}, support[0].targets.P1.firstResponse: "), problem
    assert "invalid-duration" in problem
    assert "30m" in problem  # the fix shows how a duration is written
    kept = page.get_by_label("Terms of the amendment (YAML)")
    assert kept.input_value() == typed  # nothing lost
    assert kept.get_attribute("aria-invalid") == "true"
    shot(page, "amend-terms-refused")
    assert serious_violations(page, "amend-terms-refused") == []

    kept.fill(typed.replace("firstResponse: 15 minutes", "firstResponse: 15m"))
    page.get_by_role("button", name="Draft these terms as an amendment").click()
    page.wait_for_url("**/ui/agreements/globex-enterprise#v2")
    draft = page.locator("#v2")
    assert "draft" in draft.locator("h3").inner_text()
    assert "P1 answered within 15 minutes" in draft.inner_text()
    draft.get_by_text("Changes against version 1").click()
    changes = draft.locator("details li").all_inner_texts()
    target = "support.enterprise-support.targets[0].first_response_s"
    assert f"{target}: {30 * 60} → {15 * 60}" in changes, changes
    shot(page, "amend-terms-drafted")


def test_the_yaml_fits_a_phone(served: Served, browser: Any) -> None:
    phone = new_page(browser, PHONE)
    sign_in(phone, served.url, "ada")  # an admin may amend as an editor may
    phone.goto(f"{served.url}/ui/agreements/initech-standard")
    phone.get_by_text("Edit all terms (YAML)").click()
    assert "availability:" in phone.get_by_label("Terms of the amendment (YAML)").input_value()
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "amend-terms-390px")
