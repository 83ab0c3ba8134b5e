"""The users' page (admins): it lists what `covenant user list` lists for the same store; a user
made on it signs in with the password chosen or the one shown once; a user disabled on it (after
a question, answered with a redirect so a reload sends nothing) can no longer sign in and its
session ends; each change is in the audit log under the signed-in admin."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.api.support import AT, Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import USERS, add_users

V1 = "/api/v1"
CHOSEN = "a pass phrase the admin chose"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-users"))
    add_users(made)
    return made


def _admin(shop: Shop) -> Browser:
    browser = Browser(shop.client.app)
    browser.sign_in("ada")
    return browser


def _text(answer: Any) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", answer.text)).split())


def _rows(text: str) -> list[list[str]]:
    inside = text.split('<table class="users">', 1)[1].split("</table>", 1)[0]
    body = inside.split("<tbody>", 1)[1]
    return [
        [" ".join(html.unescape(re.sub(r"<[^>]+>", "", c)).split()) for c in cells]
        for cells in (
            re.findall(r"<td[^>]*>(.*?)</td>", r, flags=re.S)
            for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
        )
    ]


def _cli_users(shop: Shop) -> list[dict[str, Any]]:
    listed = CliRunner().invoke(
        app, ["user", "list", "--format", "json", "-w", str(shop.workspace)]
    )
    assert listed.exit_code == 0, listed.output
    users: list[dict[str, Any]] = json.loads(listed.stdout)["users"]
    return users


def _logged(shop: Shop, name: str) -> list[tuple[str, str]]:
    answer = shop.client.get(
        f"{V1}/audit", shop.tokens["admin"], params={"kind": "user", "entity": name}
    )
    assert answer.status_code == 200, answer.text
    return [(e["actor"], e["action"]) for e in answer.json()["items"]]


def _signs_in(shop: Shop, name: str, password: str) -> Browser | None:
    browser = Browser(shop.client.app)
    answer = browser.sign_in(name, password)
    if answer.status_code == 303:
        return browser
    assert answer.status_code == 401, answer.text
    return None


def test_the_page_lists_the_users_the_cli_lists(shop: Shop) -> None:
    page = _admin(shop).get("/ui/users")
    assert page.status_code == 200, page.text
    shown = {r[0]: r[1:4] for r in _rows(page.text)}
    expected = {n: [role, customer or "", "active"] for n, (role, customer) in USERS.items()}
    assert {n: shown[n] for n in USERS} == expected  # the five users the fixture made
    assert sorted(shown) == sorted(u["name"] for u in _cli_users(shop))
    assert "argon2" not in page.text


def test_a_user_made_with_a_chosen_password_signs_in(shop: Shop) -> None:
    browser = _admin(shop)
    csrf = browser.csrf("/ui/users")
    fields = {"csrf": csrf, "name": "ann", "role": "editor", "customer": ""}
    made = browser.post("/ui/users", {**fields, "password": CHOSEN, "password2": CHOSEN})
    assert made.status_code == 303
    assert made.headers["location"] == "/ui/users?created=ann"
    assert CHOSEN not in made.headers["location"]
    after = browser.get(made.headers["location"])
    assert "User ann is created with the password you chose." in _text(after)
    assert CHOSEN not in after.text
    assert ["editor", "", "active"] in [r[1:4] for r in _rows(after.text) if r[0] == "ann"]
    cli = {u["name"]: u for u in _cli_users(shop)}
    assert (cli["ann"]["role"], cli["ann"]["created_by"]) == ("editor", "user:ada")
    assert cli["ann"]["created_at"] == "2026-11-20T12:00:00Z" == AT.isoformat()[:19] + "Z"
    assert _logged(shop, "ann") == [("user:ada", "created")]
    assert _signs_in(shop, "ann", CHOSEN) is not None
    assert _signs_in(shop, "ann", "another pass phrase") is None


def test_a_user_made_without_a_password_gets_one_shown_once(shop: Shop) -> None:
    browser = _admin(shop)
    csrf = browser.csrf("/ui/users")
    made = browser.post(
        "/ui/users",
        {"csrf": csrf, "name": "gil", "role": "customer", "customer": "initech", "password": ""},
    )
    assert made.status_code == 200, made.text
    found = re.search(r'id="secret" class="secret" readonly size="30" value="([^"]+)"', made.text)
    assert found is not None
    password = html.unescape(found.group(1))
    assert len(password) >= 12
    assert "Copy it now" in _text(made)
    assert password not in browser.get("/ui/users").text  # never again
    gil = _signs_in(shop, "gil", password)
    assert gil is not None
    assert gil.get("/ui/").headers["location"] == "/ui/portal"  # a customer user
    cli = {u["name"]: u for u in _cli_users(shop)}
    assert (cli["gil"]["role"], cli["gil"]["customer"]) == ("customer", "initech")
    assert _logged(shop, "gil") == [("user:ada", "created")]


@pytest.mark.parametrize(
    ("fields", "told"),
    [
        ({"name": "Bad Name", "role": "viewer"}, "user name 'Bad Name' is not 1-64 lower-case"),
        ({"name": "kim", "role": "owner"}, "role 'owner' is not one of admin, editor"),
        ({"name": "kim", "role": "customer"}, "a customer user needs the customer field"),
        ({"name": "kim", "role": "viewer", "password": "short", "password2": "short"}, "needs 12"),
        (
            {"name": "kim", "role": "viewer", "password": CHOSEN, "password2": CHOSEN + "!"},
            "the password and its repetition differ",
        ),
        ({"name": "eve", "role": "viewer"}, "a user named 'eve' exists already"),
        ({"name": "eve", "role": "viewer"}, "or disable the old one (the users page's Disable"),
    ],
)
def test_a_bad_user_form_is_refused_naming_the_problem(
    shop: Shop, fields: dict[str, str], told: str
) -> None:
    browser = _admin(shop)
    before = _cli_users(shop)
    answer = browser.post("/ui/users", {"csrf": browser.csrf("/ui/users"), **fields})
    assert answer.status_code in {400, 409}
    assert told in _text(answer)
    assert _cli_users(shop) == before


def test_a_disabled_user_cannot_sign_in_and_its_session_ends(shop: Shop) -> None:
    browser = _admin(shop)
    csrf = browser.csrf("/ui/users")
    made = browser.post(
        "/ui/users",
        {"csrf": csrf, "name": "dan", "role": "viewer", "password": CHOSEN, "password2": CHOSEN},
    )
    assert made.status_code == 303
    dan = _signs_in(shop, "dan", CHOSEN)
    assert dan is not None
    assert dan.get("/ui/overview").status_code == 200

    confirm = browser.get("/ui/users/dan/disable")
    assert "Disable user dan?" in _text(confirm)
    assert dan.get("/ui/overview").status_code == 200  # asking disables nothing

    done = browser.post("/ui/users/dan/disable", {"csrf": csrf})
    assert done.status_code == 303  # Post/Redirect/Get: a reload of the page sends nothing
    assert done.headers["location"] == "/ui/users?disabled=dan"
    listed = browser.get(done.headers["location"])
    assert "User dan is disabled" in _text(listed)
    assert [r[3] for r in _rows(listed.text) if r[0] == "dan"] == ["disabled"]
    assert not any(r[-1] for r in _rows(listed.text) if r[0] == "dan")  # no Disable link
    assert {u["name"]: u["state"] for u in _cli_users(shop)}["dan"] == "disabled"

    ended = dan.get("/ui/overview")
    assert ended.status_code == 303
    assert ended.headers["location"].startswith("/ui/sign-in")
    assert _signs_in(shop, "dan", CHOSEN) is None
    assert _logged(shop, "dan") == [("user:ada", "created"), ("user:ada", "disabled")]
    # sent again (a resubmitted form): nothing more is done or logged
    assert browser.post("/ui/users/dan/disable", {"csrf": csrf}).status_code == 303
    assert _logged(shop, "dan") == [("user:ada", "created"), ("user:ada", "disabled")]


def test_a_note_is_shown_only_for_a_user_in_that_state(shop: Shop) -> None:
    browser = _admin(shop)
    assert "is disabled" not in _text(browser.get("/ui/users", params={"disabled": "eve"}))
    assert "is disabled" not in _text(browser.get("/ui/users", params={"disabled": "<b>x"}))
    assert "<b>x" not in browser.get("/ui/users", params={"created": "<b>x"}).text


def test_a_users_form_without_the_sessions_csrf_token_changes_nothing(shop: Shop) -> None:
    browser = _admin(shop)
    before = _cli_users(shop)
    made = browser.post("/ui/users", {"csrf": "forged", "name": "zed", "role": "viewer"})
    assert made.status_code == 403
    assert browser.post("/ui/users/vic/disable", {"csrf": "forged"}).status_code == 403
    assert _cli_users(shop) == before
    assert _signs_in(shop, "vic", "demo-password-for-tests") is not None


def test_an_unknown_user_is_a_not_found_page(shop: Shop) -> None:
    browser = _admin(shop)
    assert browser.get("/ui/users/nobody/disable").status_code == 404
    gone = browser.post("/ui/users/nobody/disable", {"csrf": browser.csrf("/ui/users")})
    assert gone.status_code == 404
    assert "no user is named 'nobody'" in _text(gone)
    assert "the users page (/ui/users) shows the users" in _text(gone)  # not the API's route
