"""`covenant token list|revoke --format json` print what a script needs, in the API's shapes:
the list's rows under ``items`` as ``GET /api/v1/tokens`` answers them (``tokens``, the key
it printed alone before, kept for one release), the revoked token as ``DELETE
/api/v1/tokens/{id}`` answers it; a refusal is ``{"error": …}`` on stdout with a non-zero exit.
The CLI is run as a user runs it (typer's runner on the real commands), its clock fixed with
``COVENANT_NOW``, so every instant is known here."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from covenant.cli.main import app as cli
from covenant.services.store import open_store
from covenant.services.tokens import create_token
from tests.api.support import AT, CUSTOMERS, Shop

V1 = "/api/v1"
WHEN = "2026-11-21T08:30:00Z"  # the CLI's clock, a day after the shop's tokens were made


def _cli(shop: Shop, *args: str) -> Any:
    env = {
        "COVENANT_DATABASE_URL": shop.settings.database_url,
        "COVENANT_NOW": WHEN,
        "COLUMNS": "200",
    }
    return CliRunner().invoke(cli, [*args, "-w", str(shop.workspace)], env=env)


def test_token_list_prints_its_rows_under_items_as_the_api_answers_them(shop: Shop) -> None:
    printed = _cli(shop, "token", "list", "--format", "json")
    assert printed.exit_code == 0, printed.output
    document = json.loads(printed.stdout)
    assert set(document) == {"items", "tokens"}
    rows = document["items"]
    assert len(rows) == 5  # the shop made one token per role
    assert sorted(r["role"] for r in rows) == ["admin", "customer", "customer", "editor", "viewer"]
    assert {r["state"] for r in rows} == {"active"}
    assert document["tokens"] == rows  # the old key, the same rows, for one release
    answer = shop.client.get(f"{V1}/tokens", shop.tokens["admin"])
    assert answer.status_code == 200, answer.text
    # the API's clock is the shop's (AT), the CLI's a day later: the tokens are active at both
    assert answer.json() == {"items": rows}


def test_token_revoke_prints_the_revoked_token_as_the_api_answers_it(shop: Shop) -> None:
    engine = open_store(shop.settings.database_url)
    made = create_token(
        engine,
        role="editor",
        customer=None,
        expires_at=AT.replace(year=2027),
        at=AT,
        customers=CUSTOMERS,
        label="nightly export",
        created_by="test:setup",
    )
    engine.dispose()
    printed = _cli(shop, "token", "revoke", made.token.id, "--actor", "ops:bob", "-f", "json")
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.stdout) == {
        "id": made.token.id,
        "role": "editor",
        "customer": None,
        "label": "nightly export",
        "created_at": "2026-11-20T12:00:00Z",
        "created_by": "test:setup",
        "expires_at": "2027-11-20T12:00:00Z",
        "revoked_at": WHEN,
        "state": "revoked",
    }
    listed = json.loads(_cli(shop, "token", "list", "-f", "json").stdout)["items"]
    assert [r["state"] for r in listed if r["id"] == made.token.id] == ["revoked"]


def test_a_refused_revoke_under_json_is_an_error_document_and_exit_1(shop: Shop) -> None:
    printed = _cli(shop, "token", "revoke", "nosuchtoken", "--format", "json")
    assert printed.exit_code == 1
    error = json.loads(printed.stdout)["error"]
    assert error["code"] == "not-found"
    assert "nosuchtoken" in error["message"]
    assert error["hint"]


def test_revoke_without_json_still_says_it_in_words(shop: Shop) -> None:
    engine = open_store(shop.settings.database_url)
    made = create_token(
        engine, role="viewer", customer=None, expires_at=AT.replace(year=2027), at=AT, customers=()
    )
    engine.dispose()
    printed = _cli(shop, "token", "revoke", made.token.id)
    assert printed.exit_code == 0, printed.output
    assert printed.stdout == f"token {made.token.id} revoked\n"
