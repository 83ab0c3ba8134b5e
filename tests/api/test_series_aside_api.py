"""GET /series-aside (staff) and POST /series-aside/prune (admins): `covenant db prune` over
HTTP — the series set aside when an SLI's query changed, listed, and deleted on request
(audited), on SQLite and PostgreSQL.

The store holds what tests.services.test_aside_pruning sets aside: ``api`` (2 days of counts)
and ``web`` (1 day), both last read at 2026-10-03T00:00Z, 48 days before the server's clock
``AT`` (2026-11-20T12:00Z)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from covenant.api.app import create_app
from covenant.config import Settings
from covenant.services.store import open_store
from tests.api.support import AT, CUSTOMERS, ROLES, Client, role_tokens
from tests.services.test_aside_pruning import _keys, _set_aside

V1 = "/api/v1"
ASIDE = ["api#" + "1" * 16, "web#" + "1" * 16]
SERVICE = "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: shop}\nspec: {}\n"


class Served:
    def __init__(self, url: str, client: Client, tokens: dict[str, str]) -> None:
        self.url, self.client, self.tokens = url, client, tokens

    def keys(self) -> list[str]:
        engine = open_store(self.url)
        try:
            return _keys(engine)
        finally:
            engine.dispose()

    def audit(self) -> list[dict[str, Any]]:
        answer = self.client.get(f"{V1}/audit", self.tokens["admin"], params={"kind": "series"})
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = answer.json()["items"]
        return items


@pytest.fixture
def served(tmp_path: Path, store_url: str) -> Iterator[Served]:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "service.yaml").write_text(SERVICE)
    engine = open_store(store_url)
    tokens = role_tokens(engine, customers=CUSTOMERS)
    _set_aside(engine)
    engine.dispose()
    app = create_app(Settings(workspace=workspace, database_url=store_url), clock=lambda: AT)
    try:
        yield Served(store_url, Client(app), tokens)
    finally:
        app.state.covenant.close()


def test_staff_list_what_a_prune_would_delete_and_nothing_changes(served: Served) -> None:
    for role in ("admin", "editor", "viewer"):
        answer = served.client.get(f"{V1}/series-aside", served.tokens[role])
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert not body["deleted"]
        assert [s["series"] for s in body["pruned"]] == ASIDE
        assert body["days"] == 3  # api 2 + web 1
    recent = served.client.get(
        f"{V1}/series-aside", served.tokens["viewer"], params={"older_than": "49d"}
    ).json()  # both were read 48 days and 12 hours before AT
    assert (recent["pruned"], [s["series"] for s in recent["kept"]]) == ([], ASIDE)
    assert recent["read_before"] == "2026-10-02T12:00:00Z"
    customer = served.client.get(f"{V1}/series-aside", served.tokens["customer:globex"])
    assert customer.status_code == 403, customer.text
    assert served.keys() == ["api", ASIDE[0], "web", ASIDE[1]]


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_only_an_admin_prunes(served: Served, role: str) -> None:
    answer = served.client.request("POST", f"{V1}/series-aside/prune", served.tokens[role])
    assert answer.status_code == 403, answer.text
    assert served.keys() == ["api", ASIDE[0], "web", ASIDE[1]]
    assert served.audit() == []


def test_an_admin_prunes_those_read_before_the_cut_off_audited(served: Served) -> None:
    admin = served.tokens["admin"]
    prune = f"{V1}/series-aside/prune"
    bad = served.client.request("POST", prune, admin, params={"older_than": "soon"})
    assert bad.status_code == 400, bad.text
    assert bad.json()["message"].startswith("older_than: invalid duration 'soon'")
    kept = served.client.request("POST", prune, admin, params={"older_than": "49d"}).json()
    assert (kept["deleted"], kept["pruned"]) == (False, [])
    assert served.audit() == []  # nothing deleted, nothing recorded
    me = served.client.get(f"{V1}/me", admin).json()["token"]
    done = served.client.request("POST", prune, admin, params={"older_than": "48d"})
    assert done.status_code == 200, done.text
    assert done.json()["deleted"]
    assert [s["series"] for s in done.json()["pruned"]] == ASIDE
    assert served.keys() == ["api", "web"]
    (entry,) = served.audit()
    assert (entry["actor"], entry["action"], entry["entity_id"]) == (
        f"token:{me}",
        "pruned",
        "set-aside",
    )
