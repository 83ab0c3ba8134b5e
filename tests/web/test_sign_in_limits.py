"""The sign-in form's rate limit through the pages: two apps on one store (two processes of
`covenant serve`) count the same failures; a refusal is a 429 page with Retry-After, sent before
any password is checked; the clock is injected, so nothing waits on wall time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from covenant.api.app import create_app
from tests.api.support import AT, Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import PASSWORD, add_users


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-limits"))
    add_users(made)
    return made


def _sign_in(browser: Browser, name: str, password: str) -> tuple[int, str, dict[str, str]]:
    token = browser.csrf("/ui/sign-in")
    answer = browser.post(
        "/ui/sign-in", {"csrf": token, "name": name, "password": password, "next": "/ui/"}
    )
    return answer.status_code, answer.text, dict(answer.headers)


def test_a_name_is_refused_after_five_failures_on_any_process(shop: Shop) -> None:
    clock = Clock(AT)
    one = create_app(shop.settings, clock=clock)
    two = create_app(shop.settings, clock=clock)
    first, second = Browser(one, address="203.0.113.5"), Browser(two, address="203.0.113.6")
    for _ in range(4):
        status, text, _ = _sign_in(first, "ada", "wrong password!")
        assert status == 401
        assert "the name or the password is wrong" in text
        assert "wait" not in text
    status, text, _ = _sign_in(second, "ada", "wrong password!")  # the 5th, on the other app
    assert status == 401
    assert "wait 30 s before the next attempt" in text
    # the right password, from another address, on the first app: refused unchecked
    status, text, headers = _sign_in(first, "ada", PASSWORD)
    assert status == 429
    assert headers["retry-after"] == "30"
    assert "too many failed sign-ins for this name or from this address: try again in 30 s" in text
    assert "covenant_session" not in headers.get("set-cookie", "")
    clock.now = AT + timedelta(seconds=29)
    assert _sign_in(second, "ada", PASSWORD)[2]["retry-after"] == "1"
    clock.now = AT + timedelta(seconds=30)
    status, _, headers = _sign_in(second, "ada", PASSWORD)
    assert status == 303
    assert "covenant_session=" in headers["set-cookie"]
    # signed in: the name's failures are forgotten
    status, text, _ = _sign_in(Browser(one, address="203.0.113.7"), "ada", "wrong password!")
    assert (status, "wait" in text) == (401, False)


def test_an_address_is_refused_after_twenty_failures_whatever_the_name(shop: Shop) -> None:
    clock = Clock(AT + timedelta(days=1))
    app = create_app(shop.settings, clock=clock)
    guesser = Browser(app, address="198.51.100.23")
    for i in range(19):
        assert _sign_in(guesser, f"nobody-{i}", "wrong password!")[0] == 401
    csrf = guesser.csrf("/ui/sign-in")
    answer = guesser.post("/ui/sign-in", {"csrf": csrf, "token": "cvt_not-a-token", "next": "/ui/"})
    assert answer.status_code == 401  # the 20th: a token sign-in counts against the address
    assert "wait 30 s before the next attempt" in answer.text
    status, _, headers = _sign_in(guesser, "eve", PASSWORD)
    assert (status, headers["retry-after"]) == (429, "30")
    # another address is not held back, nor is the name "eve"
    assert _sign_in(Browser(app, address="198.51.100.24"), "eve", PASSWORD)[0] == 303
