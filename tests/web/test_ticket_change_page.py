"""A ticket changed from its row on /ui/tickets, as ``PATCH /api/v1/tickets/{id}`` changes it:
its priority, first response, resolution and a status change appended, through the same service
(``services.record_changes.update_ticket``), so what the page writes the API reads back. Blank
fields are no change; a refused change shows each problem beside its field in the API's words
and keeps what was typed; a viewer gets no form and 403."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest

from tests.api.support import Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import add_users

V1 = "/api/v1"
TICKET = {
    "id": "GLX-CHG-1",
    "customer": "globex",
    "priority": "P3",
    "created": "2026-11-20T09:00:00Z",
}
BLANK = {"priority": "", "first_response": "", "resolved": "", "status": "", "status_at": ""}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-ticket-change"))
    add_users(made)
    for ticket in (TICKET, {**TICKET, "id": "GLX-CHG-2", "priority": "P2"}):
        answer = made.client.request("POST", f"{V1}/tickets", made.tokens["editor"], json=ticket)
        assert answer.status_code == 201, answer.text
    return made


def _signed_in(shop: Shop, user: str) -> tuple[Browser, str]:
    browser = Browser(shop.client.app)
    browser.sign_in(user)
    return browser, browser.csrf("/ui/tickets")


def _beside(text: str, field: str) -> str:
    """The problems shown beside a field of the change form of the refused row, as text."""
    found = re.search(
        rf'<ul class="field-problems" id="c-\d+-{field}-problems">(.*?)</ul>', text, re.S
    )
    assert found is not None, f"no problem beside {field}"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))


def _read(shop: Shop, ticket_id: str) -> dict[str, object]:
    answer = shop.client.get(f"{V1}/tickets/{ticket_id}", shop.tokens["viewer"])
    assert answer.status_code == 200, answer.text
    found: dict[str, object] = answer.json()
    return found


def test_a_viewer_gets_no_change_form(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    assert "/change" not in browser.get("/ui/tickets").text
    refused = browser.post("/ui/tickets/GLX-CHG-1/change", {**BLANK, "priority": "P1"})
    assert refused.status_code == 403
    assert _read(shop, "GLX-CHG-1")["priority"] == "P3"


def test_an_editor_changes_a_ticket_from_its_row(shop: Shop) -> None:
    browser, csrf = _signed_in(shop, "eve")
    assert 'action="/ui/tickets/GLX-CHG-1/change"' in browser.get("/ui/tickets").text
    changed = browser.post(
        "/ui/tickets/GLX-CHG-1/change",
        {**BLANK, "csrf": csrf, "priority": "P1", "first_response": "2026-11-20T09:20:00Z"},
    )
    assert changed.status_code == 303, changed.text
    assert changed.headers["location"] == "/ui/tickets?changed=GLX-CHG-1"
    assert "Changed GLX-CHG-1." in html.unescape(browser.get(changed.headers["location"]).text)
    read = _read(shop, "GLX-CHG-1")
    assert (read["priority"], read["first_response"]) == ("P1", "2026-11-20T09:20:00Z")
    assert read["resolved"] is None  # blank: no change

    resolved = browser.post(
        "/ui/tickets/GLX-CHG-1/change",
        {
            **BLANK,
            "csrf": csrf,
            "resolved": "2026-11-20T11:00:00Z",
            "status": "resolved",
            "status_at": "2026-11-20T11:00:00Z",
        },
    )
    assert resolved.status_code == 303, resolved.text
    read = _read(shop, "GLX-CHG-1")
    assert read["priority"] == "P1"  # kept
    assert read["resolved"] == "2026-11-20T11:00:00Z"
    assert read["history"] == [
        {"at": "2026-11-20T09:00:00Z", "status": "open"},
        {"at": "2026-11-20T11:00:00Z", "status": "resolved"},
    ]
    audit = shop.client.get(f"{V1}/audit?kind=ticket&entity=GLX-CHG-1", shop.tokens["admin"])
    rows = [(r["action"], r["actor"]) for r in audit.json()["items"]]
    assert [action for action, _ in rows] == ["created", "changed", "changed"]
    assert rows[1:] == [("changed", "user:eve"), ("changed", "user:eve")]


def test_a_refused_change_shows_the_api_s_words_beside_each_field(shop: Shop) -> None:
    browser, csrf = _signed_in(shop, "eve")
    ticket = "GLX-CHG-2"  # created 2026-11-20T09:00Z
    sent = {**BLANK, "priority": "P0", "first_response": "2026-11-20T08:00:00Z"}
    answer = browser.post(f"/ui/tickets/{ticket}/change", {**sent, "csrf": csrf})
    assert answer.status_code == 400, answer.text
    api = shop.client.request(
        "PATCH",
        f"{V1}/tickets/{ticket}",
        shop.tokens["editor"],
        json={"first_response": "2026-11-20T08:00:00Z"},
    )
    assert api.status_code == 400, api.text
    assert _beside(answer.text, "first_response").startswith(
        f"{api.json()['code']}: {api.json()['message']} — {api.json()['hint']}"
    )
    assert 'value="2026-11-20T08:00:00Z"' in answer.text  # as typed
    assert 'value="P0"' in answer.text
    assert _read(shop, ticket)["priority"] == "P2"  # nothing written

    early = browser.post(
        f"/ui/tickets/{ticket}/change",
        {**BLANK, "csrf": csrf, "status": "open", "status_at": "2026-11-20T08:30:00Z"},
    )
    assert early.status_code == 400, early.text
    assert "is before its last one" in _beside(early.text, "status_at")

    alone = browser.post(
        f"/ui/tickets/{ticket}/change", {**BLANK, "csrf": csrf, "status_at": "now"}
    )
    assert alone.status_code == 400, alone.text
    assert "status" in _beside(alone.text, "status")

    nothing = browser.post(f"/ui/tickets/{ticket}/change", {**BLANK, "csrf": csrf})
    assert nothing.status_code == 400, nothing.text
    assert "nothing to change" in html.unescape(nothing.text)

    missing = browser.post("/ui/tickets/NO-SUCH/change", {**BLANK, "csrf": csrf, "priority": "P1"})
    assert missing.status_code == 404


def test_a_change_without_the_csrf_token_is_refused(shop: Shop) -> None:
    browser, _ = _signed_in(shop, "eve")
    refused = browser.post("/ui/tickets/GLX-CHG-1/change", {**BLANK, "priority": "P4"})
    assert refused.status_code == 403
    assert _read(shop, "GLX-CHG-1")["priority"] != "P4"
