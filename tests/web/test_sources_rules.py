"""The sources page offers what Prometheus and Grafana are given: the generated rule file (and
its PrometheusRule form) and a dashboard per service to download — the same bytes as the API
and the commands — and lists each objective left out with why."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.api.support import Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import USERS, add_users

V1 = "/api/v1"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-sources-rules"))
    add_users(made)
    return made


def test_the_page_links_the_rules_and_dashboards_and_says_what_is_left_out(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    page = browser.get("/ui/sources")
    assert page.status_code == 200, page.text
    text = html.unescape(page.text)
    # examples/shop/slos.yaml: payments counts minutes (Timeslices), storefront
    # RatioTimeslices, and the shopping journey is a composite
    for left_out, why in (
        ("payments-availability", "Timeslices counts time slices"),
        ("storefront-availability", "RatioTimeslices counts time slices"),
        ("shopping-journey", "a composite SLO"),
    ):
        assert f"{left_out} gets no rules: {why}" in re.sub(r"<[^>]+>", "", text)
    viewer = shop.tokens["viewer"]
    links = [  # the rules and dashboards (the definitions and series set aside: other tests)
        link
        for link in re.findall(r'href="(/ui/sources/[^"]+)"', text)
        if link.startswith(("/ui/sources/rules.yml", "/ui/sources/dashboards/"))
    ]
    assert links[:2] == ["/ui/sources/rules.yml", "/ui/sources/rules.yml?format=prometheusrule"]
    for link, api in zip(links[:2], ("", "?format=prometheusrule"), strict=True):
        saved = browser.get(link)
        assert saved.status_code == 200, saved.text
        assert "attachment" in saved.headers["content-disposition"]
        assert "content-length" not in saved.headers  # sent as made, not built whole first
        assert saved.text == shop.client.get(f"{V1}/rules/prometheus{api}", viewer).text
    boards = shop.client.get(f"{V1}/dashboards/grafana", viewer).json()["items"]
    assert links[2:] == [f"/ui/sources/dashboards/{b['file']}.json" for b in boards]
    for link, board in zip(links[2:], boards, strict=True):
        saved = browser.get(link)
        assert saved.status_code == 200, saved.text
        api = shop.client.get(f"{V1}/dashboards/grafana/{board['file']}", viewer)
        assert saved.text == api.text
    assert browser.get("/ui/sources/dashboards/nowhere.json").status_code == 404
    wrong = browser.get("/ui/sources/rules.yml?format=xml")  # not served as the plain rules
    assert wrong.status_code == 422, wrong.text
    assert "format" in html.unescape(wrong.text)


def test_the_page_offers_the_definitions_as_the_export_command_writes_them(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    page = browser.get("/ui/sources")
    assert 'href="/ui/sources/openslo.yaml" download' in page.text
    saved = browser.get("/ui/sources/openslo.yaml")
    assert saved.status_code == 200, saved.text
    assert saved.headers["content-disposition"] == 'attachment; filename="openslo.yaml"'
    assert saved.headers["content-type"].startswith("application/yaml")
    written = CliRunner().invoke(app, ["export", "openslo", "-w", str(shop.workspace)])
    assert written.exit_code == 0, written.output
    assert saved.text == written.stdout
    assert "apiVersion: openslo/v1" in saved.text
    assert "name: checkout-availability" in saved.text  # an SLO of examples/shop


def test_the_page_shows_the_schema_revision_the_db_command_prints(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("ada")
    page = browser.get("/ui/sources")
    printed = CliRunner().invoke(
        app, ["db", "current", "--format", "json", "-w", str(shop.workspace)]
    )
    assert printed.exit_code == 0, printed.output
    report = json.loads(printed.stdout)
    assert report["behind"] is False  # the shop's store was made by this version
    store = " ".join(
        html.unescape(
            re.sub(r"<[^>]+>", " ", page.text.split('id="store"', 1)[1].split("</dl>")[0])
        ).split()
    )
    assert f"Store {report['store']}" in store
    assert f"Schema revision {', '.join(report['to'])}" in store
    assert f"This version's newest {', '.join(report['head'])} — up to date" in store
    assert report["to"] == report["head"]


@pytest.mark.parametrize("user", ["eve", "vic"])
def test_the_store_is_shown_to_admins_only_as_get_db_answers_it(shop: Shop, user: str) -> None:
    """``GET /api/v1/db`` is for admins: an editor's or a viewer's page names no store."""
    assert shop.client.get(f"{V1}/db", shop.tokens[USERS[user][0]]).status_code == 403
    browser = Browser(shop.client.app)
    browser.sign_in(user)
    page = browser.get("/ui/sources")
    assert page.status_code == 200, page.text
    assert 'id="store"' not in page.text
    assert shop.settings.database_url.split("://", 1)[0] + "://" not in page.text
