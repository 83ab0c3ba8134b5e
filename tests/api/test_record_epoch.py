"""The one-record routes take the instants ticket and incident files take: epoch numbers too.

Before, ``POST /tickets`` (and ``PATCH``, ``pause``, ``resume``, ``POST``/``PATCH
/incidents``) refused a JSON number for an instant (``422``: not a string) and took
``"1795165200"`` for no instant, while the same value in a file was read as epoch seconds. Now
an instant is what a file's is — ISO-8601 with Z or an offset, or an epoch number (a JSON
number or its digits as text) in the unit its digits tell: 10 seconds, 13 milliseconds, 16
microseconds, 19 nanoseconds — besides the route's own ``now`` and ``-7d``; a number of
another length, or an instant outside 1970-01-01 to 2200-01-01, is refused as a file's row is,
in the same words, naming the field (``400 invalid-instant-option``), nothing stored.

The instants expected are worked out by hand: 2026-11-20 is day 20,777 after 1970-01-01
(56 years with 14 leap days: 20,454; then 304 days to 1 November and 19 more), so its
09:00:00Z is 20,777 × 86,400 + 9 × 3,600 = 1,795,165,200 seconds.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.support import Shop

V1 = "/api/v1"
NINE = 1_795_165_200  # 2026-11-20T09:00:00Z (see above)


def send(shop: Shop, method: str, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    answer = shop.client.request(method, f"{V1}{path}", shop.tokens["editor"], json=body)
    return answer.status_code, answer.json()


def test_a_ticket_is_made_and_moved_with_epoch_numbers_of_every_unit(shop: Shop) -> None:
    status, made = send(
        shop,
        "POST",
        "/tickets",
        {
            "id": "EP-1",
            "customer": "globex",
            "priority": "P1",
            "created": NINE,  # seconds, a JSON number
            "first_response": str((NINE + 600) * 1000),  # milliseconds, as text: 09:10
            "history": [
                {"at": NINE * 10**6, "status": "open"},  # microseconds: 09:00
                {"at": (NINE + 1800) * 10**9, "status": "waiting-on-customer"},  # ns: 09:30
            ],
        },
    )
    assert status == 201, made
    assert (made["created"], made["first_response"]) == (
        "2026-11-20T09:00:00Z",
        "2026-11-20T09:10:00Z",
    )
    assert made["history"] == [
        {"at": "2026-11-20T09:00:00Z", "status": "open"},
        {"at": "2026-11-20T09:30:00Z", "status": "waiting-on-customer"},
    ]

    status, resumed = send(shop, "POST", "/tickets/EP-1/resume", {"at": (NINE + 2700) * 1000})
    assert status == 200, resumed
    assert resumed["history"][-1] == {"at": "2026-11-20T09:45:00Z", "status": "open"}

    # a fraction of a second is dropped, as a file's: 1795170600.75 is 10:30:00Z
    status, changed = send(
        shop,
        "PATCH",
        "/tickets/EP-1",
        {"resolved": NINE + 5400.75, "status": {"at": f"{NINE + 5400}", "status": "resolved"}},
    )
    assert status == 200, changed
    assert changed["resolved"] == "2026-11-20T10:30:00Z"
    assert changed["history"][-1] == {"at": "2026-11-20T10:30:00Z", "status": "resolved"}


def test_an_incident_is_opened_and_ended_with_epoch_numbers(shop: Shop) -> None:
    body = {"id": "EP-INC-1", "services": ["checkout"], "start": NINE + 3600}  # 10:00
    status, made = send(shop, "POST", "/incidents", body)
    assert status == 201, made
    assert (made["start"], made["end"]) == ("2026-11-20T10:00:00Z", None)
    status, ended = send(shop, "PATCH", "/incidents/EP-INC-1", {"end": str((NINE + 6300) * 1000)})
    assert status == 200, ended
    assert ended["end"] == "2026-11-20T10:45:00Z"


@pytest.mark.parametrize(
    ("value", "said"),
    [
        # 9 digits: 2001-09-09 as seconds, 1970-01-12 as milliseconds; 12: either is a guess
        (999_999_999, "created 999999999 is an epoch number whose digits tell no unit"),
        ("179516520000", "created '179516520000' is an epoch number whose digits tell no unit"),
        # 10 digits, but 2286-11-20T17:46:39Z: past the records' range, as in a file
        (9_999_999_999, "created 9999999999 lies outside 1970-01-01 to 2200-01-01"),
        ("2250-01-01T00:00:00Z", "created '2250-01-01T00:00:00Z' lies outside 1970-01-01 to "),
    ],
)
def test_a_number_of_no_unit_or_out_of_range_names_the_field(
    shop: Shop, value: object, said: str
) -> None:
    body = {"id": "EP-BAD", "customer": "globex", "priority": "P1", "created": value}
    status, refused = send(shop, "POST", "/tickets", body)
    assert (status, refused["code"]) == (400, "invalid-instant-option"), refused
    assert refused["message"].startswith(said), refused["message"]
    if isinstance(value, int) or value.isdigit():
        assert "milliseconds with 13" in refused["hint"]  # the four lengths, as a file's fix
    else:
        assert refused["hint"] == "check the year"
    assert shop.client.get(f"{V1}/tickets/EP-BAD", shop.tokens["admin"]).status_code == 404


def test_the_field_is_named_in_a_history_a_change_and_an_incident(shop: Shop) -> None:
    ticket = {"id": "EP-2", "customer": "globex", "priority": "P1", "created": NINE}
    history = [{"at": NINE, "status": "open"}, {"at": 123, "status": "resolved"}]
    status, refused = send(shop, "POST", "/tickets", {**ticket, "history": history})
    assert status == 400, refused
    assert refused["message"].startswith("history[1].at 123 is an epoch number whose digits")
    assert send(shop, "POST", "/tickets", ticket)[0] == 201
    status, refused = send(shop, "PATCH", "/tickets/EP-2", {"status": {"at": 1e11, "status": "x"}})
    assert status == 400, refused
    assert refused["message"].startswith("status.at 100000000000.0 is an epoch number whose")
    status, refused = send(shop, "POST", "/tickets/EP-2/pause", {"at": 17951652})
    assert refused["message"].startswith("at 17951652 is an epoch number whose digits tell")
    body = {"id": "EP-INC-2", "services": ["checkout"], "start": NINE, "end": 99}
    status, refused = send(shop, "POST", "/incidents", body)
    assert refused["message"].startswith("end 99 is an epoch number whose digits tell no unit")


def test_a_boolean_is_no_instant(shop: Shop) -> None:
    body = {"id": "EP-3", "customer": "globex", "priority": "P1", "created": True}
    status, refused = send(shop, "POST", "/tickets", body)
    assert (status, refused["code"]) == (422, "invalid-input"), refused
    assert "created" in refused["message"]
