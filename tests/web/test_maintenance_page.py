"""The maintenance page: every maintenance window (the files' and those recorded over HTTP),
and for editors and admins the forms the API's ``POST /maintenance-windows``, ``DELETE`` and
``.../end`` are — the same service, so what the page writes the API reads back."""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest

from covenant.services.store import open_store
from covenant.store import audit
from tests.api.support import Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import add_users

V1 = "/api/v1"
PAGE = "/ui/maintenance"
FAILOVER = {
    "name": "db-failover",
    "display_name": "Order database failover",
    "services": "checkout",
    "customers": "",
    "start": "2026-12-06T02:00:00Z",
    "end": "2026-12-06T03:00:00Z",
    "description": "order database failover test",
}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-maintenance"))
    add_users(made)
    return made


def _signed_in(shop: Shop, user: str) -> tuple[Browser, str]:
    browser = Browser(shop.client.app)
    browser.sign_in(user)
    return browser, browser.csrf(PAGE)


def test_the_files_window_is_listed_and_a_viewer_gets_no_form(shop: Shop) -> None:
    browser, _ = _signed_in(shop, "vic")
    answer = browser.get(PAGE)
    assert answer.status_code == 200, answer.text
    text = html.unescape(answer.text)
    # contracts.yaml: checkout-db-upgrade, 02:00–03:00 +01:00 on 2026-11-14 (01:00–02:00 UTC)
    assert "checkout-db-upgrade" in text
    assert "2026-11-14 01:00" in text
    assert "2026-11-14 02:00" in text
    assert "ended" in text  # the page's now is 2026-11-20
    assert 'action="/ui/maintenance"' not in text
    assert browser.post(PAGE, {**FAILOVER}).status_code == 403


def test_an_editor_announces_then_cancels_a_window(shop: Shop) -> None:
    browser, csrf = _signed_in(shop, "eve")
    assert 'action="/ui/maintenance"' in browser.get(PAGE).text
    made = browser.post(PAGE, {**FAILOVER, "csrf": csrf})
    assert made.status_code == 303, made.text
    assert made.headers["location"] == "/ui/maintenance?created=db-failover"
    read = shop.client.get(f"{V1}/maintenance-windows/db-failover", shop.tokens["viewer"])
    assert read.status_code == 200, read.text
    document = read.json()["document"]
    assert document["metadata"]["displayName"] == "Order database failover"
    spec = document["spec"]
    assert spec["services"] == ["checkout"]
    assert (spec["start"], spec["end"]) == ("2026-12-06T02:00:00Z", "2026-12-06T03:00:00Z")
    assert spec["description"] == "order database failover test"
    assert "customers" not in spec  # none given: every customer
    shown = html.unescape(browser.get("/ui/maintenance?created=db-failover").text)
    assert "Announced db-failover" in shown
    assert "upcoming" in shown

    gone = browser.post(f"{PAGE}/db-failover/cancel", {"csrf": csrf, "reason": "moved"})
    assert gone.status_code == 303, gone.text
    assert gone.headers["location"] == "/ui/maintenance?cancelled=db-failover"
    read = shop.client.get(f"{V1}/maintenance-windows/db-failover", shop.tokens["viewer"])
    assert read.status_code == 404


def test_a_window_in_the_past_is_refused_and_nothing_is_written(shop: Shop) -> None:
    browser, csrf = _signed_in(shop, "ada")
    past = {**FAILOVER, "name": "late", "start": "2026-11-19T02:00:00Z", "csrf": csrf}
    answer = browser.post(PAGE, past)
    assert answer.status_code == 400
    text = html.unescape(answer.text)
    assert "maintenance-in-past" in text
    assert "Nothing was announced: maintenance window 'late' would start at 2026-11-19" in text
    assert 'value="2026-11-19T02:00:00Z"' in text  # the form as typed
    assert 'value="order database failover test"' in text
    read = shop.client.get(f"{V1}/maintenance-windows/late", shop.tokens["viewer"])
    assert read.status_code == 404


def test_a_window_without_a_name_lists_the_definitions_problems(shop: Shop) -> None:
    browser, csrf = _signed_in(shop, "eve")
    answer = browser.post(PAGE, {**FAILOVER, "name": "", "csrf": csrf})
    assert answer.status_code == 400
    text = html.unescape(answer.text)
    assert "invalid-definition" in text
    assert '<div class="alert" role="alert" id="refused">' in text
    refused = text.split('id="refused">', 1)[1].split("</div>", 1)[0]
    assert "<li>" in refused  # each problem, with its field and fix


def test_ending_a_window_that_ended_is_refused(shop: Shop) -> None:
    browser, csrf = _signed_in(shop, "eve")
    answer = browser.post(f"{PAGE}/checkout-db-upgrade/end", {"csrf": csrf})
    assert answer.status_code == 409
    assert "maintenance-ended" in answer.text


def test_a_misspelt_service_is_refused_with_the_name_meant(shop: Shop) -> None:
    browser, csrf = _signed_in(shop, "eve")
    typo = {**FAILOVER, "name": "typo", "services": "chekout", "csrf": csrf}
    answer = browser.post(PAGE, typo)
    assert answer.status_code == 400
    text = html.unescape(answer.text)
    refused = text.split('id="refused">', 1)[1].split("</div>", 1)[0]
    assert "spec.services[0]" in refused
    assert "no service named 'chekout'" in refused
    assert "did you mean 'checkout'?" in refused
    assert 'value="chekout"' in text  # the form as typed
    read = shop.client.get(f"{V1}/maintenance-windows/typo", shop.tokens["viewer"])
    assert read.status_code == 404


def test_a_cancelled_window_is_audited_with_the_reason_typed_and_its_user(shop: Shop) -> None:
    browser, csrf = _signed_in(shop, "eve")
    made = browser.post(PAGE, {**FAILOVER, "name": "audited-window", "csrf": csrf})
    assert made.status_code == 303, made.text
    gone = browser.post(
        f"{PAGE}/audited-window/cancel", {"csrf": csrf, "reason": "  moved to January  "}
    )
    assert gone.status_code == 303, gone.text
    with open_store(shop.settings.database_url).connect() as conn:
        rows = [e for e in audit.entries(conn) if e.entity_id == "audited-window"]
    assert [e.action for e in rows] == ["created", "deleted"]
    assert rows[1].reason == "moved to January"  # as typed, its blanks trimmed
    assert "eve" in rows[1].actor


def test_a_display_name_the_api_refuses_is_refused_and_nothing_is_written(shop: Shop) -> None:
    browser, csrf = _signed_in(shop, "eve")
    too_long = "D" * 256  # the API's displayName: 1 to 255 characters
    answer = browser.post(
        PAGE, {**FAILOVER, "name": "long-display", "display_name": too_long, "csrf": csrf}
    )
    assert answer.status_code == 400, answer.text
    refused = html.unescape(answer.text).split('id="refused">', 1)[1].split("</div>", 1)[0]
    assert "must be a text of 1 to 255 characters" in refused
    assert f'value="{too_long}"' in answer.text  # the form as typed
    read = shop.client.get(f"{V1}/maintenance-windows/long-display", shop.tokens["viewer"])
    assert read.status_code == 404
