"""Agreements and the customer portal in Chromium: an editor proposes and signs a version, a
viewer is refused the same change, a customer sees only its own data."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.test_isolation import ABOUT
from tests.api.test_lifecycle import amendment
from tests.web.browser import PHONE, new_page, serious_violations, shot, sign_in
from tests.web.served import Served

pytestmark = pytest.mark.browser
GLOBEX = "/api/v1/agreements/globex-enterprise"


def _api(served: Served, method: str, path: str, **kw: Any) -> httpx.Response:
    token = served.shop.tokens["admin"]
    return httpx.request(
        method,
        served.url + path,
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
        **kw,
    )


def test_an_editor_proposes_and_signs_a_version(served: Served, browser: Any) -> None:
    made = _api(served, "POST", f"{GLOBEX}/versions", json=amendment(served.shop))
    assert made.status_code == 201, made.text
    number = made.json()["version"]["version"]
    page = new_page(browser)
    sign_in(page, served.url, "eve")
    page.goto(f"{served.url}/ui/agreements")
    shot(page, "agreements")
    assert serious_violations(page, "agreements") == []
    page.get_by_role("link", name="globex-enterprise").click()
    # what the draft changes against the version in force (the amendment raised the level)
    page.get_by_text(f"Changes against version {number - 1}").click()
    assert "99.99" in page.locator(f"#v{number} details").inner_text()
    page.get_by_role("button", name=f"Propose version {number} to the customer").click()
    page.wait_for_load_state("load")
    assert _api(served, "GET", f"{GLOBEX}/versions/{number}").json()["status"] == "proposed"
    page.get_by_label("Signatory (customer)").fill("Hank Scorpio")
    page.get_by_label("Their role").fill("CEO Globex")
    shot(page, "agreement-proposed")
    assert serious_violations(page, "agreement") == []
    page.get_by_role("button", name=f"Sign version {number}").click()
    page.wait_for_load_state("load")
    signed = _api(served, "GET", f"{GLOBEX}/versions/{number}").json()
    assert signed["status"] == "signed"
    assert signed["signatories"][-1]["name"] == "Hank Scorpio"
    history = _api(served, "GET", f"{GLOBEX}/history").json()["events"]
    moves = [e for e in history if e["version"] == number and e["event"] == "status-changed"]
    assert {e["actor"] for e in moves} == {"user:eve"}
    shot(page, "agreement-signed")
    _amend_a_fee_and_a_penalty(served, page, signed=number)
    page.get_by_role("link", name="Statement for 2026-11", exact=True).click()
    assert page.url.endswith("/ui/customers/globex/statements/2026-11")
    assert "Globex" in page.content()
    shot(page, "statement-globex-2026-11")


def _amend_a_fee_and_a_penalty(served: Served, page: Any, *, signed: int) -> None:
    """The signed version amended with the form: a fee too precise for EUR is refused beside
    its field (the form keeps what was typed), then the fee and a penalty are changed and the
    new draft shows both among its changes."""
    fee = "Monthly fee for checkout (EUR)"
    penalty = "Penalty of business-hours-support when missed (amount in EUR)"
    phone = new_page(page.context.browser, PHONE)
    sign_in(phone, served.url, "eve")
    phone.goto(f"{served.url}/ui/agreements/globex-enterprise")
    phone.get_by_text(f"Draft an amendment of version {signed}").click()
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "amendment-form-390px")
    page.get_by_text(f"Draft an amendment of version {signed}").click()
    assert page.get_by_label(fee).input_value() == "8000.00"  # contracts.yaml's fee
    assert page.get_by_label(penalty).input_value() == "250.00"
    page.get_by_label("Effective from").fill("2027-02-01")
    page.get_by_label("Reason").fill("checkout fee and business-hours penalty raised")
    page.get_by_label(fee).fill("9000.001")
    page.get_by_label(penalty).fill("300.00")
    page.get_by_role("button", name="Draft the amendment").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("alert").count() == 1
    problems = page.locator("#amend-fee-checkout-problems").inner_text()
    assert "money-precision: 9000.001 EUR has more decimals than EUR has" in problems
    field = page.get_by_label(fee)
    assert field.get_attribute("aria-invalid") == "true"
    assert "amend-fee-checkout-problems" in (field.get_attribute("aria-describedby") or "")
    assert (field.input_value(), page.get_by_label(penalty).input_value()) == ("9000.001", "300.00")
    assert page.get_by_label("Reason").input_value().startswith("checkout fee and")
    shot(page, "amendment-refused")
    assert serious_violations(page, "amendment-refused") == []
    versions = _api(served, "GET", f"{GLOBEX}/versions").json()["items"]
    assert versions[-1]["version"] == signed  # nothing was drafted
    field.fill("9000.00")
    page.get_by_role("button", name="Draft the amendment").click()
    page.wait_for_load_state("load")
    draft = _api(served, "GET", f"{GLOBEX}/versions").json()["items"][-1]
    assert (draft["version"], draft["status"]) == (signed + 1, "draft")
    assert dict(draft["fees"])["checkout"] == "9000.00"
    support = {s["name"]: s for s in draft["support"]}
    assert support["business-hours-support"]["penalty_amount"] == "300.00"
    assert page.url.endswith(f"#v{signed + 1}")
    page.get_by_text(f"Changes against version {signed}").click()
    changes = page.locator(f"#v{signed + 1} details").inner_text()
    assert "fees.checkout: 8000.00 → 9000.00" in changes
    assert "support.business-hours-support.penalty_amount: 250.00 → 300.00" in changes
    shot(page, "amendment-drafted")


def test_a_viewer_is_refused_a_change(served: Served, browser: Any) -> None:
    made = _api(served, "POST", f"{GLOBEX}/versions", json=amendment(served.shop))
    number = made.json()["version"]["version"]
    page = new_page(browser)
    sign_in(page, served.url, "vic")
    page.goto(f"{served.url}/ui/agreements/globex-enterprise")
    assert page.get_by_role("button", name=f"Propose version {number}").count() == 0
    # the forecast's tier chances: a table named by its caption, a header per tier
    chances = page.get_by_role(
        "table",
        name="Chance of ending November (Europe/Berlin) in each credit tier of v1: checkout-uptime",
    )
    assert chances.get_by_role("rowheader").all_inner_texts()[0] == "no credit"
    assert chances.get_by_role("columnheader").all_inner_texts() == [
        "Credit tier",
        "Chance",
        "Credit if it ends there",
    ]
    shot(page, "agreement-forecast")
    csrf = page.locator("input[name=csrf]").first.input_value()  # the viewer's own session
    answer = page.request.post(
        f"{served.url}/ui/agreements/globex-enterprise/versions/{number}/propose",
        form={"csrf": csrf},
    )
    assert answer.status == 403
    assert "a viewer may not use this page" in answer.text()
    assert _api(served, "GET", f"{GLOBEX}/versions/{number}").json()["status"] == "draft"
    page.get_by_role("link", name=f"Backtest version {number} against the terms in force").click()
    page.wait_for_selector("table.backtest")
    shot(page, "backtest")
    assert serious_violations(page, "backtest") == []


def test_a_customer_sees_only_its_own_portal(served: Served, browser: Any) -> None:
    page = new_page(browser)
    sign_in(page, served.url, "ian")
    assert page.url.endswith("/ui/portal")
    text = page.content()
    assert "Initech" in text
    for word in [*ABOUT["globex"], "checkout-availability", "checkout-monthly"]:
        assert word not in text, word
    shot(page, "portal-initech")
    assert serious_violations(page, "portal") == []
    # the language links: the page in German, named in German, until English is chosen again
    page.get_by_role("link", name="Deutsch").click()
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.get_by_role("heading", name="Ihre Verträge").count() == 1
    assert page.get_by_role("link", name="Abrechnung für November 2026", exact=True).count() == 1
    shot(page, "portal-initech-de")
    assert serious_violations(page, "portal-de") == []
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="Your agreements").count() == 1
    page.goto(f"{served.url}/ui/overview")
    assert page.locator("h1").inner_text().startswith("403")
    shot(page, "error-403-customer")
    assert serious_violations(page, "error-403") == []
    page.goto(f"{served.url}/ui/portal/statements/2026-10")
    shot(page, "statement-initech-2026-10")
    phone = new_page(browser, PHONE)
    sign_in(phone, served.url, "gus")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "portal-globex-390px")
