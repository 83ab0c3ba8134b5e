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
    # Friday 16:00 Berlin (15:00 UTC); business hours until 17:00, then closed to Monday 08:00
    body = {
        "id": "TMR-2",
        "customer": "globex",
        "priority": "P3",
        "created": "2026-11-20T15:00:00Z",
    }
    post(shop, "/tickets", body)
    monday = timers(shop, "TMR-2", "2026-11-23T09:00:00Z")  # Monday 10:00 Berlin
    response = monday["first-response"]
    assert response["elapsed_s"] == 3 * 3600  # Fri 16–17 and Mon 08–10
    assert response["remaining_s"] == 3600
    assert response["state"] == "at-risk-75"  # 3 of 4 hours
    assert response["deadline"] == "2026-11-23T10:00:00Z"  # Monday 11:00 Berlin
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
