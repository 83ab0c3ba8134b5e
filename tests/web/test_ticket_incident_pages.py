"""The tickets and incidents pages: the forms that record one ticket or incident and pause or
resume a ticket, as ``POST /api/v1/tickets``, ``/incidents`` and a ticket's ``pause`` /
``resume`` do — the same services, so what the page writes the API reads back; a refused form
shows each problem beside its field in the API's words, and keeps what was typed."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from tests.api.support import Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import add_users

V1 = "/api/v1"
TICKET = {
    "id": "GLX-WEB-1",
    "customer": "globex",
    "priority": "P1",
    "created": "2026-11-20T09:00:00Z",
    "first_response": "",
    "resolved": "",
}
INCIDENT = {
    "id": "INC-WEB-1",
    "services": "checkout",
    "start": "2026-11-20T08:00:00Z",
    "end": "2026-11-20T08:30:00Z",
    "severity": "sev2",
    "customers": "globex",
    "force_majeure": "1",
}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-records"))
    add_users(made)
    return made


def _signed_in(shop: Shop, user: str, path: str) -> tuple[Browser, str]:
    browser = Browser(shop.client.app)
    browser.sign_in(user)
    return browser, browser.csrf(path)


def _beside(text: str, prefix: str, field: str) -> str:
    """The problems shown beside the field (its ``…-problems`` list), as text."""
    found = re.search(
        rf'<ul class="field-problems" id="{prefix}-{field}-problems">(.*?)</ul>', text
    )
    assert found is not None, f"no problem beside {field}"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))


def _value(text: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*value="([^"]*)"', text)
    assert found is not None, element_id
    return html.unescape(found.group(1))


def test_a_viewer_sees_the_tickets_but_no_form(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    answer = browser.get("/ui/tickets")
    assert answer.status_code == 200, answer.text
    assert 'action="/ui/tickets"' not in answer.text
    assert "/pause" not in answer.text
    assert browser.post("/ui/tickets", {**TICKET}).status_code == 403
    assert 'action="/ui/incidents"' not in browser.get("/ui/incidents").text


def test_an_editor_records_a_ticket_then_pauses_and_resumes_it(shop: Shop) -> None:
    browser, csrf = _signed_in(shop, "eve", "/ui/tickets")
    made = browser.post("/ui/tickets", {**TICKET, "csrf": csrf})
    assert made.status_code == 303, made.text
    assert made.headers["location"] == "/ui/tickets?created=GLX-WEB-1"
    read = shop.client.get(f"{V1}/tickets/GLX-WEB-1", shop.tokens["viewer"]).json()
    assert (read["customer"], read["priority"]) == ("globex", "P1")
    assert read["history"] == [{"at": "2026-11-20T09:00:00Z", "status": "open"}]
    shown = html.unescape(browser.get(made.headers["location"]).text)
    assert "Recorded GLX-WEB-1." in shown
    assert 'action="/ui/tickets/GLX-WEB-1/pause"' in shown

    # contracts.yaml: globex's support commitment pauses on waiting-on-customer
    paused = browser.post(
        "/ui/tickets/GLX-WEB-1/pause",
        {"csrf": csrf, "status": "waiting-on-customer", "at": "2026-11-20T10:00:00Z"},
    )
    assert paused.status_code == 303, paused.text
    assert paused.headers["location"] == "/ui/tickets?paused=GLX-WEB-1"
    history = shop.client.get(f"{V1}/tickets/GLX-WEB-1", shop.tokens["viewer"]).json()["history"]
    assert history[-1] == {"at": "2026-11-20T10:00:00Z", "status": "waiting-on-customer"}
    shown = browser.get("/ui/tickets").text
    assert 'action="/ui/tickets/GLX-WEB-1/resume"' in shown
    assert "(timers paused)" in shown

    resumed = browser.post("/ui/tickets/GLX-WEB-1/resume", {"csrf": csrf, "at": ""})
    assert resumed.status_code == 303, resumed.text
    history = shop.client.get(f"{V1}/tickets/GLX-WEB-1", shop.tokens["viewer"]).json()["history"]
    assert history[-1] == {"at": "2026-11-20T12:00:00Z", "status": "open"}  # blank: the clock
    audit = shop.client.get(f"{V1}/audit?kind=ticket&entity=GLX-WEB-1", shop.tokens["admin"]).json()
    assert [(r["action"], r["actor"]) for r in audit["items"]] == [
        ("created", "user:eve"),
        ("paused", "user:eve"),
        ("resumed", "user:eve"),
    ]


def test_a_refused_ticket_shows_the_api_s_words_beside_each_field_and_keeps_the_form(
    shop: Shop,
) -> None:
    browser, csrf = _signed_in(shop, "eve", "/ui/tickets")
    sent = {**TICKET, "id": "", "customer": "umbrella", "created": "2026-13-40"}
    answer = browser.post("/ui/tickets", {**sent, "csrf": csrf})
    assert answer.status_code == 400, answer.text
    text = answer.text
    assert _beside(text, "ticket", "id").startswith(
        "invalid-input: id: String should have at least 1 character"
    )
    api = shop.client.request(
        "POST", f"{V1}/tickets", shop.tokens["editor"], json={**TICKET, "created": "2026-13-40"}
    )
    assert api.status_code == 400, api.text
    assert api.json()["code"] == "invalid-instant-option"
    assert _beside(text, "ticket", "created").startswith(
        f"invalid-instant-option: {api.json()['message']} — {api.json()['hint']}"
    )
    assert _value(text, "ticket-customer") == "umbrella"  # as typed
    assert _value(text, "ticket-created") == "2026-13-40"
    assert _value(text, "ticket-priority") == "P1"

    # the instants read: the service's own refusals, beside the field they name
    unknown = browser.post(
        "/ui/tickets", {**TICKET, "id": "GLX-WEB-2", "customer": "umbrella", "csrf": csrf}
    )
    assert unknown.status_code == 404, unknown.text
    api = shop.client.request(
        "POST",
        f"{V1}/tickets",
        shop.tokens["editor"],
        json={
            **TICKET,
            "id": "GLX-WEB-2",
            "customer": "umbrella",
            "first_response": None,
            "resolved": None,
        },
    ).json()
    assert _beside(unknown.text, "ticket", "customer").startswith(
        f"not-found: {api['message']} — {api['hint']}"
    )
    early = browser.post(
        "/ui/tickets",
        {**TICKET, "id": "GLX-WEB-3", "first_response": "2026-11-20T08:00:00Z", "csrf": csrf},
    )
    assert early.status_code == 400, early.text
    assert "first_response 2026-11-20T08:00:00Z is before its creation" in _beside(
        early.text, "ticket", "first_response"
    )
    for refused in ("GLX-WEB-2", "GLX-WEB-3"):
        gone = shop.client.get(f"{V1}/tickets/{refused}", shop.tokens["viewer"])
        assert gone.status_code == 404  # nothing written


def test_a_refused_pause_is_shown_beside_its_ticket(shop: Shop) -> None:
    browser, csrf = _signed_in(shop, "eve", "/ui/tickets")
    made = browser.post("/ui/tickets", {**TICKET, "id": "GLX-WEB-4", "csrf": csrf})
    assert made.status_code == 303, made.text
    answer = browser.post(
        "/ui/tickets/GLX-WEB-4/pause", {"csrf": csrf, "status": "lunch", "at": "-1h"}
    )
    assert answer.status_code == 400, answer.text
    beside = re.search(r'id="(t-\d+)-status-problems"', answer.text)
    assert beside is not None
    assert "'lunch' is not a pause state" in _beside(answer.text, beside.group(1), "status")
    assert _value(answer.text, f"{beside.group(1)}-at") == "-1h"  # as typed
    history = shop.client.get(f"{V1}/tickets/GLX-WEB-4", shop.tokens["viewer"]).json()["history"]
    assert [h["status"] for h in history] == ["open"]
    missing = browser.post("/ui/tickets/NO-SUCH/pause", {"csrf": csrf})
    assert missing.status_code == 404
    forged = browser.post("/ui/tickets/GLX-WEB-4/pause", {"csrf": "forged"})
    assert forged.status_code == 403


def test_an_editor_records_an_incident(shop: Shop) -> None:
    browser, csrf = _signed_in(shop, "eve", "/ui/incidents")
    made = browser.post("/ui/incidents", {**INCIDENT, "csrf": csrf})
    assert made.status_code == 303, made.text
    assert made.headers["location"] == "/ui/incidents?created=INC-WEB-1"
    read = shop.client.get(f"{V1}/incidents/INC-WEB-1", shop.tokens["viewer"]).json()
    assert read["services"] == ["checkout"]
    assert (read["start"], read["end"]) == ("2026-11-20T08:00:00Z", "2026-11-20T08:30:00Z")
    assert read["severity"] == "sev2"
    assert read["customers"] == ["globex"]
    assert read["force_majeure"] is True
    assert read["customer_caused"] is False
    shown = html.unescape(browser.get(made.headers["location"]).text)
    assert "Recorded INC-WEB-1." in shown
    assert "2026-11-20 08:30" in shown

    again = browser.post("/ui/incidents", {**INCIDENT, "csrf": csrf})
    assert again.status_code == 409, again.text
    assert "conflict: an incident with the id 'INC-WEB-1' exists already" in _beside(
        again.text, "incident", "id"
    )


def test_a_refused_incident_keeps_the_form(shop: Shop) -> None:
    browser, csrf = _signed_in(shop, "eve", "/ui/incidents")
    sent = {**INCIDENT, "id": "INC-WEB-2", "services": " , ", "end": "2026-11-20T07:00:00Z"}
    answer = browser.post("/ui/incidents", {**sent, "csrf": csrf})
    assert answer.status_code == 400, answer.text
    assert _beside(answer.text, "incident", "services").startswith(
        "invalid-input: services: List should have at least 1 item after validation, not 0"
    )
    assert _value(answer.text, "incident-end") == "2026-11-20T07:00:00Z"
    assert 'name="force_majeure" value="1" checked' in answer.text
    ordered = browser.post("/ui/incidents", {**sent, "services": "checkout", "csrf": csrf})
    assert ordered.status_code == 400, ordered.text
    assert "is not after its start" in _beside(ordered.text, "incident", "end")
    gone = shop.client.get(f"{V1}/incidents/INC-WEB-2", shop.tokens["viewer"])
    assert gone.status_code == 404


def test_an_open_incident_is_ended_from_its_row(shop: Shop) -> None:
    browser, csrf = _signed_in(shop, "eve", "/ui/incidents")
    opened = {**INCIDENT, "id": "INC-WEB-3", "end": "", "start": "2026-11-20T11:00:00Z"}
    assert browser.post("/ui/incidents", {**opened, "csrf": csrf}).status_code == 303
    assert 'action="/ui/incidents/INC-WEB-3/end"' in browser.get("/ui/incidents").text
    early = browser.post("/ui/incidents/INC-WEB-3/end", {"csrf": csrf, "end": "-2h"})
    assert early.status_code == 400, early.text  # 10:00, before its start
    beside = re.search(r'id="(i-\d+)-end-problems"', early.text)
    assert beside is not None
    assert "is not after its start" in _beside(early.text, beside.group(1), "end")
    assert _value(early.text, f"{beside.group(1)}-end") == "-2h"  # as typed
    assert shop.client.get(f"{V1}/incidents/INC-WEB-3", shop.tokens["viewer"]).json()["end"] is None

    ended = browser.post("/ui/incidents/INC-WEB-3/end", {"csrf": csrf, "end": ""})
    assert ended.status_code == 303, ended.text
    assert ended.headers["location"] == "/ui/incidents?ended=INC-WEB-3"
    read = shop.client.get(f"{V1}/incidents/INC-WEB-3", shop.tokens["viewer"]).json()
    assert read["end"] == "2026-11-20T12:00:00Z"  # blank: the page's clock
    assert 'action="/ui/incidents/INC-WEB-3/end"' not in browser.get("/ui/incidents").text
    assert browser.post("/ui/incidents/NO-SUCH/end", {"csrf": csrf}).status_code == 404


def test_end_refuses_an_incident_that_has_ended_already(shop: Shop) -> None:
    """A second "End" (a stale tab, a double click) must not move an end already recorded."""
    browser, csrf = _signed_in(shop, "eve", "/ui/incidents")
    ended = {**INCIDENT, "id": "INC-WEB-4", "start": "2026-11-20T10:00:00Z"}
    ended["end"] = "2026-11-20T10:40:00Z"
    assert browser.post("/ui/incidents", {**ended, "csrf": csrf}).status_code == 303
    again = browser.post("/ui/incidents/INC-WEB-4/end", {"csrf": csrf, "end": ""})
    assert again.status_code == 409, again.text
    shown = html.unescape(re.sub(r"<[^>]+>", "", again.text))
    assert "INC-WEB-4 ended already at 2026-11-20T10:40:00Z" in shown  # on the page: no row form
    assert 'role="alert"' in again.text
    read = shop.client.get(f"{V1}/incidents/INC-WEB-4", shop.tokens["viewer"]).json()
    assert read["end"] == "2026-11-20T10:40:00Z"  # nothing changed


def test_an_incident_without_a_severity_has_none_as_over_the_api(shop: Shop) -> None:
    browser, csrf = _signed_in(shop, "eve", "/ui/incidents")
    page = browser.get("/ui/incidents").text
    assert 'placeholder="sev1"' not in page  # no severity suggested as if it were the default
    sent = {**INCIDENT, "id": "INC-WEB-5", "severity": ""}
    assert browser.post("/ui/incidents", {**sent, "csrf": csrf}).status_code == 303
    read = shop.client.get(f"{V1}/incidents/INC-WEB-5", shop.tokens["viewer"]).json()
    assert read["severity"] == ""  # as POST /api/v1/incidents and a file row without one


def test_a_refused_move_on_a_row_without_its_form_is_shown_atop_the_page(shop: Shop) -> None:
    browser, csrf = _signed_in(shop, "eve", "/ui/tickets")
    made = browser.post("/ui/tickets", {**TICKET, "id": "GLX-WEB-9", "csrf": csrf})
    assert made.status_code == 303, made.text
    done = {"status": {"at": "2026-11-20T10:00:00Z", "status": "resolved"}}
    closed = shop.client.request(
        "PATCH", f"{V1}/tickets/GLX-WEB-9", shop.tokens["admin"], json=done
    )
    assert closed.status_code == 200, closed.text
    assert 'action="/ui/tickets/GLX-WEB-9/pause"' not in browser.get("/ui/tickets").text
    answer = browser.post("/ui/tickets/GLX-WEB-9/pause", {"csrf": csrf, "at": ""})
    assert answer.status_code == 409, answer.text  # a stale tab's form
    assert 'role="alert"' in answer.text
    shown = html.unescape(re.sub(r"<[^>]+>", "", answer.text))
    assert "ticket GLX-WEB-9 is resolved: only an open ticket can be paused" in shown
    old = {**TICKET, "id": "GLX-WEB-OLD", "created": "2026-09-01T09:00:00Z", "csrf": csrf}
    assert browser.post("/ui/tickets", old).status_code == 303  # not listed: 80 days old
    resumed = browser.post("/ui/tickets/GLX-WEB-OLD/resume", {"csrf": csrf})
    assert resumed.status_code == 409, resumed.text
    shown = html.unescape(re.sub(r"<[^>]+>", "", resumed.text))
    assert "ticket GLX-WEB-OLD is open, not paused" in shown


def test_a_record_whose_id_holds_a_slash_is_moved_from_its_row(shop: Shop) -> None:
    """A file of a tool's export may hold ids with ``/`` (file ingest takes them): the row's
    forms reach that record."""
    browser, csrf = _signed_in(shop, "eve", "/ui/incidents")
    opened = {**INCIDENT, "id": "OPS/2026/7", "end": "", "start": "2026-11-20T11:00:00Z"}
    assert browser.post("/ui/incidents", {**opened, "csrf": csrf}).status_code == 303
    ended = browser.post("/ui/incidents/OPS/2026/7/end", {"csrf": csrf, "end": ""})
    assert ended.status_code == 303, ended.text
    made = browser.post("/ui/tickets", {**TICKET, "id": "GLX/WEB/10", "csrf": csrf})
    assert made.status_code == 303, made.text
    changed = browser.post("/ui/tickets/GLX/WEB/10/change", {"csrf": csrf, "priority": "P2"})
    assert changed.status_code == 303, changed.text
    paused = browser.post("/ui/tickets/GLX/WEB/10/pause", {"csrf": csrf})
    assert paused.status_code == 303, paused.text
    resumed = browser.post("/ui/tickets/GLX/WEB/10/resume", {"csrf": csrf})
    assert resumed.status_code == 303, resumed.text


def test_the_note_after_a_redirect_is_escaped_and_each_name_cut_short(shop: Shop) -> None:
    browser, _ = _signed_in(shop, "eve", "/ui/incidents")
    long_name = "<b>" + "x" * 100  # 103 characters: the note keeps the first 63
    shown = browser.get("/ui/incidents?" + urlencode({"created": long_name, "ended": "INC-9"}))
    assert shown.status_code == 200
    found = re.search(r'<p class="status-note" role="status" id="done">(.*?)</p>', shown.text)
    assert found is not None
    assert found.group(1) == "Recorded &lt;b&gt;" + "x" * 60 + ". Ended INC-9."


def test_each_ticket_row_shows_its_timers_as_the_api_answers_them(shop: Shop) -> None:
    """Each row of /ui/tickets says its support timers' states now (the latest cycle's
    first-response and resolution timer), as `covenant tickets list` does and as
    ``GET /api/v1/tickets`` answers them."""
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    page = browser.get("/ui/tickets")
    assert page.status_code == 200, page.text
    answer = shop.client.get(f"{V1}/tickets", shop.tokens["viewer"])
    assert answer.status_code == 200, answer.text
    checked = 0
    for ticket in answer.json()["items"]:
        row = re.search(rf"<tr>\s*<td>{re.escape(ticket['id'])}</td>(.*?)</tr>", page.text, re.S)
        if row is None:  # created more than the page's 30 days ago
            continue
        live = [t for t in ticket["timers"] if not t["superseded"]]
        states = {t["kind"]: t["state"] for t in live}  # the latest cycle's last
        if not states:
            assert "timers-now" not in row.group(1), ticket["id"]
            continue
        said = ", ".join(
            f"{label} {states[kind]}"
            for kind, label in (("first-response", "response"), ("resolution", "resolution"))
            if kind in states
        )
        assert f'<div class="muted small timers-now">Timers: {said}</div>' in row.group(1)
        checked += 1
    assert checked  # the demo's Globex tickets have timers
