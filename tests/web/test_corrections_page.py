"""The corrections page: every correction (the files' and those recorded over HTTP), and for
editors and admins the forms the API's ``POST /corrections`` and ``DELETE /corrections/{name}``
are — the same service, so what the page writes the API reads back, and the SLO's figures
change with it."""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest

from tests.api.support import Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import add_users

V1 = "/api/v1"
PAGE = "/ui/corrections"
LB = {
    "name": "lb-health-checks",
    "slos": "checkout-availability",
    "start": "2026-11-18T09:00:00Z",
    "duration": "2h",
    "reason": "the load balancer's health checks failed, not checkout",
}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-corrections"))
    add_users(made)
    return made


def _signed_in(shop: Shop, user: str) -> tuple[Browser, str]:
    browser = Browser(shop.client.app)
    browser.sign_in(user)
    return browser, browser.csrf(PAGE)


def test_the_files_correction_is_listed_and_a_viewer_gets_no_form(shop: Shop) -> None:
    browser, csrf = _signed_in(shop, "vic")
    answer = browser.get(PAGE)
    assert answer.status_code == 200, answer.text
    text = html.unescape(answer.text)
    # corrections.yaml: payments-weekly-failover, 30 minutes every Sunday (Europe/Berlin)
    assert "payments-weekly-failover" in text
    assert "FREQ=WEEKLY;BYDAY=SU" in text
    assert "the card gateway's weekly planned failover" in text
    assert 'action="/ui/corrections"' not in text
    assert browser.post(PAGE, {**LB, "csrf": csrf}).status_code == 403


def test_an_editor_corrects_an_slo_then_deletes_the_correction(shop: Shop) -> None:
    browser, csrf = _signed_in(shop, "eve")
    assert 'action="/ui/corrections"' in browser.get(PAGE).text
    made = browser.post(PAGE, {**LB, "csrf": csrf})
    assert made.status_code == 303, made.text
    assert made.headers["location"] == "/ui/corrections?created=lb-health-checks"
    listed = shop.client.get(f"{V1}/corrections", shop.tokens["viewer"]).json()["items"]
    [found] = [c for c in listed if c["name"] == "lb-health-checks"]
    spec = found["document"]["spec"]
    assert spec["slos"] == ["checkout-availability"]
    assert (spec["start"], spec["duration"]) == ("2026-11-18T09:00:00Z", "2h")
    assert spec["reason"] == LB["reason"]
    assert spec["author"] == "user:eve"  # the signed-in user, as the API names a token
    shown = html.unescape(browser.get("/ui/corrections?created=lb-health-checks").text)
    assert "Created lb-health-checks." in shown

    gone = browser.post(f"{PAGE}/lb-health-checks/delete", {"csrf": csrf, "reason": "wrong"})
    assert gone.status_code == 303, gone.text
    assert gone.headers["location"] == "/ui/corrections?deleted=lb-health-checks"
    listed = shop.client.get(f"{V1}/corrections", shop.tokens["viewer"]).json()["items"]
    assert all(c["name"] != "lb-health-checks" for c in listed)


def test_a_correction_without_a_reason_is_refused_with_the_form_as_typed(shop: Shop) -> None:
    browser, csrf = _signed_in(shop, "ada")
    answer = browser.post(PAGE, {**LB, "name": "no-reason", "reason": "", "csrf": csrf})
    assert answer.status_code == 400
    text = html.unescape(answer.text)
    assert "Nothing was written" in text
    assert 'value="2026-11-18T09:00:00Z"' in text
    listed = shop.client.get(f"{V1}/corrections", shop.tokens["viewer"]).json()["items"]
    assert all(c["name"] != "no-reason" for c in listed)
