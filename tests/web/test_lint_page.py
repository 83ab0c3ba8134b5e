"""The lint page shows the findings `covenant lint --format json` prints for the same workspace,
with the command's --margin, --agreement and --strict, and its verdict."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.api.support import Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import add_users


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-lint"))
    add_users(made)
    return made


def _viewer(shop: Shop) -> Browser:
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    return browser


def _cli(shop: Shop, *args: str) -> dict[str, Any]:
    found = CliRunner().invoke(app, ["lint", "--format", "json", "-w", str(shop.workspace), *args])
    assert found.exit_code in (0, 1), found.output
    document: dict[str, Any] = json.loads(found.stdout)
    return document


def _rows(text: str) -> list[tuple[str, ...]]:
    if '<table class="findings">' not in text:
        return []
    body = text.split('<table class="findings">', 1)[1].split("<tbody>", 1)[1]
    body = body.split("</tbody>", 1)[0]
    return [
        tuple(" ".join(html.unescape(re.sub(r"<[^>]+>", "", c)).split()) for c in cells)
        for cells in (
            re.findall(r"<td[^>]*>(.*?)</td>", r, flags=re.S)
            for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
        )
    ]


def _expected(document: dict[str, Any]) -> list[tuple[str, ...]]:
    return [
        (f["severity"], f["code"], f["agreement"], f["commitment"], f["fix"])
        for f in document["findings"]
    ]


def _verdict(answer: Any) -> str:
    found = re.search(r'id="verdict">(.*?)</p>', answer.text, flags=re.S)
    assert found is not None
    return " ".join(html.unescape(found.group(1)).split())


@pytest.mark.parametrize(
    ("query", "args"),
    [
        ({}, []),
        ({"agreement": "initech-*"}, ["--agreement", "initech-*"]),
        ({"margin": "0.5"}, ["--margin", "0.5"]),
        ({"strict": "1"}, ["--strict"]),
    ],
)
def test_the_page_shows_what_the_command_prints(
    shop: Shop, query: dict[str, str], args: list[str]
) -> None:
    page = _viewer(shop).get("/ui/lint", params=query)
    assert page.status_code == 200, page.text
    printed = _cli(shop, *args)
    assert [(r[0], r[1], r[2], r[4], r[7]) for r in _rows(page.text)] == _expected(printed)
    s = printed["summary"]
    verdict = _verdict(page)
    assert verdict.startswith(
        ("Failed" if s["failed"] else "Passed") + f": {s['findings']} finding"
    )
    assert f"({s['errors']} error" in verdict
    assert f"required margin {printed['required_margin']['points']} points" in verdict


def test_the_demo_has_findings_and_a_wider_margin_finds_more(shop: Shop) -> None:
    browser = _viewer(shop)
    assert 'href="/ui/lint"' in browser.get("/ui/agreements").text
    usual = _rows(browser.get("/ui/lint").text)
    assert usual  # the demo's initech-standard has findings (tests/api/test_row_filters.py)
    linked = re.findall(r'href="(/ui/slos/[^"]+)"', browser.get("/ui/lint").text)
    assert linked  # a finding names its backing SLO, linked to its page
    assert browser.get(linked[0]).status_code == 200
    assert len(_rows(browser.get("/ui/lint", params={"margin": "5"}).text)) > len(usual)
    assert _rows(browser.get("/ui/lint", params={"agreement": "nothing-*"}).text) == []


def test_a_bad_margin_is_an_error_page_naming_it(shop: Shop) -> None:
    page = _viewer(shop).get("/ui/lint", params={"margin": "lots"})
    assert page.status_code == 400
    assert "margin:" in " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())
