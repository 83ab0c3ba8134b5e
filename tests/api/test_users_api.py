"""Web UI users over HTTP (admin): ``GET /users``, ``POST /users``, ``POST /users/{name}/disable``
answer and refuse as ``covenant user list|create|disable`` do, on the same store (typer's
runner on the real commands), audited under the token that made the change."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app as cli
from covenant.errors import AuthenticationError
from covenant.services.store import open_store
from covenant.services.users import check_password, find_session, start_session
from tests.api.support import AT, Shop

V1 = "/api/v1"
PASSWORD = "a long enough pass phrase"
WHEN = "2026-11-20T12:00:00Z"  # the shop's clock


def _cli(shop: Shop, *args: str, given: str | None = None) -> Any:
    env = {"COVENANT_DATABASE_URL": shop.settings.database_url, "COLUMNS": "200"}
    return CliRunner().invoke(cli, [*args, "-w", str(shop.workspace)], env=env, input=given)


def _admin_id(shop: Shop) -> str:
    return str(shop.client.get(f"{V1}/me", shop.tokens["admin"]).json()["token"])


def _create(shop: Shop, **body: Any) -> Any:
    return shop.client.request(
        "POST", f"{V1}/users", shop.tokens["admin"], json={"password": PASSWORD, **body}
    )


def _audit(shop: Shop, name: str) -> list[dict[str, Any]]:
    found = shop.client.get(
        f"{V1}/audit", shop.tokens["admin"], params={"kind": "user", "entity": name}
    )
    assert found.status_code == 200, found.text
    return list(found.json()["items"])


def test_a_user_made_over_http_is_listed_as_the_command_lists_it(shop: Shop) -> None:
    made = _create(shop, name="carol", role="customer", customer="globex")
    assert made.status_code == 201, made.text
    admin = f"token:{_admin_id(shop)}"
    assert made.json() == {
        "name": "carol",
        "role": "customer",
        "customer": "globex",
        "created_at": WHEN,
        "created_by": admin,
        "disabled_at": None,
        "state": "active",
    }
    assert PASSWORD not in made.text
    engine = open_store(shop.settings.database_url)
    assert check_password(engine, name="carol", password=PASSWORD).customer == "globex"
    engine.dispose()
    listed = shop.client.get(f"{V1}/users", shop.tokens["admin"])
    assert listed.status_code == 200, listed.text
    assert made.json() in listed.json()["users"]
    assert "$argon2" not in listed.text
    printed = _cli(shop, "user", "list", "--format", "json")
    assert printed.exit_code == 0, printed.output
    assert listed.json() == json.loads(printed.stdout)
    [entry] = _audit(shop, "carol")
    assert (entry["action"], entry["actor"]) == ("created", admin)
    assert entry["after"]["name"] == "carol"
    assert "password_hash" not in entry["after"]
    assert PASSWORD not in json.dumps(entry)


def test_a_user_the_command_made_is_listed_over_http(shop: Shop) -> None:
    printed = _cli(
        shop, "user", "create", "dave", "--role", "editor", "--password-stdin",
        "--actor", "cli:ops", given=PASSWORD + "\n",
    )  # fmt: skip
    assert printed.exit_code == 0, printed.output
    listed = shop.client.get(f"{V1}/users", shop.tokens["admin"]).json()["users"]
    [dave] = [u for u in listed if u["name"] == "dave"]
    assert (dave["role"], dave["created_by"], dave["state"]) == ("editor", "cli:ops", "active")


def test_a_disabled_user_cannot_sign_in_and_its_sessions_end(shop: Shop) -> None:
    assert _create(shop, name="erin", role="viewer").status_code == 201
    engine = open_store(shop.settings.database_url)
    session = start_session(engine, at=AT, user_name="erin")
    assert find_session(engine, session_id=session, at=AT) is not None
    done = shop.client.request("POST", f"{V1}/users/erin/disable", shop.tokens["admin"])
    assert done.status_code == 200, done.text
    assert (done.json()["state"], done.json()["disabled_at"]) == ("disabled", WHEN)
    assert find_session(engine, session_id=session, at=AT) is None
    with pytest.raises(AuthenticationError):
        check_password(engine, name="erin", password=PASSWORD)
    engine.dispose()
    again = shop.client.request("POST", f"{V1}/users/erin/disable", shop.tokens["admin"])
    assert again.json() == done.json()  # as it is: disabled once
    actions = [(e["action"], e["actor"]) for e in _audit(shop, "erin")]
    admin = f"token:{_admin_id(shop)}"
    assert actions == [("created", admin), ("disabled", admin)]
    printed = _cli(shop, "user", "list", "--format", "json")
    [erin] = [u for u in json.loads(printed.stdout)["users"] if u["name"] == "erin"]
    assert erin == done.json()


@pytest.mark.parametrize(
    ("body", "status", "code", "said"),
    [
        ({"name": "frank", "role": "boss"}, 400, "invalid-input", "the role field admin"),
        ({"name": "frank", "role": "customer"}, 400, "invalid-input", "the customer field"),
        ({"name": "frank", "role": "customer", "customer": "acme"}, 404, "not-found", "'acme'"),
        ({"name": "Frank Smith", "role": "viewer"}, 400, "invalid-input", "'Frank Smith'"),
        ({"name": "frank", "role": "viewer", "password": "short"}, 400, "invalid-input", "12"),
        ({"name": "carol", "role": "viewer"}, 409, "conflict", "exists already"),
    ],
)
def test_bad_users_are_refused_as_the_command_refuses_them(
    shop: Shop, body: dict[str, Any], status: int, code: str, said: str
) -> None:
    if body["name"] == "carol":
        _create(shop, name="carol", role="customer", customer="globex")  # taken
    answer = _create(shop, **body)
    assert answer.status_code == status, answer.text
    assert answer.json()["code"] == code
    assert said in answer.json()["message"] + answer.json()["hint"]
    assert "--" not in answer.json()["message"] + answer.json()["hint"]  # no CLI option named
    names = [
        u["name"] for u in shop.client.get(f"{V1}/users", shop.tokens["admin"]).json()["users"]
    ]
    assert "frank" not in names


def test_disabling_an_unknown_user_is_404(shop: Shop) -> None:
    answer = shop.client.request("POST", f"{V1}/users/nobody/disable", shop.tokens["admin"])
    assert answer.status_code == 404, answer.text
    assert answer.json()["message"] == "no user is named 'nobody'"
    assert answer.json()["hint"] == "GET /api/v1/users shows the users"
    printed = _cli(shop, "user", "disable", "nobody")
    assert printed.exit_code == 1
    assert "no user is named 'nobody'" in printed.stderr
    assert "`covenant user list` shows the users" in printed.stderr
