"""The series set aside on a page (`covenant db prune`, ``/api/v1/series-aside``): the staff see
what a prune would delete and keep, as the API answers; an admin deletes them with a form
(answered with a redirect), recorded in the audit log under the signed-in user — on SQLite and
on the real PostgreSQL.

The store holds what tests.services.test_aside_pruning sets aside: ``api`` (2 days of counts)
and ``web`` (1 day), both last read 48 days and 12 hours before the server's clock ``AT``."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from covenant.api.app import create_app
from covenant.config import Settings
from covenant.services.store import open_store
from covenant.services.users import create_user
from tests.api.support import AT, CUSTOMERS, Client, role_tokens
from tests.api.test_series_aside_api import ASIDE, SERVICE
from tests.services.test_aside_pruning import _keys, _set_aside
from tests.web.pages import Browser
from tests.web.served import PASSWORD

V1 = "/api/v1"


class Store:
    def __init__(self, url: str, app: Any, tokens: dict[str, str]) -> None:
        self.url, self.app, self.client, self.tokens = url, app, Client(app), tokens

    def keys(self) -> list[str]:
        engine = open_store(self.url)
        try:
            return _keys(engine)
        finally:
            engine.dispose()

    def signed_in(self, name: str) -> Browser:
        browser = Browser(self.app)
        assert browser.sign_in(name).status_code == 303
        return browser


@pytest.fixture
def store(tmp_path: Path, store_url: str) -> Iterator[Store]:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "service.yaml").write_text(SERVICE)
    engine = open_store(store_url)
    tokens = role_tokens(engine, customers=CUSTOMERS)
    for name, role in (("ada", "admin"), ("vic", "viewer")):
        create_user(
            engine, name=name, password=PASSWORD, role=role, customer=None, customers=(), at=AT
        )
    _set_aside(engine)
    engine.dispose()
    app = create_app(Settings(workspace=workspace, database_url=store_url), clock=lambda: AT)
    try:
        yield Store(store_url, app, tokens)
    finally:
        app.state.covenant.close()


def _text(answer: Any) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", answer.text)).split())


def _shown(answer: Any) -> list[tuple[str, str]]:
    if '<table class="aside"' not in answer.text:
        return []
    body = answer.text.split('<table class="aside"', 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(
        r"<tr><td><code>([^<]+)</code></td><td><code>[^<]*</code></td><td>(\d+)", body
    )
    return [(key, days) for key, days in rows]


def test_the_staff_see_what_a_prune_would_delete_as_the_api_answers(store: Store) -> None:
    viewer = store.signed_in("vic")
    page = viewer.get("/ui/sources/series-aside")
    assert page.status_code == 200, page.text
    api = store.client.get(f"{V1}/series-aside", store.tokens["viewer"]).json()
    assert [s["series"] for s in api["pruned"]] == ASIDE
    assert _shown(page) == [("api", "2"), ("web", "1")]  # tests.services' two series
    assert _shown(page) == [(s["key"], str(s["days"])) for s in api["pruned"]]
    assert "Delete these" not in page.text  # a viewer gets no button
    assert 'href="/ui/sources/series-aside"' in viewer.get("/ui/sources").text
    recent = viewer.get("/ui/sources/series-aside", params={"older_than": "49d"})
    assert _shown(recent) == []
    assert "Kept: 2 series set aside and read since 2026-10-02 12:00" in _text(recent)
    refused = viewer.post("/ui/sources/series-aside/prune", {"csrf": viewer.csrf("/ui/overview")})
    assert refused.status_code == 403
    assert store.keys() == ["api", ASIDE[0], "web", ASIDE[1]]  # nothing deleted


def test_an_admin_deletes_them_with_the_form(store: Store) -> None:
    admin = store.signed_in("ada")
    page = admin.get("/ui/sources/series-aside", params={"older_than": "30d"})
    assert "Delete these 2 series (3 days of counts) for good" in _text(page)
    csrf = admin.csrf("/ui/sources/series-aside")
    assert store.keys() == ["api", ASIDE[0], "web", ASIDE[1]]  # showing deletes nothing
    forged = admin.post("/ui/sources/series-aside/prune", {"csrf": "forged", "older_than": ""})
    assert forged.status_code == 403
    done = admin.post("/ui/sources/series-aside/prune", {"csrf": csrf, "older_than": "30d"})
    assert done.status_code == 303  # Post/Redirect/Get
    assert done.headers["location"] == "/ui/sources/series-aside?deleted=2&days=3&older_than=30d"
    after = admin.get(done.headers["location"])
    assert "2 series set aside deleted (3 days of counts)." in _text(after)
    assert _shown(after) == []
    assert store.keys() == ["api", "web"]
    logged = store.client.get(f"{V1}/audit", store.tokens["admin"], params={"kind": "series"})
    items = logged.json()["items"]
    assert [(e["actor"], e["action"], e["entity_id"]) for e in items] == [
        ("user:ada", "pruned", "set-aside")
    ]


def test_a_bad_age_is_an_error_page_naming_it(store: Store) -> None:
    page = store.signed_in("vic").get("/ui/sources/series-aside", params={"older_than": "soon"})
    assert page.status_code == 400
    assert "older_than:" in _text(page)
