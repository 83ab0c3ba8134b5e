"""Every error under /ui is an HTML page (404, 405, 400, 422, 403, 500), with the UI's security
headers; the API keeps its JSON errors; and a customer's error pages name nothing internal."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from covenant.services import evaluate, issued_statements, sla
from tests.api.support import Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import add_users
from tests.web.test_portal import USER, forbidden_words

SECRET = "boom-checkout-monthly-internal-detail"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-errors"))
    add_users(made)
    return made


def _is_page(answer: httpx.Response, status: int, code: str) -> str:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in answer.headers["content-security-policy"]
    text = answer.text
    assert f"<title>{status}: {code} · Covenant</title>" in text
    assert f"<code>{code}</code>" in text
    assert 'href="/ui/"' in text  # the way back
    return text


def test_framework_errors_under_ui_are_pages(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    text = _is_page(browser.get("/ui/no-such-page"), 404, "not-found")
    assert "There is no page at this address." in text
    assert 'href="/ui/sign-in"' in text  # signed out: offered the sign-in form
    _is_page(browser.get("/ui/static/no-such-file.css"), 404, "not-found")
    _is_page(browser.get("/ui/sign-out"), 405, "method-not-allowed")
    _is_page(browser.get("/ui/overview?q=a%00b"), 400, "invalid-input")
    browser.sign_in("vic")
    text = _is_page(browser.get("/ui/no-such-page"), 404, "not-found")
    assert "vic (viewer)" in text  # the signed-in header, no sign-in link
    assert 'href="/ui/sign-in"' not in text
    text = _is_page(
        browser.get("/ui/agreements/globex-enterprise/versions/first/backtest"),
        422,
        "invalid-input",
    )
    assert "path.number: Input should be a valid integer" in text
    _is_page(browser.post("/ui/overview", {}), 405, "method-not-allowed")
    _is_page(browser.get("/ui/agreements/no-such-agreement"), 404, "not-found")
    _is_page(browser.get("/ui/overview?status=splendid"), 400, "invalid-input")


def test_the_api_keeps_its_json_errors(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    for path, status, code in (
        ("/api/v1/no-such-route", 404, "not-found"),
        ("/api/v1/slos?q=a%00b", 400, "invalid-input"),
        ("/uix", 404, "not-found"),  # not under /ui
    ):
        answer = browser.get(path)
        assert answer.status_code == status, path
        assert answer.headers["content-type"] == "application/json", path
        assert answer.json()["code"] == code, path


def test_an_unexpected_failure_is_a_safe_500_page(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> object:
        raise RuntimeError(SECRET)

    monkeypatch.setattr(evaluate, "evaluate_workspace", broken)
    browser = Browser(shop.client.app, raise_app_exceptions=False)
    browser.sign_in("ada")
    text = _is_page(browser.get("/ui/overview"), 500, "internal-error")
    assert "Something went wrong on our side" in text
    assert SECRET not in text
    assert "RuntimeError" not in text
    assert "Traceback" not in text
    assert "ada (admin)" not in text  # a 500 page reads nothing, not even the session
    api = browser.get("/api/v1/no-such-route")
    assert api.headers["content-type"] == "application/json"


@pytest.mark.parametrize("customer", ["globex", "initech"])
def test_a_customers_error_pages_name_nothing_internal(
    shop: Shop, customer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = Browser(shop.client.app, raise_app_exceptions=False)
    browser.sign_in(USER[customer])
    answers = {
        "/ui/checkout-monthly": (404, "not-found"),  # an internal name typed into the address
        "/ui/slos/checkout-monthly": (403, "forbidden"),
        "/ui/agreements/globex-enterprise": (403, "forbidden"),
        "/ui/agreements/initech-standard/versions/x/backtest": (422, "invalid-input"),
        # (a bad period is named back in its message: the customer's own words, so not one of
        # the workspace's names here)
        "/ui/portal/statements/2026-99": (400, "invalid-period-option"),
        "/ui/portal?q=checkout-monthly%00": (400, "invalid-input"),
        "/ui/sign-out": (405, "method-not-allowed"),
    }
    texts = {path: _is_page(browser.get(path), *expected) for path, expected in answers.items()}

    def broken(*_: object, **__: object) -> object:
        raise RuntimeError(SECRET + " globex initech checkout-monthly")

    monkeypatch.setattr(sla, "report_statement", broken)
    # the portal reads a statement through the issued ones (computed when none is issued)
    monkeypatch.setattr(issued_statements, "report_statement", broken)
    texts["500"] = _is_page(browser.get("/ui/portal/statements/2026-11"), 500, "internal-error")
    for path, text in texts.items():
        assert SECRET not in text
        for word in forbidden_words(shop, customer):
            assert word not in text, f"{word!r} leaks through {path}"
