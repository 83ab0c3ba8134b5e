"""``GET /agreements/{name}/versions/{n}/terms``: version n's terms in the shape an amendment's
``terms`` takes them. The expected terms are written here from examples/shop/contracts.yaml
(globex-enterprise v1) by hand; sent back unchanged they draft version n's terms, and with one
target changed exactly that change (in seconds, worked out here). Staff only: a customer is
refused as on the agreement's history, before anything is looked up."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.api.support import Shop, make_shop

V1 = "/api/v1"
NAME = "globex-enterprise"
BASE = f"{V1}/agreements/{NAME}"
DIFFERS = ("version", "status", "reason", "effective_from", "signatories")  # between versions


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    return make_shop(tmp_path_factory.mktemp("version-terms"))


def terms(shop: Shop, number: int, role: str = "viewer") -> dict[str, Any]:
    answer = shop.client.get(f"{BASE}/versions/{number}/terms", shop.tokens[role])
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def version(shop: Shop, number: int) -> dict[str, Any]:
    """Version ``number`` as the API reads it, without what differs between any two."""
    found: dict[str, Any] = shop.client.get(
        f"{BASE}/versions/{number}", shop.tokens["viewer"]
    ).json()
    for key in DIFFERS:
        found.pop(key)
    return found


def amend(shop: Shop, number: int, sent: dict[str, Any], day: str) -> int:
    body = {"effectiveFrom": day, "reason": "edited from GET .../terms", "terms": sent}
    answer = shop.client.request(
        "POST", f"{BASE}/versions/{number}/amend", shop.tokens["editor"], json=body
    )
    assert answer.status_code == 201, answer.text
    made: int = answer.json()["version"]["version"]
    return made


def test_the_terms_are_the_contracts_without_what_an_amendment_gives(shop: Shop) -> None:
    found = terms(shop, 1)
    # contracts.yaml's v1 says effectiveFrom, fees, period, signatories, approvals,
    # availability, support; effectiveFrom and signatories are the amendment's (or none)
    assert sorted(found) == ["approvals", "availability", "fees", "period", "support"]
    assert found["fees"] == {"checkout": "8000.00", "storefront": "4000.00"}
    assert found["period"] == {"unit": "month", "timeZone": "Europe/Berlin"}
    assert found["approvals"] == [{"name": "Legal", "role": "counsel"}]
    (uptime,) = found["availability"]
    assert uptime["level"] == "99.95"  # decimal text, as every answer gives money and percent
    assert uptime["credits"] == [
        {"below": "99.95", "atLeast": "99.9", "credit": 10},  # an integer stays one
        {"below": "99.9", "atLeast": "99.0", "credit": 25},
        {"below": "99.0", "credit": 50},
    ]
    assert (uptime["cap"], uptime["minimumCredit"]) == ({"percent": 50}, "50.00")
    assert uptime["claimDeadline"] == {"periodsAfter": 2}
    assert uptime["measurement"] == {
        "source": "bad-intervals",
        "slo": "checkout-monthly",
        "interval": "5m",
        "errorRateAtLeast": 5,
    }
    enterprise, business = found["support"]
    assert enterprise["targets"] == {
        "P1": {"firstResponse": "30m", "resolution": "4h"},
        "P2": {"firstResponse": "2h", "resolution": "1d"},
    }
    assert (enterprise["attainment"], enterprise["penalty"]) == (95, {"percent": 5})
    assert (business["calendar"], business["penalty"]) == ("berlin-support", {"amount": "250.00"})
    # the same as the history's record of v1, less what the amendment gives itself
    history = shop.client.get(f"{BASE}/history", shop.tokens["admin"]).json()["events"]
    spec = [e["details"]["spec"] for e in history if e["version"] == 1 and e["details"].get("spec")]
    dropped = ("version", "signatories", "effectiveFrom", "reason")
    assert found == {k: v for k, v in spec[-1].items() if k not in dropped}
    for role in ("admin", "editor"):
        assert terms(shop, 1, role) == found


def test_sent_back_unchanged_they_draft_version_ns_terms(shop: Shop) -> None:
    sent = terms(shop, 1)
    made = amend(shop, 1, sent, "2027-01-01")
    assert version(shop, made) == version(shop, 1)
    assert terms(shop, made) == sent
    # and the draft's own terms, sent back, draft the same again
    again = amend(shop, made, terms(shop, made), "2027-02-01")
    assert version(shop, again) == version(shop, 1)


def test_one_target_changed_drafts_exactly_that_change(shop: Shop) -> None:
    sent = terms(shop, 1)
    changed = copy.deepcopy(sent)
    changed["support"][0]["targets"]["P1"]["firstResponse"] = "15m"
    made = amend(shop, 1, changed, "2027-03-01")
    assert terms(shop, made) == changed
    expected = version(shop, 1)
    (enterprise,) = [s for s in expected["support"] if s["name"] == "enterprise-support"]
    (p1,) = [t for t in enterprise["targets"] if t["priority"] == "P1"]
    assert p1["first_response_s"] == 30 * 60  # contracts.yaml: 30m
    p1["first_response_s"] = 15 * 60
    assert version(shop, made) == expected


def test_an_unknown_agreement_or_version_is_not_found(shop: Shop) -> None:
    for path in (f"{BASE}/versions/99/terms", f"{V1}/agreements/no-such/versions/1/terms"):
        answer = shop.client.get(path, shop.tokens["viewer"])
        assert (answer.status_code, answer.json()["code"]) == (404, "not-found"), answer.text
    answer = shop.client.get(f"{BASE}/versions/0/terms", shop.tokens["viewer"])
    assert answer.status_code == 422  # the path's number starts at 1


@pytest.mark.parametrize("customer", ["globex", "initech"])
def test_a_customer_is_refused_and_told_nothing(shop: Shop, customer: str) -> None:
    """Its own agreement, another's, and none at all: the same refusal, naming none."""
    token = shop.tokens[f"customer:{customer}"]
    bodies = []
    for path in (
        f"{BASE}/versions/1/terms",
        f"{V1}/agreements/initech-standard/versions/1/terms",
        f"{V1}/agreements/no-such/versions/1/terms",
        f"{BASE}/versions/99/terms",
    ):
        answer = shop.client.get(path, token)
        assert answer.status_code == 403, answer.text
        bodies.append(answer.json())
    assert bodies[0]["code"] == "forbidden"
    assert all(b == bodies[0] for b in bodies)
    for word in ("globex-enterprise", "initech-standard", "8000.00", "99.95"):
        assert word not in str(bodies[0])
    history = shop.client.get(f"{BASE}/history", token)  # refused exactly as the history is
    assert (history.status_code, history.json()) == (403, bodies[0])


def test_the_openapi_example_is_what_amend_takes(shop: Shop) -> None:
    document = shop.client.get(f"{V1}/openapi.json").json()
    operation = document["paths"][f"{V1}/agreements/{{name}}/versions/{{version}}/terms"]["get"]
    example = operation["responses"]["200"]["content"]["application/json"]["example"]
    assert example["fees"] == {"checkout": "8000.00", "storefront": "4000.00"}  # decimal text
    assert not set(example) & {"version", "status", "signatories", "effectiveFrom", "reason"}
    made = amend(shop, 1, example, "2027-04-01")
    assert terms(shop, made) == example


def test_a_number_given_with_an_exponent_comes_back_in_plain_notation(shop: Shop) -> None:
    """A JSON ``8e3`` is 8000 exactly; it is recorded and answered as ``8000`` (not ``8E+3``,
    which money fields refuse), so GET → amend round-trips it."""
    sent = terms(shop, 1)
    sent["fees"] = {**sent["fees"], "checkout": "@"}
    body = {"effectiveFrom": "2027-03-01", "reason": "an exponent", "terms": sent}
    text = json.dumps(body).replace('"@"', "8e3")  # the JSON number as a client wrote it
    answer = shop.client.request(
        "POST",
        f"{BASE}/versions/1/amend",
        shop.tokens["editor"],
        content=text,
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 201, answer.text
    found = terms(shop, answer.json()["version"]["version"])
    assert found["fees"]["checkout"] == "8000"
    again = amend(shop, answer.json()["version"]["version"], found, "2027-04-01")
    assert terms(shop, again) == found
