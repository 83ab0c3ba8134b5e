"""docs/api.md's route table and the answers agree, walking every documented JSON read route
the demo shop can answer (a statement of Globex's October issued first, so the issued copies'
fields are there):

- every field the row names (`` `name` `` or ``{a, b}``) is in the answer (a key, or a value
  such as a state: `read`), a query parameter of the route, or one of the few words the row
  names that are neither (an option's value, a family of ``/metrics``) — listed here with why;
- for the rows that list their answer's fields, every key of the answer (and of its first
  ``items``/``rows`` row) is named in the row: a field added to the code is added to the doc.

A row the map below does not reach fails, so a new JSON read route gets a request here."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.api.support import Shop
from tests.conftest import ROOT

V1 = "/api/v1"
ISSUED = "/customers/globex/statements/2026-10"

# each documented GET route → the request that answers it on the demo shop (None: not JSON)
REQUESTS: dict[str, str | None] = {
    "/me": "/me",
    "/services": "/services",
    "/export/openslo": None,  # YAML, byte for byte the command's (tests/api/test_export_api.py)
    "/validation": "/validation",
    "/composites": "/composites",
    "/corrections": "/corrections",
    "/evaluations": "/evaluations",
    "/evaluations/{slo}": "/evaluations/checkout-availability",
    "/lint": "/lint",
    "/exposure": "/exposure",
    "/backtests/alerts/{slo}": "/backtests/alerts/checkout-availability?from=-1d",
    "/suggestions/slo/{slo}": "/suggestions/slo/checkout-availability",
    "/customers": "/customers",
    "/agreements": "/agreements",
    "/agreements/{name}": "/agreements/globex-enterprise",
    "/agreements/{name}/versions[/{version}]": "/agreements/globex-enterprise/versions",
    "/agreements/{name}/history": "/agreements/globex-enterprise/history",
    "/agreements/{name}/versions/{version}/terms": "/agreements/globex-enterprise/versions/1/terms",
    "/customers/{customer}/statements/{period}": f"{ISSUED}?format=json",
    "/customers/{customer}/statements/{period}/revisions": f"{ISSUED}/revisions",
    "/customers/{customer}/credits": "/customers/globex/credits?period=2026-10",
    "/tickets": "/tickets",
    "/incidents": "/incidents",
    "/tokens": "/tokens",
    "/users": "/users",
    "/metrics": None,  # Prometheus text (tests/api/test_metrics.py)
    "/slos/{name}/history": "/slos/checkout-availability/history",
    "/slos/{name}/alerts": "/slos/checkout-availability/alerts",
    "/alerts/outbox": "/alerts/outbox",
    "/audit": "/audit",
    "/audit/verify": "/audit/verify",
    "/data-sources": None,  # the demo reads no Prometheus: tests/cli/test_sources_cli.py
    "/series-aside": "/series-aside",
    "/rules/prometheus": None,  # YAML (tests/api/test_rules_api.py)
    "/rules/prometheus/plan": "/rules/prometheus/plan",
    "/rules/prometheus/tests": "/rules/prometheus/tests",
    "/dashboards/grafana": "/dashboards/grafana",
    "/errors": "/errors",
    "/db": "/db",
    "/worker": "/worker",
}

# words a row names that are not fields of its answer on the demo shop, and why
NOT_FIELDS: dict[str, set[str]] = {
    # the answer's `items` are the problems: the demo's files have none
    "/validation": {"code", "severity", "message", "where", "field", "fix"},
    "/exposure": {"owed", "ok"},  # values of the `status` filter
    "/agreements": {"draft", "terminated", "none", "tampered"},  # values of the `status` filter
    # `restated`: only when the statement computed now differs from the issued copy;
    # `not_included`: only for agreements of another period form (tests/api/
    # test_statement_other_periods_api.py)
    "/customers/{customer}/statements/{period}": {"restated", "not_included"},
    "/rules/prometheus/plan": {"skipped", "note", "warning"},  # values of a note's `level`
    # its `status` field, its ticks and `unmatched` rows: the demo runs no worker and reads no
    # Prometheus (tests/api/test_workers.py, tests/cli/test_sources_cli.py)
    "/worker": {
        "running", "leading", "interval_seconds", "failures", "last_failure_at",
        "last_error", "false", "null", "good", "bad", "total", "source", "series", "slos",
        "query", "selector", "since", "covenant_source_series_unmatched",
    },
    "/errors": {"text"},  # one code's (GET /errors/{code})
    # a series set aside's fields: the demo sets none aside (tests/api/test_series_aside_api.py)
    "/series-aside": {
        "series", "key", "query_sha256_prefix", "first_day", "last_day", "last_read",
    },
}  # fmt: skip

# the rows that list their answer's fields: every key of the answer is named in them
LISTS_ITS_FIELDS = {
    "/me",
    "/validation",
    "/customers/{customer}/statements/{period}/revisions",
    "/series-aside",
    "/rules/prometheus/plan",
    "/audit/verify",
    "/db",
    "/worker",
    "/dashboards/grafana",
}


def rows() -> dict[str, tuple[str, set[str]]]:
    """Each ``GET`` row of the route table: its route → (its text, its query parameters)."""
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    table = text.split("## Routes (`/api/v1`)", 1)[1].split("\n\n", 2)[1]
    found = {}
    for line in table.splitlines():
        if not line.startswith("| `GET "):
            continue
        first, _, rest = line[2:].partition(" | ")
        for route in re.findall(r"`(?:GET )?(/[^`?]*)(?:\?[^`]*)?`", first):
            if route != "/api/v1":  # `/metrics`, "outside `/api/v1`"
                found[route] = (rest, set(re.findall(r"[?&]([a-z_]+)=", first)))
    return found


def named(text: str) -> set[str]:
    """The field names a row's text writes: `` `name` `` and the names in ``{a, b: c}``."""
    words = set(re.findall(r"`([a-z][a-z_]*)`", text))
    for inside in re.findall(r"`\{([^`]*)\}`", text):
        words |= set(re.findall(r"\b([a-z][a-z_]*)\b", inside))
    return words


def walk(found: Any, into: set[str]) -> None:
    if isinstance(found, dict):
        for k, v in found.items():
            into.add(k)
            walk(v, into)
    elif isinstance(found, list):
        for v in found:
            walk(v, into)
    elif isinstance(found, str):
        into.add(found)
    elif isinstance(found, bool) or found is None:
        into.add({True: "true", False: "false", None: "null"}[found])


@pytest.fixture(scope="module")
def issued(shop: Shop) -> Shop:
    made = shop.client.request(
        "POST", f"{V1}{ISSUED}/issue", shop.tokens["admin"], json={"force": True}
    )
    assert made.status_code == 201, made.text
    return shop


DOCUMENTED = rows()
JSON_ROUTES = [r for r in DOCUMENTED if REQUESTS.get(r)]


def test_every_documented_read_route_is_walked() -> None:
    assert "/worker" in DOCUMENTED  # the table read as meant
    assert set(DOCUMENTED) - set(REQUESTS) <= {
        "/services/{name}", "/slis[/{name}]", "/slos[/{name}]", "/calendars[/{name}]",
        "/maintenance-windows[/{name}]", "/customers/{name}", "/tickets/{id}",
        "/incidents/{id}", "/suggestions/backing/{agreement}", "/data-sources/{name}",
        "/agreements/{name}/alerts", "/errors/{code}", "/dashboards/grafana/{file}",
    }  # fmt: skip  # each the same row as one walked


def answer(shop: Shop, route: str) -> Any:
    path = REQUESTS[route]
    got = shop.client.get(f"{V1}{path}", shop.tokens["admin"])
    assert got.status_code == 200, (route, got.text)
    return got.json()


@pytest.mark.parametrize("route", JSON_ROUTES)
def test_every_field_the_doc_names_is_answered(issued: Shop, route: str) -> None:
    text, params = DOCUMENTED[route]
    found: set[str] = set()
    walk(answer(issued, route), found)
    missing = named(text) - found - params - NOT_FIELDS.get(route, set())
    assert missing == set(), f"docs/api.md names for GET {route} what it does not answer"


@pytest.mark.parametrize("route", sorted(LISTS_ITS_FIELDS))
def test_every_field_answered_is_in_the_doc(issued: Shop, route: str) -> None:
    text, _ = DOCUMENTED[route]
    got = answer(issued, route)
    keys = set(got)
    for listed in ("items", "rows"):
        if isinstance(got.get(listed), list) and got[listed]:
            keys |= set(got[listed][0])
    assert keys - named(text) == set(), f"GET {route} answers what docs/api.md does not name"
