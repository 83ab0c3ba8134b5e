"""An amendment with ``terms``: the whole new version, so any term a contract says can change —
a support target, a claim deadline, commitments added and removed. The terms sent are version
n's recorded definition (read from the agreement's history, as a client would) with one edit;
the draft read back must equal version n with exactly that edit (targets in seconds, levels as
ratios, worked out here from what was typed). A refused one names the request's field and
writes nothing; ``terms`` and the piecewise changes are one or the other."""

from __future__ import annotations

import copy
import html
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from tests.api.support import Shop, make_shop
from tests.web.pages import Browser

V1 = "/api/v1"
NAME = "globex-enterprise"
BASE = f"{V1}/agreements/{NAME}"
DROPPED = ("version", "signatories", "effectiveFrom", "reason")  # the amendment's own or none


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    return make_shop(tmp_path_factory.mktemp("amendment-whole-terms"))


def versions(shop: Shop) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = shop.client.get(f"{BASE}/versions", shop.tokens["viewer"]).json()[
        "items"
    ]
    return found


def recorded_terms(shop: Shop, number: int) -> dict[str, Any]:
    """Version ``number``'s definition as the history recorded it, without what an
    amendment sets itself."""
    history = shop.client.get(f"{BASE}/history", shop.tokens["admin"]).json()["events"]
    spec = [
        e["details"]["spec"] for e in history if e["version"] == number and e["details"].get("spec")
    ][-1]
    return {k: copy.deepcopy(v) for k, v in spec.items() if k not in DROPPED}


def amend(shop: Shop, number: int, body: dict[str, Any], role: str = "editor") -> Any:
    full = {"effectiveFrom": "2027-01-01", "reason": "all terms over the API", **body}
    return shop.client.request(
        "POST", f"{BASE}/versions/{number}/amend", shop.tokens[role], json=full
    )


def amended(shop: Shop, edit: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Version 1 and the draft amending it with its recorded terms changed by ``edit``, both
    as read back without what differs between any two versions."""
    before = shop.client.get(f"{BASE}/versions/1", shop.tokens["viewer"]).json()
    terms = recorded_terms(shop, 1)
    edit(terms)
    answer = amend(shop, 1, {"terms": terms})
    assert answer.status_code == 201, answer.text
    number = answer.json()["version"]["version"]
    assert number == versions(shop)[-1]["version"]
    after = shop.client.get(f"{BASE}/versions/{number}", shop.tokens["viewer"]).json()
    assert (after["status"], after["reason"]) == ("draft", "all terms over the API")
    assert after["effective_from"].startswith("2026-12-31T23:00")  # 2027-01-01 in Berlin
    for version in (before, after):
        for key in ("version", "status", "reason", "effective_from", "signatories"):
            version.pop(key)
    return before, after


def commitment(version: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [c for c in [*version["availability"], *version["support"]] if c["name"] == name]
    return found


def test_the_terms_unchanged_draft_the_same_version(shop: Shop) -> None:
    before, after = amended(shop, lambda terms: None)
    assert after == before


def test_a_support_target_changes(shop: Shop) -> None:
    def faster(terms: dict[str, Any]) -> None:
        (support,) = [s for s in terms["support"] if s["name"] == "enterprise-support"]
        support["targets"]["P1"] = {"firstResponse": "15m", "resolution": "3h"}

    before, after = amended(shop, faster)
    expected = copy.deepcopy(before)
    targets = commitment(expected, "enterprise-support")["targets"]
    (p1,) = [t for t in targets if t["priority"] == "P1"]
    p1.update(first_response_s=15 * 60, resolution_s=3 * 3600)
    assert after == expected


def test_the_claim_deadline_changes(shop: Shop) -> None:
    def later(terms: dict[str, Any]) -> None:
        terms["availability"][0]["claimDeadline"] = {"periodsAfter": 3}

    before, after = amended(shop, later)
    expected = copy.deepcopy(before)
    claim = commitment(expected, "checkout-uptime")["remedies"]["claim"]
    assert claim["count"] == 2  # examples/shop/contracts.yaml: periodsAfter: 2
    claim["count"] = 3
    assert after == expected


def test_a_commitment_is_added_and_one_removed(shop: Shop) -> None:
    added = {
        "name": "storefront-uptime",
        "services": ["storefront"],
        "level": 99.95,  # JSON numbers: read exactly (no float's 99.9500000000000028…)
        "measurement": {"source": "incidents"},
        "credits": [{"below": 99.95, "credit": 10}],
    }

    def changed(terms: dict[str, Any]) -> None:
        terms["availability"].append(added)
        terms["support"] = [s for s in terms["support"] if s["name"] != "business-hours-support"]

    before, after = amended(shop, changed)
    assert [c["name"] for c in after["availability"]] == ["checkout-uptime", "storefront-uptime"]
    assert [s["name"] for s in after["support"]] == ["enterprise-support"]
    new = commitment(after, "storefront-uptime")
    assert new["services"] == ["storefront"]
    assert new["level"] == str(Fraction(Decimal("99.95")) / 100) == "1999/2000"
    assert [(t["below"], t["credit"]) for t in new["remedies"]["tiers"]] == [("1999/2000", "10")]
    # everything else is version 1's
    kept = copy.deepcopy(before)
    kept["support"] = [s for s in kept["support"] if s["name"] != "business-hours-support"]
    after["availability"] = [c for c in after["availability"] if c["name"] != "storefront-uptime"]
    assert after == kept


def test_the_amendment_is_audited_and_its_changes_listed_against_version_1(shop: Shop) -> None:
    def slower(terms: dict[str, Any]) -> None:
        (support,) = [s for s in terms["support"] if s["name"] == "enterprise-support"]
        support["targets"]["P2"]["firstResponse"] = "3h"

    amended(shop, slower)
    number = versions(shop)[-1]["version"]
    query = {"kind": "agreement", "entity": NAME, "action": "created", "limit": 1000}
    rows = shop.client.get(f"{V1}/audit", shop.tokens["admin"], params=query).json()["items"]
    last = rows[-1]
    assert last["actor"].startswith("token:")
    assert last["reason"] == "all terms over the API"
    assert (last["after"]["version"], last["after"]["status"]) == (number, "draft")

    browser = Browser(shop.client.app)
    browser.sign_in_token(shop.tokens["editor"])
    page = html.unescape(browser.get(f"/ui/agreements/{NAME}").text)
    article = page[page.index(f'id="v{number}"') :]
    article = article[: article.index("</article>")]
    assert f"Changes against version {number - 1}" in article
    # P2 is the second target of enterprise-support: 2h → 3h, in seconds
    assert (
        f"support.enterprise-support.targets[1].first_response_s</code>: {2 * 3600} → {3 * 3600}"
        in article
    )


def test_refused_terms_name_the_field_and_write_nothing(shop: Shop) -> None:
    count = len(versions(shop))
    terms = recorded_terms(shop, 1)

    bad = copy.deepcopy(terms)
    (support,) = [s for s in bad["support"] if s["name"] == "enterprise-support"]
    support["targets"]["P1"]["firstResponse"] = "soon"
    answer = amend(shop, 1, {"terms": bad})
    assert answer.status_code == 422, answer.text
    found = answer.json()
    assert found["code"] == "invalid-definition"
    index = bad["support"].index(support)
    assert [(p["code"], p["field"]) for p in found["problems"]] == [
        ("invalid-duration", f"terms.support[{index}].targets.P1.firstResponse")
    ]

    misspelt = copy.deepcopy(terms)
    misspelt["availability"][0]["claimDeadlin"] = misspelt["availability"][0].pop("claimDeadline")
    answer = amend(shop, 1, {"terms": misspelt})
    assert answer.status_code == 422, answer.text
    (problem,) = answer.json()["problems"]
    assert (problem["code"], problem["field"]) == (
        "unknown-field",
        "terms.availability[0].claimDeadlin",
    )
    assert "claimDeadline" in problem["fix"]

    refused = [  # (the body's change, what the message names)
        ({"terms": terms, "fees": {"checkout": "9000.00"}}, ("terms", "fees")),
        ({"terms": terms, "levels": {}}, ("terms", "levels")),
        ({"terms": {**terms, "status": "signed"}}, ("terms.status",)),
        ({"terms": {**terms, "signatories": [{"name": "X"}]}}, ("terms.signatories",)),
        ({"terms": {**terms, "version": 1}}, ("terms.version",)),
        ({"terms": {**terms, "effectiveFrom": "2027-02-01"}}, ("terms.effectiveFrom",)),
        ({"terms": {}}, ("terms",)),
    ]
    for body, named in refused:
        answer = amend(shop, 1, body)
        assert answer.status_code == 400, answer.text
        assert answer.json()["code"] == "invalid-input"
        for name in named:
            assert name in answer.json()["message"], (body.keys(), answer.text)
    # the amendment's own start, repeated in its terms, is no conflict
    same = amend(shop, 1, {"terms": {**terms, "effectiveFrom": "2027-01-01"}})
    assert same.status_code == 201, same.text
    count += 1

    for role in ("viewer", "customer:globex"):
        answer = amend(shop, 1, {"terms": terms}, role=role)
        assert answer.status_code == 403, (role, answer.text)
    assert len(versions(shop)) == count
    # version 1 is signed and stays as it was
    assert recorded_terms(shop, 1) == terms
