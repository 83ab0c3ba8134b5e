"""Every page of the UI × every role: the rule of each route is written here by hand; a page the
app serves that this table does not name fails the test (a new page cannot be forgotten)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute

from covenant.web import (
    agreement_history,
    agreements,
    audit,
    composites,
    corrections,
    errors_reference,
    exposure,
    imports,
    incidents,
    lint,
    maintenance,
    outbox,
    portal,
    prometheus_read,
    record_upload,
    routes,
    series_aside,
    sources,
    statements,
    team,
    tickets,
    tokens,
    tuning,
    users,
)
from tests.api.support import Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import USERS, add_users

# staff: admin, editor, viewer; customer: customer users; writers: admin, editor; anyone: no
# session needed
EXPECTED = {
    ("GET", "/ui/sign-in"): "anyone",
    ("POST", "/ui/sign-in"): "anyone",
    ("POST", "/ui/sign-out"): "anyone",
    ("GET", "/ui/"): "signed-in",
    ("GET", "/ui/overview"): "staff",
    ("GET", "/ui/slos/{key:path}/series.json"): "staff",
    ("GET", "/ui/slos/{key:path}"): "staff",
    ("GET", "/ui/composites/{composite}"): "staff",
    ("GET", "/ui/agreements"): "staff",
    ("GET", "/ui/agreements/{name}"): "staff",
    ("GET", "/ui/agreements/{name}/timers"): "staff",
    ("GET", "/ui/agreements/{name}/history"): "staff",
    ("GET", "/ui/agreements/{name}/versions/{number}/backtest"): "staff",
    ("POST", "/ui/agreements/{name}/versions/{number}/{move}"): "writers",
    ("POST", "/ui/agreements/{name}/amend"): "writers",  # no base given: 400 for a writer
    ("POST", "/ui/agreements/{name}/amend-terms"): "writers",  # the same
    ("GET", "/ui/customers/{customer}/statements/{period}"): "staff",
    ("GET", "/ui/customers/{customer}/statements/{period}/issue"): "admin",
    ("POST", "/ui/customers/{customer}/statements/{period}/issue"): "admin",  # see ANSWERS
    ("GET", "/ui/exposure"): "staff",
    ("GET", "/ui/lint"): "staff",
    ("GET", "/ui/errors"): "staff",
    ("GET", "/ui/errors/{code}"): "staff",
    ("GET", "/ui/sources"): "staff",
    ("GET", "/ui/sources/rules.yml"): "staff",
    ("GET", "/ui/sources/dashboards/{file}"): "staff",
    ("GET", "/ui/sources/openslo.yaml"): "staff",
    ("GET", "/ui/sources/series-aside"): "staff",
    ("POST", "/ui/sources/series-aside/prune"): "admin",  # nothing set aside: 303 back
    ("POST", "/ui/sources/prometheus-read"): "writers",  # no from given: 400 for a writer
    ("POST", "/ui/sources/records"): "writers",  # not multipart: 400 for a writer
    ("GET", "/ui/corrections"): "staff",
    ("POST", "/ui/corrections"): "writers",  # no name given: 400 for a writer
    ("POST", "/ui/corrections/{name}/delete"): "writers",  # no such correction: 404
    ("GET", "/ui/maintenance"): "staff",
    ("POST", "/ui/maintenance"): "writers",  # no name given: 400 for a writer
    ("POST", "/ui/maintenance/{name}/cancel"): "writers",  # no such window: 404 for a writer
    ("POST", "/ui/maintenance/{name}/end"): "writers",  # the same
    ("GET", "/ui/tickets"): "staff",
    ("POST", "/ui/tickets"): "writers",  # no id given: 400 for a writer
    ("POST", "/ui/tickets/{ticket_id:path}/pause"): "writers",  # no such ticket: 404 for a writer
    ("POST", "/ui/tickets/{ticket_id:path}/resume"): "writers",  # the same
    ("POST", "/ui/tickets/{ticket_id:path}/change"): "writers",  # nothing to change: 400
    ("GET", "/ui/incidents"): "staff",
    ("POST", "/ui/incidents"): "writers",  # no id given: 400 for a writer
    ("POST", "/ui/incidents/{incident_id:path}/end"): "writers",  # no such incident: 404
    ("GET", "/ui/import"): "staff",
    ("POST", "/ui/import"): "staff",  # not multipart: 400 for staff
    ("POST", "/ui/import/write"): "writers",  # the same for a writer
    ("GET", "/ui/audit"): "admin",
    ("GET", "/ui/audit/verify"): "admin",
    ("GET", "/ui/alerts/outbox"): "admin",
    ("POST", "/ui/alerts/outbox/retry"): "admin",  # nothing to retry: 303 back to the page
    ("POST", "/ui/alerts/outbox/prune"): "admin",  # nothing past the retention: the same
    ("GET", "/ui/tokens"): "admin",
    ("POST", "/ui/tokens"): "admin",  # no role given: 400 for an admin
    ("GET", "/ui/tokens/{token_id}/revoke"): "admin",  # no such token: 404 for an admin
    ("POST", "/ui/tokens/{token_id}/revoke"): "admin",  # the same
    ("GET", "/ui/users"): "admin",
    ("POST", "/ui/users"): "admin",  # no name given: 400 for an admin
    ("GET", "/ui/users/{name}/disable"): "admin",  # no such user: 404 for an admin
    ("POST", "/ui/users/{name}/disable"): "admin",  # the same
    ("GET", "/ui/backtests/alerts/{slo}"): "staff",
    ("GET", "/ui/suggestions/slo/{slo}"): "staff",
    ("GET", "/ui/suggestions/backing/{agreement}"): "staff",
    ("GET", "/ui/portal"): "customer",
    ("GET", "/ui/portal/tickets"): "customer",
    ("GET", "/ui/portal/statements/{period}"): "customer",
}
ALLOWED = {
    "admin": {"admin"},
    "staff": {"admin", "editor", "viewer"},
    "writers": {"admin", "editor"},
    "customer": {"customer"},
    "signed-in": {"admin", "editor", "viewer", "customer"},
}
FILLED = {
    "{key:path}": "checkout-availability",
    "{name}": "globex-enterprise",
    "{number}": "1",
    "{move}": "nothing",  # not a move: a writer passes the role check and gets 400
    "{period}": "2026-10",
    "{customer}": "globex",
    "{composite}": "shopping-journey",
    "{file}": "checkout.json",
    "{token_id}": "no-such-token",
    "{slo}": "checkout-availability",
    "{agreement}": "globex-enterprise",
    "{code}": "not-found",
    "{ticket_id}": "no-such-ticket",
    "{incident_id}": "no-such-incident",
}
# what a role allowed gets, where not a page (GET: 200 or 303) or a refused form (POST: 400)
ANSWERS = {
    ("POST", "/ui/alerts/outbox/retry"): {303},
    ("POST", "/ui/alerts/outbox/prune"): {303},
    ("POST", "/ui/sources/series-aside/prune"): {303},
    ("GET", "/ui/tokens/{token_id}/revoke"): {404},
    ("POST", "/ui/tokens/{token_id}/revoke"): {404},
    ("GET", "/ui/users/{name}/disable"): {404},
    ("POST", "/ui/corrections/{name}/delete"): {404},
    ("POST", "/ui/maintenance/{name}/cancel"): {404},
    ("POST", "/ui/maintenance/{name}/end"): {404},
    ("POST", "/ui/users/{name}/disable"): {404},
    ("POST", "/ui/tickets/{ticket_id:path}/pause"): {404},
    ("POST", "/ui/tickets/{ticket_id:path}/resume"): {404},
    ("POST", "/ui/incidents/{incident_id:path}/end"): {404},
    # issues globex's October (ended): 303 to the revision issued
    ("POST", "/ui/customers/{customer}/statements/{period}/issue"): {303},
}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-roles"))
    add_users(made)
    return made


def _path(template: str) -> str:
    for key, value in FILLED.items():
        template = template.replace(key, value)
    return template


def test_every_page_is_in_the_table() -> None:
    served = {
        (method, route.path)
        for module in (
            routes,
            agreement_history,
            team,
            composites,
            corrections,
            errors_reference,
            incidents,
            portal,
            agreements,
            exposure,
            imports,
            lint,
            maintenance,
            prometheus_read,
            record_upload,
            series_aside,
            sources,
            statements,
            audit,
            outbox,
            tickets,
            tokens,
            tuning,
            users,
        )
        for route in module.router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    assert served == set(EXPECTED)


@pytest.mark.parametrize("user", sorted(USERS))
def test_each_role_gets_what_its_rule_allows(shop: Shop, user: str) -> None:
    role = USERS[user][0]
    browser = Browser(shop.client.app)
    browser.sign_in(user)
    csrf = browser.csrf("/ui/portal" if role == "customer" else "/ui/overview")
    for (method, template), rule in EXPECTED.items():
        if rule == "anyone":
            continue
        path = _path(template)
        answer = browser.get(path) if method == "GET" else browser.post(path, {"csrf": csrf})
        allowed = ANSWERS.get((method, template)) or {"GET": {200, 303}, "POST": {400}}[method]
        expected = allowed if role in ALLOWED[rule] else {403}
        assert answer.status_code in expected, (user, method, path, answer.status_code)
