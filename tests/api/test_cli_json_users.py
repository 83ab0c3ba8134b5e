"""`covenant user create|disable --format json` print the user as ``POST /api/v1/users`` and
``POST /api/v1/users/{name}/disable`` answer it (never its password or hash) — what a script
needs after making or disabling one; a refusal is ``{"error": …}`` on stdout with exit 1. The
CLI is run as a user runs it (typer's runner on the real commands), its clock fixed with
``COVENANT_NOW``, so every instant is known here."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from covenant.cli.main import app as cli
from covenant.services.store import open_store
from covenant.services.users import check_password
from tests.api.support import Shop

V1 = "/api/v1"
PASSWORD = "a long enough pass phrase"
WHEN = "2026-11-22T09:15:00Z"  # the CLI's clock


def _cli(shop: Shop, *args: str, given: str | None = None) -> Any:
    env = {
        "COVENANT_DATABASE_URL": shop.settings.database_url,
        "COVENANT_NOW": WHEN,
        "COLUMNS": "200",
    }
    return CliRunner().invoke(cli, [*args, "-w", str(shop.workspace)], env=env, input=given)


def _listed(shop: Shop, name: str) -> dict[str, Any]:
    answer = shop.client.get(f"{V1}/users", shop.tokens["admin"])
    assert answer.status_code == 200, answer.text
    [found] = [u for u in answer.json()["users"] if u["name"] == name]
    return dict(found)


def test_user_list_prints_its_rows_under_items_too_as_the_api_answers_them(shop: Shop) -> None:
    for name, role in (("lena", "viewer"), ("mo", "admin")):
        made = _cli(
            shop, "user", "create", name, "--role", role, "--password-stdin",
            "--actor", "ops:lee", given=PASSWORD + "\n",
        )  # fmt: skip
        assert made.exit_code == 0, made.output
    printed = _cli(shop, "user", "list", "--format", "json")
    assert printed.exit_code == 0, printed.output
    document = json.loads(printed.stdout)
    assert set(document) == {"items", "users"}
    rows = {u["name"]: (u["role"], u["created_at"], u["created_by"]) for u in document["items"]}
    assert rows["lena"] == ("viewer", WHEN, "ops:lee")
    assert rows["mo"] == ("admin", WHEN, "ops:lee")
    assert document["users"] == document["items"]
    answer = shop.client.get(f"{V1}/users", shop.tokens["admin"])
    assert answer.status_code == 200, answer.text
    assert answer.json() == document


def test_user_create_prints_the_user_as_the_api_answers_it(shop: Shop) -> None:
    printed = _cli(
        shop, "user", "create", "grace", "--role", "customer", "--customer", "initech",
        "--password-stdin", "--actor", "ops:lee", "--format", "json", given=PASSWORD + "\n",
    )  # fmt: skip
    assert printed.exit_code == 0, printed.output
    made = json.loads(printed.stdout)
    assert made == {
        "name": "grace",
        "role": "customer",
        "customer": "initech",
        "created_at": WHEN,
        "created_by": "ops:lee",
        "disabled_at": None,
        "state": "active",
    }
    assert PASSWORD not in printed.stdout
    assert _listed(shop, "grace") == made
    engine = open_store(shop.settings.database_url)
    assert check_password(engine, name="grace", password=PASSWORD).customer == "initech"
    engine.dispose()


def test_user_disable_prints_the_disabled_user_as_the_api_answers_it(shop: Shop) -> None:
    made = _cli(
        shop, "user", "create", "heidi", "--role", "viewer", "--password-stdin",
        "--actor", "ops:lee", given=PASSWORD + "\n",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    printed = _cli(shop, "user", "disable", "heidi", "-f", "json")
    assert printed.exit_code == 0, printed.output
    disabled = json.loads(printed.stdout)
    assert disabled == {
        "name": "heidi",
        "role": "viewer",
        "customer": None,
        "created_at": WHEN,
        "created_by": "ops:lee",
        "disabled_at": WHEN,
        "state": "disabled",
    }
    assert _listed(shop, "heidi") == disabled


def test_refusals_under_json_are_an_error_document_and_exit_1(shop: Shop) -> None:
    unknown = _cli(shop, "user", "disable", "nobody", "--format", "json")
    assert unknown.exit_code == 1
    error = json.loads(unknown.stdout)["error"]
    assert error["code"] == "not-found"
    assert "nobody" in error["message"]
    assert error["hint"]
    first = _cli(
        shop, "user", "create", "ivan", "--role", "viewer", "--password-stdin",
        given=PASSWORD + "\n",
    )  # fmt: skip
    assert first.exit_code == 0, first.output
    taken = _cli(
        shop, "user", "create", "ivan", "--role", "viewer", "--password-stdin", "-f", "json",
        given=PASSWORD + "\n",
    )  # fmt: skip
    assert taken.exit_code == 1
    assert json.loads(taken.stdout)["error"]["code"] == "conflict"
    no_password = _cli(shop, "user", "create", "judy", "--role", "viewer", "-f", "json")
    assert no_password.exit_code == 1
    error = json.loads(no_password.stdout)["error"]
    assert error["code"] == "invalid-input"
    assert "--password-stdin" in error["hint"]


def test_without_json_the_commands_still_say_it_in_words(shop: Shop) -> None:
    made = _cli(
        shop, "user", "create", "ken", "--role", "editor", "--password-stdin",
        given=PASSWORD + "\n",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert made.stdout == "user ken: editor\n"
    done = _cli(shop, "user", "disable", "ken")
    assert done.exit_code == 0, done.output
    assert done.stdout == "user ken disabled\n"
