"""A customer token sees its own agreements, statements, tickets, incidents and credits, and
nothing else: no SLO, SLI, target margin, internal name or other customer, in any answer; and
another customer's object answers exactly as one that does not exist."""

from __future__ import annotations

import pytest

from covenant.services.workspace import definitions_of, load_workspace
from tests.api.support import CUSTOMERS, Shop
from tests.api.test_authorization import EXPECTED, V1, request_for

OTHER = {"globex": "initech", "initech": "globex"}
# what one customer must never read about the other (names, display names, people, records)
ABOUT = {
    "globex": ["globex", "Globex", "Hank Scorpio", "GLX-", "INC-0977", "berlin-support"],
    "initech": ["initech", "Initech", "Lumbergh", "INI-", "INC-1021"],
}
INTERNAL_WORDS = ["backing", "backedBy", "required-margin", "series", "approvals", "Legal"]


def internal_names(shop: Shop) -> list[str]:
    """The workspace's SLO and SLI names and its Prometheus source: staff-only."""
    workspace = load_workspace(shop.workspace)
    names = [
        d.name for kind in ("SLO", "SLI", "DataSource") for d in definitions_of(workspace, kind)
    ]
    assert "checkout-monthly" in names  # the scan looks for real names
    return names


def customer_routes() -> list[tuple[str, str]]:
    return [key for key, rule in EXPECTED.items() if rule in {"everyone", "scoped"}]


@pytest.mark.parametrize("customer", CUSTOMERS)
def test_nothing_internal_or_of_another_customer_in_any_answer(shop: Shop, customer: str) -> None:
    token = shop.tokens[f"customer:{customer}"]
    forbidden = internal_names(shop) + INTERNAL_WORDS + ABOUT[OTHER[customer]]
    bodies = []
    for method, path in customer_routes():
        url, kw = request_for(shop, method, path, customer)
        answer = shop.client.request(method, url, token, **kw)
        assert answer.status_code == 200, (url, answer.text)
        bodies.append((url, answer.text))
    extra = [
        f"{V1}/customers/{customer}/statements/2026-11?format=html",
        f"{V1}/customers/{customer}/statements/2026-11",
        f"{V1}/tickets?customer={OTHER[customer]}",
        f"{V1}/incidents?start=2026-01-01T00:00:00Z",
    ]
    for url in extra:
        answer = shop.client.get(url, token)
        assert answer.status_code == 200, (url, answer.text)
        bodies.append((url, answer.text))
    for url, text in bodies:
        for word in forbidden:
            assert word not in text, f"{word!r} leaks through {url}"


@pytest.mark.parametrize("customer", CUSTOMERS)
def test_another_customers_object_answers_as_a_missing_one(shop: Shop, customer: str) -> None:
    token = shop.tokens[f"customer:{customer}"]
    other = OTHER[customer]
    for method, path in customer_routes():
        if EXPECTED[(method, path)] != "scoped":
            continue
        url, kw = request_for(shop, method, path, other)
        theirs = shop.client.request(method, url, token, **kw)
        own_url, _ = request_for(shop, method, path, customer)
        theirs_parts, own_parts = url.split("/"), own_url.split("/")
        ids = {
            t: f"zz-none-{i}"
            for i, (t, o) in enumerate(zip(theirs_parts, own_parts, strict=True))
            if t != o
        }
        missing_url = "/".join(ids.get(part, part) for part in theirs_parts)
        missing = shop.client.request(method, missing_url, token, **kw)
        assert theirs.status_code == missing.status_code == 404, (url, missing_url)
        text = theirs.text
        for value, placeholder in ids.items():
            text = text.replace(value, placeholder)
        assert text == missing.text, (url, theirs.text, missing.text)


@pytest.mark.parametrize("customer", CUSTOMERS)
def test_no_refusal_tells_a_customer_anything_internal(shop: Shop, customer: str) -> None:
    """Every route of the document, about either customer's objects, with a customer token:
    its answer (a refusal on the staff routes, 404 for the other customer's objects) names no
    internal name or other customer the request did not itself carry."""
    token = shop.tokens[f"customer:{customer}"]
    forbidden = internal_names(shop) + INTERNAL_WORDS + ABOUT[OTHER[customer]]
    for method, path in EXPECTED:
        for owner in CUSTOMERS:
            url, kw = request_for(shop, method, path, owner)
            answer = shop.client.request(method, url, token, **kw)
            sent = f"{url} {kw.get('json', '')} {kw.get('params', '')} {kw.get('content', '')}"
            for word in forbidden:
                if word not in sent:
                    assert word not in answer.text, f"{word!r} leaks through {method} {url}"
