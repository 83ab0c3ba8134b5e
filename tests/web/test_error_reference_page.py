"""The error reference on pages: every code as `GET /api/v1/errors` lists it, one code's
explanation as `covenant explain CODE` prints it, and a staff member's error page linking its
code there (a customer's does not: the reference is for the staff, as over the API)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.api.support import Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import add_users

V1 = "/api/v1"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-errors"))
    add_users(made)
    return made


def _signed_in(shop: Shop, name: str) -> Browser:
    browser = Browser(shop.client.app)
    browser.sign_in(name)
    return browser


def _text(answer: Any) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", answer.text)).split())


def test_the_codes_page_lists_what_the_api_lists(shop: Shop) -> None:
    page = _signed_in(shop, "vic").get("/ui/errors")
    assert page.status_code == 200, page.text
    listed = shop.client.get(f"{V1}/errors", shop.tokens["viewer"]).json()["errors"]
    assert len(listed) > 20
    shown = re.findall(r'<a href="/ui/errors/([^"]+)"><code>', page.text)
    assert shown == [e["code"] for e in listed]
    assert "not-found" in shown  # a code every error page of a missing thing carries


def test_a_code_is_explained_as_the_command_explains_it(shop: Shop) -> None:
    page = _signed_in(shop, "vic").get("/ui/errors/not-found")
    assert page.status_code == 200, page.text
    printed = CliRunner().invoke(app, ["explain", "not-found"])
    assert printed.exit_code == 0, printed.output
    explained = page.text.split('id="explained">', 1)[1].split("</div>", 1)[0]
    paragraphs = [html.unescape(p) for p in re.findall(r"<p>(.*?)</p>", explained, flags=re.S)]
    api = shop.client.get(f"{V1}/errors/not-found", shop.tokens["viewer"]).json()
    assert "\n\n".join(paragraphs) == api["text"]
    for paragraph in paragraphs:  # the command prints the same words, wrapped for a terminal
        assert " ".join(paragraph.split()) in " ".join(printed.stdout.split())


def test_an_unknown_code_names_the_codes_spelled_like_it(shop: Shop) -> None:
    page = _signed_in(shop, "vic").get("/ui/errors/not-fund")
    assert page.status_code == 404
    assert "'not-fund' is not a Covenant error or problem code; did you mean: not-found" in _text(
        page
    )


def test_an_error_page_links_its_code_for_the_staff_only(shop: Shop) -> None:
    staff = _signed_in(shop, "vic").get("/ui/agreements/no-such-deal")
    assert staff.status_code == 404
    assert 'href="/ui/errors/not-found">what it means</a>' in staff.text
    customer = _signed_in(shop, "gus").get("/ui/overview")
    assert customer.status_code == 403
    assert "/ui/errors/" not in customer.text
    assert _signed_in(shop, "gus").get("/ui/errors/forbidden").status_code == 403
