"""The authorization matrix: every route of the OpenAPI document × every role × two customers.

The expected rule of each route is written here, by hand, independently of the code; the test
fails when the document has a route this table does not name (a new route cannot be forgotten)
or names one that is gone.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import pytest

from tests.api.support import CUSTOMERS, ROLES, Shop
from tests.conftest import ROOT

STAFF = frozenset({"admin", "editor", "viewer"})
V1 = "/api/v1"

# rule: who gets a 2xx. "staff": admin, editor, viewer; "admin": admin only; "everyone": every
# token (a customer's answer filtered to its own); "scoped": every token, but a customer token
# only for its own object (another customer's: 404, as for one that does not exist);
# "writers": admin and editor.
EXPECTED: dict[tuple[str, str], str] = {
    ("GET", "/me"): "everyone",
    ("GET", "/tokens"): "admin",
    ("POST", "/tokens"): "admin",
    ("DELETE", "/tokens/{token_id}"): "admin",
    ("GET", "/services"): "staff",
    ("GET", "/services/{name}"): "staff",
    ("GET", "/slis"): "staff",
    ("GET", "/slis/{name}"): "staff",
    ("GET", "/slos"): "staff",
    ("GET", "/slos/{name}"): "staff",
    ("GET", "/slos/{name}/history"): "staff",
    ("GET", "/slos/{name}/alerts"): "staff",
    ("GET", "/audit"): "admin",
    ("GET", "/audit/verify"): "admin",
    ("GET", "/calendars"): "staff",
    ("GET", "/calendars/{name}"): "staff",
    ("GET", "/maintenance-windows"): "staff",
    ("GET", "/maintenance-windows/{name}"): "staff",
    ("GET", "/composites"): "staff",
    ("GET", "/corrections"): "staff",
    ("GET", "/customers"): "everyone",
    ("GET", "/customers/{name}"): "scoped",
    ("GET", "/evaluations"): "staff",
    ("GET", "/evaluations/{slo}"): "staff",
    ("GET", "/lint"): "staff",
    ("GET", "/exposure"): "staff",
    ("POST", "/backtests/agreement"): "staff",
    ("GET", "/backtests/alerts/{slo}"): "staff",
    ("GET", "/suggestions/slo/{slo}"): "staff",
    ("GET", "/suggestions/backing/{agreement}"): "staff",
    ("GET", "/agreements"): "everyone",
    ("GET", "/agreements/{name}"): "scoped",
    ("GET", "/agreements/{name}/versions"): "scoped",
    ("GET", "/agreements/{name}/versions/{version}"): "scoped",
    ("GET", "/agreements/{name}/history"): "staff",
    ("GET", "/agreements/{name}/alerts"): "staff",
    ("GET", "/agreements/{name}/versions/{version}/terms"): "staff",
    ("GET", "/customers/{customer}/statements/{period}"): "scoped",
    ("GET", "/customers/{customer}/credits"): "scoped",
    ("POST", "/customers/{customer}/statements/{period}/issue"): "admin",
    ("GET", "/customers/{customer}/statements/{period}/revisions"): "scoped",
    ("GET", "/tickets"): "everyone",
    ("GET", "/tickets/{ticket_id}"): "scoped",
    ("GET", "/incidents"): "everyone",
    ("GET", "/incidents/{incident_id}"): "scoped",
    ("POST", "/tickets"): "writers",
    ("PATCH", "/tickets/{ticket_id}"): "writers",
    ("POST", "/tickets/{ticket_id}/pause"): "writers",
    ("POST", "/tickets/{ticket_id}/resume"): "writers",
    ("POST", "/incidents"): "writers",
    ("PATCH", "/incidents/{incident_id}"): "writers",
    ("PUT", "/event-batches/{key}"): "writers",
    ("POST", "/agreements"): "writers",
    ("PATCH", "/agreements/{name}"): "writers",
    ("POST", "/agreements/{name}/versions"): "writers",
    ("PUT", "/agreements/{name}/versions/{version}"): "writers",
    ("POST", "/agreements/{name}/versions/{version}/propose"): "writers",
    ("POST", "/agreements/{name}/versions/{version}/amend"): "writers",
    ("POST", "/agreements/{name}/versions/{version}/sign"): "writers",
    ("POST", "/agreements/{name}/versions/{version}/terminate"): "writers",
    ("POST", "/agreements/{name}/versions/{version}/status"): "writers",
    ("GET", "/metrics"): "staff",
    ("GET", "/data-sources"): "staff",
    ("GET", "/data-sources/{name}"): "staff",
    ("GET", "/worker"): "staff",
    ("GET", "/series-aside"): "staff",
    ("POST", "/series-aside/prune"): "admin",
    ("GET", "/rules/prometheus"): "staff",
    ("GET", "/rules/prometheus/plan"): "staff",
    ("GET", "/rules/prometheus/tests"): "staff",
    ("GET", "/dashboards/grafana"): "staff",
    ("GET", "/dashboards/grafana/{file}"): "staff",
    ("POST", "/imports/{tool}"): "staff",
    ("POST", "/imports/{tool}/write"): "writers",
    ("GET", "/alerts/outbox"): "admin",
    ("POST", "/alerts/outbox/retry"): "admin",
    ("POST", "/alerts/outbox/prune"): "admin",
    ("POST", "/corrections"): "writers",
    ("PUT", "/corrections/{name}"): "writers",
    ("DELETE", "/corrections/{name}"): "writers",
    ("POST", "/maintenance-windows"): "writers",
    ("PUT", "/maintenance-windows/{name}"): "writers",
    ("DELETE", "/maintenance-windows/{name}"): "writers",
    ("POST", "/maintenance-windows/{name}/end"): "writers",
    ("GET", "/errors"): "staff",
    ("GET", "/errors/{code}"): "staff",
    ("GET", "/export/openslo"): "staff",
    ("GET", "/validation"): "staff",
    ("GET", "/users"): "admin",
    ("POST", "/users"): "admin",
    ("POST", "/users/{name}/disable"): "admin",
    ("GET", "/db"): "admin",
    ("POST", "/ingest/prometheus"): "writers",
    ("POST", "/ingest/tickets"): "writers",
    ("POST", "/ingest/incidents"): "writers",
}
CREATED = {("POST", "/tokens"), ("POST", "/tickets"), ("POST", "/incidents")}
CREATED.add(("PUT", "/event-batches/{key}"))  # a new key each time
CREATED.add(("POST", "/agreements/{name}/versions/{version}/amend"))
CREATED |= {("POST", "/agreements"), ("POST", "/agreements/{name}/versions")}
CREATED |= {("POST", "/corrections"), ("POST", "/maintenance-windows")}
CREATED.add(("POST", "/users"))
CREATED.add(("POST", "/customers/{customer}/statements/{period}/issue"))
CREATED |= {("POST", "/ingest/tickets"), ("POST", "/ingest/incidents")}  # a new file each time
CREATED.add(("POST", "/imports/{tool}/write"))  # the file written (again: replaced, force)

# A route whose request, once let through, is refused for what it asks (nothing the tests can
# reach: the shop's Prometheus is not there): the answer a role let through gets instead of a
# 2xx, the others still 403.
PAST_THE_DOOR = {("POST", "/ingest/prometheus"): (400, "invalid-input")}

AGREEMENT = {"globex": "globex-enterprise", "initech": "initech-standard"}
INCIDENT = {"globex": "INC-0977", "initech": "INC-1021"}  # on checkout only; for initech only
PROPOSAL = "proposals/initech-premium.yaml"
KINDS = ("corrections", "maintenance-windows")


def operations(shop: Shop) -> set[tuple[str, str]]:
    document = shop.client.get(f"{V1}/openapi.json").json()
    found = set()
    for path, methods in document["paths"].items():
        assert path.startswith(V1), path
        for method in methods:
            found.add((method.upper(), path.removeprefix(V1)))
    return found


def test_the_table_names_every_route_of_the_openapi_document(shop: Shop) -> None:
    assert operations(shop) == set(EXPECTED)


@cache
def _first_ticket(shop: Shop, customer: str) -> str:
    found = shop.client.get(f"{V1}/tickets", shop.tokens["admin"], params={"customer": customer})
    return str(found.json()["items"][0]["id"])


_serial = itertools.count(1)
AT_TEXT = "2026-11-20T10:00:00Z"


def _fresh_ticket(shop: Shop, owner: str, *, paused: bool) -> str:
    """A new open ticket of ``owner`` (paused, for a resume), made with the admin token."""
    admin = shop.tokens["admin"]
    ticket_id = f"T-{next(_serial)}"
    body = {"id": ticket_id, "customer": owner, "priority": "P2", "created": AT_TEXT}
    assert shop.client.request("POST", f"{V1}/tickets", admin, json=body).status_code == 201
    if paused:
        pause = {"at": "2026-11-20T10:30:00Z", "status": "waiting-on-customer"}
        url = f"{V1}/tickets/{ticket_id}/pause"
        assert shop.client.request("POST", url, admin, json=pause).status_code == 200
    return ticket_id


def _fresh_incident(shop: Shop) -> str:
    incident_id = f"INC-F{next(_serial)}"
    body = {"id": incident_id, "services": ["checkout"], "start": AT_TEXT}
    answer = shop.client.request("POST", f"{V1}/incidents", shop.tokens["admin"], json=body)
    assert answer.status_code == 201, answer.text
    return incident_id


def _draft_terms(shop: Shop, agreement: str) -> dict[str, Any]:
    """Complete terms for a new draft: v1's definition as the store recorded it, amended."""
    history = shop.client.get(f"{V1}/agreements/{agreement}/history", shop.tokens["admin"])
    created = next(e for e in history.json()["events"] if e["event"] == "created")
    terms = {k: v for k, v in created["details"]["spec"].items() if k != "version"}
    terms.pop("signatories", None)
    return {**terms, "effectiveFrom": f"{2030 + next(_serial)}-01-01", "reason": "matrix"}


def _fresh_agreement(shop: Shop, owner: str) -> str:
    """A new agreement made over the API (its presentation is the API's to change)."""
    terms = _draft_terms(shop, AGREEMENT[owner])
    del terms["reason"]
    name = f"matrix-{next(_serial)}"
    body = {"name": name, "customer": owner, "version": terms}
    made = shop.client.request("POST", f"{V1}/agreements", shop.tokens["admin"], json=body)
    assert made.status_code == 201, made.text
    return name


def _fresh_draft(shop: Shop, agreement: str, *, proposed: bool) -> str:
    """A new draft (or proposed) version of ``agreement``, made with the admin token."""
    admin = shop.tokens["admin"]
    url = f"{V1}/agreements/{agreement}/versions"
    made = shop.client.request("POST", url, admin, json=_draft_terms(shop, agreement))
    assert made.status_code == 201, made.text
    number = made.json()["version"]["version"]
    if proposed:
        answer = shop.client.request("POST", f"{url}/{number}/propose", admin)
        assert answer.status_code == 200, answer.text
    return str(number)


def _correction_spec() -> dict[str, Any]:
    return {
        "slos": ["checkout-monthly"],
        "start": "2026-11-02T10:00:00Z",
        "duration": "30m",
        "reason": f"matrix {next(_serial)}",
    }


def _window_spec(day: int) -> dict[str, Any]:
    """A window on checkout on its own day of 2027 (windows on one service never overlap)."""
    start = datetime(2027, 1, 1, 2, tzinfo=UTC) + timedelta(days=day)
    return {
        "services": ["checkout"],
        "start": start.isoformat(),
        "end": (start + timedelta(hours=1)).isoformat(),
    }


def _fresh_definition(shop: Shop, path: str, *, ongoing: bool = False) -> str:
    """A new correction or maintenance window made with the admin token (a window in progress
    at the shop's instant is written into the workspace: the API plans windows ahead only)."""
    name = f"matrix-{next(_serial)}"
    if ongoing:
        (shop.workspace / f"{name}.yaml").write_text(
            "apiVersion: covenant/v1\nkind: MaintenanceWindow\n"
            f"metadata: {{name: {name}}}\nspec:\n  services: [search]\n"
            f"  start: 2026-11-20T11:{next(_serial) % 60:02d}:00Z\n"
            "  end: 2026-11-20T13:00:00Z\n  announcedAt: 2026-11-01T00:00:00Z\n"
        )
        return name
    spec = _correction_spec() if path == "corrections" else _window_spec(next(_serial))
    made = shop.client.request(
        "POST", f"{V1}/{path}", shop.tokens["admin"], json={"name": name, "spec": spec}
    )
    assert made.status_code == 201, made.text
    return name


PASSWORD = "a long enough pass phrase"


def _fresh_user(shop: Shop) -> str:
    name = f"matrix-{next(_serial)}"
    body = {"name": name, "role": "viewer", "password": PASSWORD}
    made = shop.client.request("POST", f"{V1}/users", shop.tokens["admin"], json=body)
    assert made.status_code == 201, made.text
    return name


def request_for(shop: Shop, method: str, path: str, owner: str) -> tuple[str, dict[str, Any]]:
    """The request for ``path`` about ``owner``'s objects where the route has any."""
    head = path.split("/")[1]
    names = {
        "customers": owner,
        "agreements": AGREEMENT[owner],
        "services": "checkout",
        "slis": "checkout-availability",
        "slos": "checkout-monthly",
        "calendars": "berlin-support",
        "maintenance-windows": "checkout-db-upgrade",
        "data-sources": "prometheus",
    }
    values = {
        "name": names.get(head, ""),
        "customer": owner,
        "period": "2026-10",
        "version": "1",
        "ticket_id": _first_ticket(shop, owner),
        "incident_id": INCIDENT[owner],
        "slo": "checkout-monthly",
        "agreement": AGREEMENT[owner],
        "file": "checkout",
        "tool": "sloth",
        "code": "not-found",
    }
    if "{token_id}" in path:  # a fresh token to revoke each time
        made = shop.client.request(
            "POST", f"{V1}/tokens", shop.tokens["admin"], json={"role": "viewer"}
        )
        values["token_id"] = made.json()["id"]
    if path.startswith("/tickets/{ticket_id}/") or (method, path) == (
        "PATCH",
        "/tickets/{ticket_id}",
    ):
        # Globex's agreement has a pause state (Initech's none): writes are not scoped anyway
        values["ticket_id"] = _fresh_ticket(shop, "globex", paused=path.endswith("/resume"))
    if (method, path) == ("PATCH", "/incidents/{incident_id}"):
        values["incident_id"] = _fresh_incident(shop)
    if (method, path) == ("PATCH", "/agreements/{name}"):
        values["name"] = _fresh_agreement(shop, owner)
    if method != "GET" and path.startswith("/agreements/{name}/versions/{version}"):
        proposed = path.endswith(("/sign", "/status"))
        values["version"] = _fresh_draft(shop, AGREEMENT[owner], proposed=proposed)
    if method in ("PUT", "DELETE") and path.endswith("/{name}") and head in KINDS:
        values["name"] = _fresh_definition(shop, head)
    if path.endswith("/end"):
        values["name"] = _fresh_definition(shop, head, ongoing=True)
    if path == "/users/{name}/disable":
        values["name"] = _fresh_user(shop)
    values["key"] = f"matrix-{next(_serial)}"
    url = V1 + path.format(**{k: v for k, v in values.items() if "{" + k + "}" in path})
    kw: dict[str, Any] = {}
    if path == "/customers/{customer}/credits":
        kw["params"] = {"period": "2026-10"}
    if path == "/tokens" and method == "POST":
        kw["json"] = {"role": "viewer", "label": "matrix"}
    if (method, path) == ("POST", "/tickets"):
        kw["json"] = {
            "id": f"NEW-{next(_serial)}",
            "customer": owner,
            "priority": "P2",
            "created": "2026-11-20T08:00:00Z",
        }
    if (method, path) == ("PATCH", "/tickets/{ticket_id}"):
        kw["json"] = {"priority": "P1"}
    if path.endswith(("/pause", "/resume")):
        kw["json"] = {"at": "2026-11-20T11:00:00Z"}
    if (method, path) == ("POST", "/incidents"):
        kw["json"] = {"id": f"INC-N{next(_serial)}", "services": ["checkout"], "start": AT_TEXT}
    if (method, path) == ("PATCH", "/incidents/{incident_id}"):
        kw["json"] = {"severity": "sev2"}
    if (method, path) == ("POST", "/agreements"):
        terms = _draft_terms(shop, AGREEMENT[owner])
        del terms["reason"]
        kw["json"] = {"name": f"matrix-{next(_serial)}", "customer": owner, "version": terms}
    if method in ("POST", "PUT") and path in (
        "/agreements/{name}/versions",
        "/agreements/{name}/versions/{version}",
    ):
        kw["json"] = _draft_terms(shop, AGREEMENT[owner])
    if (method, path) == ("PATCH", "/agreements/{name}"):
        kw["json"] = {"displayName": "Matrix agreement", "locale": "de_DE"}
    if path.endswith("/amend"):
        day = f"{2030 + next(_serial)}-01-01"
        kw["json"] = {"effectiveFrom": day, "reason": "matrix", "wording": {}}
    if path.endswith("/sign"):
        kw["json"] = {"signatories": [{"name": "Matrix", "signedAt": "2029-12-01"}]}
    if path.endswith("/status"):
        kw["json"] = {"status": "draft"}
    if (method, path) in (("POST", "/corrections"), ("POST", "/maintenance-windows")):
        spec = _correction_spec() if head == "corrections" else _window_spec(next(_serial))
        kw["json"] = {"name": f"matrix-{next(_serial)}", "spec": spec}
    if method == "PUT" and head in KINDS:
        spec = _correction_spec() if head == "corrections" else _window_spec(next(_serial))
        kw["json"] = {"spec": spec}
    if (method, path) == ("POST", "/users"):
        kw["json"] = {"name": f"matrix-{next(_serial)}", "role": "viewer", "password": PASSWORD}
    if path == "/ingest/prometheus":  # an SLO of none: refused, nothing asked of a server
        kw["json"] = {"from": "-1h", "slo": ["no-such-slo"]}
    if path == "/event-batches/{key}":
        # (a row stored: a batch of which none is stored is refused, 422 nothing-ingested)
        row = {"timestamp": AT_TEXT, "service": "checkout", "status": 200, "latency_ms": 80}
        kw["json"] = {"events": [row]}
    if path == "/ingest/tickets":  # a file of one new ticket (new bytes: not a duplicate)
        kw["content"] = f"id,customer,priority,created\nF-{next(_serial)},{owner},P2,{AT_TEXT}\n"
        kw["headers"] = {"Content-Type": "text/csv"}
    if path == "/ingest/incidents":
        row = {"id": f"INC-U{next(_serial)}", "services": ["checkout"], "start": AT_TEXT}
        kw["content"] = json.dumps(row) + "\n"
        kw["headers"] = {"Content-Type": "application/x-ndjson"}
    if path in ("/imports/{tool}", "/imports/{tool}/write"):
        kw["content"] = (ROOT / "examples" / "import" / "sloth-checkout.yml").read_text()
        kw["headers"] = {"Content-Type": "application/yaml"}
    if path == "/imports/{tool}/write":
        kw["params"] = {"filename": "matrix.yml", "force": "true"}
    if path == "/backtests/agreement":
        kw["params"] = {"first": "2026-10", "last": "2026-10"}
        kw["content"] = (shop.workspace.parent / PROPOSAL).read_text()
        kw["headers"] = {"Content-Type": "application/yaml"}
    return url, kw


def expected_status(rule: str, role: str, owner: str) -> int:
    customer = role.partition(":")[2]
    ok = {
        "staff": role in STAFF,
        "admin": role == "admin",
        "everyone": True,
        "writers": role in {"admin", "editor"},
    }.get(rule)
    if rule == "scoped":
        if customer and customer != owner:
            return 404
        ok = True
    return 200 if ok else 403


CASES = [
    pytest.param(method, path, role, owner, id=f"{method} {path} {role} {owner}")
    for (method, path) in EXPECTED
    for role in ROLES
    for owner in CUSTOMERS
]


@pytest.mark.parametrize(("method", "path", "role", "owner"), CASES)
def test_route_role_customer(shop: Shop, method: str, path: str, role: str, owner: str) -> None:
    url, kw = request_for(shop, method, path, owner)
    answer = shop.client.request(method, url, shop.tokens[role], **kw)
    want = expected_status(EXPECTED[(method, path)], role, owner)
    got = answer.status_code
    if want == 200 and (method, path) in CREATED:
        want = 201
    codes = {403: "forbidden", 404: "not-found"}
    if want == 200 and (method, path) in PAST_THE_DOOR:
        want, codes[want] = PAST_THE_DOOR[(method, path)]
    assert got == want, answer.text
    if got >= 400:
        assert set(answer.json()) >= {"code", "message", "hint"}
        assert answer.json()["code"] == codes[got]


@pytest.mark.parametrize(("method", "path"), sorted(EXPECTED))
def test_every_route_needs_a_token(shop: Shop, method: str, path: str) -> None:
    url, kw = request_for(shop, method, path, "globex")
    for token in (None, "cvt_unknown.secret", "not-a-token"):
        answer = shop.client.request(method, url, token, **kw)
        assert answer.status_code == 401, (token, answer.text)
        assert answer.json()["code"] == "unauthenticated"
