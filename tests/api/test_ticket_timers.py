"""Live support timers on the ticket routes: elapsed and remaining time of first response and
resolution, in business time on the commitment's calendar, paused in pause states, at risk and
breached. Expected figures are worked out by hand from the shop's agreement (Globex:
enterprise-support P1 30 min / 4 h around the clock, pause state waiting-on-customer;
business-hours-support P3 4 h / 3 d on berlin-support, Mon–Thu 08–18, Fri 08–17 Berlin)."""

from __future__ import annotations

from typing import Any

from tests.api.support import Shop

V1 = "/api/v1"


def timers(shop: Shop, ticket: str, at: str | None = None, role: str = "admin") -> Any:
    params = {} if at is None else {"at": at}
    answer = shop.client.get(f"{V1}/tickets/{ticket}", shop.tokens[role], params=params)
    assert answer.status_code == 200, answer.text
    return {t["kind"]: t for t in answer.json()["timers"]}


def post(shop: Shop, path: str, body: dict[str, Any]) -> Any:
    answer = shop.client.request("POST", f"{V1}{path}", shop.tokens["editor"], json=body)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def test_calendar_time_timers_run_pause_and_breach(shop: Shop) -> None:
    made = post(
        shop,
        "/tickets",
        {"id": "TMR-1", "customer": "globex", "priority": "P1", "created": "2026-11-20T10:00:00Z"},
    )
    assert {t["kind"] for t in made["timers"]} == {"first-response", "resolution"}

    early = timers(shop, "TMR-1", "2026-11-20T10:20:00Z")  # 20 minutes in
    response = early["first-response"]
    assert (response["elapsed_s"], response["remaining_s"], response["target_s"]) == (
        1200,
        600,
        1800,
    )
    assert response["state"] == "at-risk-50"  # 20 of 30 minutes: past half, not yet 3/4
    assert response["at_risk"] is True
    assert response["deadline"] == "2026-11-20T10:30:00Z"
    assert (early["resolution"]["remaining_s"], early["resolution"]["state"]) == (13200, "running")
    assert response["commitment"] == "enterprise-support"
    assert response["calendar"] is None

    late = timers(shop, "TMR-1")  # the shop's clock: 12:00, two hours in
    assert late["first-response"]["state"] == "breached"
    assert late["first-response"]["remaining_s"] == -5400
    assert late["resolution"]["elapsed_s"] == 7200
    assert late["resolution"]["state"] == "at-risk-50"

    # waiting on the customer from 11:00: the clock stops for that hour onwards
    paused = post(shop, "/tickets/TMR-1/pause", {"at": "2026-11-20T11:00:00Z"})
    (resolution,) = [t for t in paused["timers"] if t["kind"] == "resolution"]
    assert (resolution["elapsed_s"], resolution["paused_s"]) == (3600, 3600)
    assert resolution["paused_now"] is True
    assert resolution["remaining_s"] == 10800
    assert resolution["deadline"] == "2026-11-20T15:00:00Z"  # 4 h + the hour paused so far


def test_business_time_timers_skip_closed_hours(shop: Shop) -> None:
    # Friday 13 November 16:00 Berlin (15:00 UTC); business hours until 17:00, then closed to
    # Monday 08:00 (read on the Monday, before the shop's clock: an instant after now would be
    # measured up to now only)
    body = {
        "id": "TMR-2",
        "customer": "globex",
        "priority": "P3",
        "created": "2026-11-13T15:00:00Z",
    }
    post(shop, "/tickets", body)
    monday = timers(shop, "TMR-2", "2026-11-16T09:00:00Z")  # Monday 10:00 Berlin
    response = monday["first-response"]
    assert response["elapsed_s"] == 3 * 3600  # Fri 16–17 and Mon 08–10
    assert response["remaining_s"] == 3600
    assert response["state"] == "at-risk-75"  # 3 of 4 hours
    assert response["deadline"] == "2026-11-16T10:00:00Z"  # Monday 11:00 Berlin
    assert response["calendar"] == "berlin-support"


def test_a_customer_sees_its_own_timers_and_a_ticket_without_targets_has_none(shop: Shop) -> None:
    body = {
        "id": "TMR-4",
        "customer": "globex",
        "priority": "P1",
        "created": "2026-11-20T10:00:00Z",
    }
    post(shop, "/tickets", body)
    assert timers(shop, "TMR-4", role="customer:globex")["first-response"]["state"] == "breached"
    body = {
        "id": "TMR-3",
        "customer": "globex",
        "priority": "P9",
        "created": "2026-11-20T10:00:00Z",
    }
    assert post(shop, "/tickets", body)["timers"] == []
    listed = shop.client.get(f"{V1}/tickets", shop.tokens["viewer"], params={"at": "-1h"}).json()
    mine = {t["id"]: t for t in listed["items"]}
    assert mine["TMR-4"]["timers_at"] == "2026-11-20T11:00:00Z"
    (response,) = [t for t in mine["TMR-4"]["timers"] if t["kind"] == "first-response"]
    assert response["elapsed_s"] == 3600  # listed with its timers too, as of -1h


def ticket(shop: Shop, ticket_id: str, at: str | None = None) -> Any:
    params = {} if at is None else {"at": at}
    answer = shop.client.get(f"{V1}/tickets/{ticket_id}", shop.tokens["admin"], params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_resolving_an_unanswered_ticket_stops_its_first_response(shop: Shop) -> None:
    # enterprise-support P1: first response within 30 min, around the clock
    for id_, resolved in (("TMR-5", "2026-11-20T10:20:00Z"), ("TMR-6", "2026-11-20T10:45:00Z")):
        body = {
            "id": id_,
            "customer": "globex",
            "priority": "P1",
            "created": "2026-11-20T10:00:00Z",
            "resolved": resolved,
        }
        post(shop, "/tickets", body)
    met = timers(shop, "TMR-5")["first-response"]  # resolved in 20 of 30 min: answered in time
    assert (met["state"], met["stopped"], met["elapsed_s"]) == ("met", "2026-11-20T10:20:00Z", 1200)
    assert met["stopped_by"] == "resolution"
    late = timers(shop, "TMR-6")["first-response"]  # 45 min > 30: breached, and stopped
    assert (late["state"], late["stopped"], late["remaining_s"]) == (
        "breached",
        "2026-11-20T10:45:00Z",
        -900,
    )
    # a reopening does not start it again
    reopened = shop.client.request(
        "PATCH",
        f"{V1}/tickets/TMR-5",
        shop.tokens["editor"],
        json={"status": {"at": "2026-11-20T11:00:00Z", "status": "open"}},
    )
    assert reopened.status_code == 200, reopened.text
    again = timers(shop, "TMR-5")["first-response"]
    assert (again["state"], again["stopped"], again["elapsed_s"]) == (
        "met",
        "2026-11-20T10:20:00Z",
        1200,
    )


def test_an_instant_after_now_is_measured_up_to_now(shop: Shop) -> None:
    body = {
        "id": "TMR-7",
        "customer": "globex",
        "priority": "P1",
        "created": "2026-11-20T10:00:00Z",
    }
    post(shop, "/tickets", body)
    # the shop's clock is 12:00: a day later has not happened, no timer runs there
    later = ticket(shop, "TMR-7", "+1d")
    assert later["timers_at"] == "2026-11-21T12:00:00Z"
    assert later["measured_until"] == "2026-11-20T12:00:00Z"
    assert later["not_yet_note"].startswith("2026-11-21T12:00:00Z is after now")
    assert "2026-11-20T12:00:00Z" in later["not_yet_note"]
    resolution = {t["kind"]: t for t in later["timers"]}["resolution"]
    assert (resolution["elapsed_s"], resolution["remaining_s"]) == (7200, 7200)  # 2 of 4 h
    assert resolution["state"] == "at-risk-50"
    # at or before now: measured up to the instant asked, no note
    now = ticket(shop, "TMR-7")
    assert (now["measured_until"], now["not_yet_note"]) == ("2026-11-20T12:00:00Z", None)
    listed = shop.client.get(f"{V1}/tickets", shop.tokens["viewer"], params={"at": "+2h"}).json()
    mine = {t["id"]: t for t in listed["items"]}["TMR-7"]
    assert mine["measured_until"] == "2026-11-20T12:00:00Z"
    assert listed["measured_until"] == "2026-11-20T12:00:00Z"
    assert listed["not_yet_note"] is not None


def test_a_pause_and_resume_recorded_in_the_past_count_from_their_instants(shop: Shop) -> None:
    body = {
        "id": "TMR-8",
        "customer": "globex",
        "priority": "P1",
        "created": "2026-11-20T10:00:00Z",
    }
    post(shop, "/tickets", body)
    post(shop, "/tickets/TMR-8/pause", {"at": "2026-11-20T10:30:00Z"})
    resumed = post(shop, "/tickets/TMR-8/resume", {"at": "2026-11-20T11:00:00Z"})
    (resolution,) = [t for t in resumed["timers"] if t["kind"] == "resolution"]
    # 10:00-12:00 (now) less the half hour paused: 1.5 h of 4 h; the deadline 14:30
    assert (resolution["elapsed_s"], resolution["paused_s"]) == (5400, 1800)
    assert resolution["paused_now"] is False
    assert resolution["deadline"] == "2026-11-20T14:30:00Z"
    assert resumed["measured_until"] == "2026-11-20T12:00:00Z"


def test_a_pause_after_now_is_answered_up_to_now(shop: Shop) -> None:
    body = {
        "id": "TMR-9",
        "customer": "globex",
        "priority": "P1",
        "created": "2026-11-20T10:00:00Z",
    }
    post(shop, "/tickets", body)
    paused = post(shop, "/tickets/TMR-9/pause", {"at": "2026-11-20T13:00:00Z"})
    (resolution,) = [t for t in paused["timers"] if t["kind"] == "resolution"]
    # the pause has not begun: the timers as of now (12:00), 2 of 4 h, not paused
    assert (resolution["elapsed_s"], resolution["paused_s"]) == (7200, 0)
    assert resolution["paused_now"] is False
    assert paused["timers_at"] == "2026-11-20T13:00:00Z"
    assert paused["measured_until"] == "2026-11-20T12:00:00Z"
    assert paused["not_yet_note"].startswith("2026-11-20T13:00:00Z is after now")
    # an instant before now is measured up to it
    earlier = ticket(shop, "TMR-9", "2026-11-20T11:30:00Z")
    assert (earlier["measured_until"], earlier["not_yet_note"]) == ("2026-11-20T11:30:00Z", None)
