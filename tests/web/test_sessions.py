"""Sign-in, sessions, CSRF, cookie flags and roles on the UI's pages (over ASGI, no browser)."""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest

from covenant.services.store import open_store
from covenant.services.tokens import revoke_token
from tests.api.support import AT, Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import PASSWORD, add_users


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-sessions"))
    add_users(made)
    return made


def test_pages_need_a_session(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    for path in ("/ui/", "/ui/overview", "/ui/slos/checkout-availability", "/ui/portal"):
        answer = browser.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/ui/sign-in?next=/ui/"), path


def test_password_sign_in_sets_a_safe_cookie_and_sign_out_ends_it(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    answer = browser.sign_in("vic")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ui/"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if "covenant_session=" in c)
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "samesite", "path"} <= flags
    assert "samesite=lax" in cookie.lower()
    assert "secure" not in flags  # plain http on loopback; https below
    assert browser.get("/ui/overview").status_code == 200
    kept = Browser(shop.client.app)  # someone who kept a copy of the cookie
    kept.cookies.set("covenant_session", browser.cookies["covenant_session"])
    assert kept.get("/ui/overview").status_code == 200
    token = browser.csrf("/ui/overview")
    assert browser.post("/ui/sign-out", {"csrf": token}).status_code == 303
    assert kept.get("/ui/overview").status_code == 303  # it no longer works


def test_cookies_are_secure_over_https(shop: Shop) -> None:
    browser = Browser(shop.client.app, base_url="https://test")
    answer = browser.sign_in("vic")
    cookie = next(c for c in answer.headers.get_list("set-cookie") if "covenant_session=" in c)
    assert "secure" in {p.strip().lower() for p in cookie.split(";")}


def test_a_wrong_password_or_form_token_is_refused(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    wrong = browser.sign_in("vic", PASSWORD + "!")
    assert wrong.status_code == 401
    assert "the name or the password is wrong" in wrong.text
    assert "covenant_session" not in browser.cookies
    token = browser.csrf("/ui/sign-in")
    for csrf in ("", token + "x"):
        refused = browser.post(
            "/ui/sign-in", {"csrf": csrf, "name": "vic", "password": PASSWORD, "next": "/ui/"}
        )
        assert refused.status_code == 403
        assert "CSRF token" in refused.text
    other_site = browser.post(
        "/ui/sign-in",
        {"csrf": token, "name": "vic", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert other_site.status_code == 403
    assert "covenant_session" not in browser.cookies


def test_sign_out_needs_the_session_form_token(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    refused = browser.post("/ui/sign-out", {"csrf": "forged"})
    assert refused.status_code == 403
    assert browser.get("/ui/overview").status_code == 200  # still signed in


def test_token_sign_in_follows_the_token(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    answer = browser.sign_in_token(shop.tokens["viewer"])
    assert answer.status_code == 303
    assert browser.get("/ui/overview").status_code == 200
    bad = Browser(shop.client.app).sign_in_token("cvt_nothing.here")
    assert bad.status_code == 401
    assert "not known" in bad.text
    engine = open_store(shop.settings.database_url)
    token_id = shop.tokens["viewer"].removeprefix("cvt_").partition(".")[0]
    revoke_token(engine, token_id=token_id, at=AT, actor="test")
    engine.dispose()
    assert browser.get("/ui/overview").status_code == 303  # the session ended with its token


def test_a_customer_is_kept_out_of_the_team_pages(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    answer = browser.sign_in("gus")
    assert answer.status_code == 303
    assert browser.get("/ui/").headers["location"] == "/ui/portal"
    for path in ("/ui/overview", "/ui/slos/checkout-availability", "/ui/agreements"):
        refused = browser.get(path)
        assert refused.status_code == 403, path
        assert "checkout-availability" not in refused.text
        assert "a customer may not use this page" in refused.text


def test_bad_query_parameters_are_clear_errors(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    for path, words in (
        ("/ui/overview?status=fine", "status='fine' is not a status"),
        ("/ui/overview?sort=colour", "sort='colour' is not one of"),
        ("/ui/overview?page=two", "page is not a whole number"),
        ("/ui/slos/no-such-slo", "no SLO objective named 'no-such-slo'"),
        ("/ui/slos/checkout-availability?points=1", "points=1 is not between 2 and 240"),
    ):
        answer = browser.get(path)
        assert answer.status_code in (400, 404), path
        assert words in html.unescape(answer.text), path
        assert "Traceback" not in answer.text
