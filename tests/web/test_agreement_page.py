"""An agreement's page for the team shows the figures the API gives for the same instant: the
forecast's money, the period's credits, the incidents on its services; and its versions."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from covenant.cli.main import app as cli
from covenant.services.exposure import exposure as exposure_service
from covenant.services.store import open_store
from covenant.services.workspace import load_workspace
from tests.api.support import AT, Shop, make_shop
from tests.api.test_lifecycle import amendment
from tests.web.pages import Browser
from tests.web.served import add_users


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-agreement"))
    add_users(made)
    return made


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def _cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]


def _money(m: dict[str, str] | None) -> str:
    return "–" if m is None else f"{m['amount']} {m['currency']}"


def test_the_page_shows_the_apis_figures(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    page = browser.get("/ui/agreements/globex-enterprise")
    assert page.status_code == 200
    token = shop.tokens["viewer"]
    exposure = shop.client.get("/api/v1/exposure", token).json()
    expected = [
        [f"v1: {c['commitment']}"]
        + [_money(c[k]) for k in ("owed_now", "expected_credit", "worst_case_credit")]
        for customer in exposure["customers"]
        for c in customer["commitments"]
        if c["agreement"] == "globex-enterprise"
    ]
    assert expected  # the demo's checkout-uptime has a forecast
    rows = re.findall(r"<tr><td>.*?</tr>", _section(page.text, "h-forecast"), re.S)
    shown = [[c[0], c[3], c[4], c[5]] for c in map(_cells, rows)]
    assert shown == expected
    # each commitment's notes (partial coverage, data ending before now) under the table
    notes = [
        f"v1: {c['commitment']}: {'; '.join(c['notes'])}."
        for customer in exposure["customers"]
        for c in customer["commitments"]
        if c["agreement"] == "globex-enterprise" and c["notes"]
    ]
    assert notes  # the demo's records end before the pinned instant: said so
    found = re.findall(r'<p class="muted small">(.*?)</p>', _section(page.text, "h-forecast"))
    assert [html.unescape(n) for n in found] == notes
    credits = shop.client.get("/api/v1/customers/globex/credits?period=2026-11", token).json()
    period = _section(page.text, "h-period")
    for line in credits["commitments"]:
        row = next(
            r for r in re.findall(r"<tr><td>.*?</tr>", period, re.S) if line["commitment"] in r
        )
        assert _cells(row)[4] == _money(line["credit"]), line["commitment"]
    incidents = shop.client.get(
        "/api/v1/incidents?start=2026-09-19T12:00:00Z&end=2026-11-20T12:00:00Z", token
    ).json()["items"]
    on_its_services = {  # Globex's services, for Globex or for everyone
        i["id"]
        for i in incidents
        if {"checkout", "storefront"} & set(i["services"])
        and (not i["customers"] or "globex" in i["customers"])
    }
    assert on_its_services
    listed = set(re.findall(r"<li>(INC-\d+):", _section(page.text, "h-incidents")))
    assert listed == on_its_services


# The demo's Globex forecast at the pinned instant (2026-11-20 12:00Z): its crossings as the
# API answers them, and the same instants on the agreement's wall clock (Europe/Berlin, CET in
# November: UTC+1), the day named as an ordinal, worked out by hand.
CROSSINGS = {
    "2026-11-20T11:51:37Z": "Globex Corporation's November credit became 10 % on the 20th"
    " (2026-11-20 12:51 CET)",
    "2026-11-20T12:14:33Z": "At this rate, Globex Corporation's November credit becomes 25 % on"
    " the 20th (2026-11-20 13:14 CET)",
    "2026-11-23T03:28:43Z": "At this rate, Globex Corporation's November credit becomes 50 % on"
    " the 23rd (2026-11-23 04:28 CET)",
}
TIER_ROW = re.compile(
    r'<tr><th scope="row">(.*?)</th><td class="num"><data value="([^"]+)">(.*?)</data></td>'
    r'<td class="num">(.*?)</td></tr>'
)


def test_the_forecast_shows_each_tiers_chance_and_the_crossings(shop: Shop) -> None:
    """The chance of each credit tier is the exposure's (``covenant exposure``: the API's
    answer), to the tenth of a percent; the chances sum to 1; the crossings are dated on the
    agreement's clock; the customer's portal shows none of it."""
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    section = _section(browser.get("/ui/agreements/globex-enterprise").text, "h-forecast")
    exposure = shop.client.get("/api/v1/exposure", shop.tokens["viewer"]).json()
    (c,) = [
        c
        for customer in exposure["customers"]
        for c in customer["commitments"]
        if c["agreement"] == "globex-enterprise"
    ]
    assert c["no_forecast"] is None
    shown = [(html.unescape(n), float(p), t, m) for n, p, t, m in TIER_ROW.findall(section)]
    assert [(n, p, m) for n, p, _, m in shown] == [
        (t["tier"] or "no credit", t["probability"], _money(t["credit"])) for t in c["tiers"]
    ]
    assert abs(sum(p for _, p, _, _ in shown) - 1) < 1e-5  # rounded to 6 places each
    engine = open_store(shop.settings.database_url)
    try:  # the exposure service itself, at the same pinned instant
        service = exposure_service(engine, workspace=load_workspace(shop.workspace), at=AT)
    finally:
        engine.dispose()
    (computed,) = [
        c for cu in service.customers for c in cu.commitments if c.agreement == "globex-enterprise"
    ]
    assert [p for _, p, _, _ in shown] == [round(t.probability, 6) for t in computed.tiers]
    # the API's probabilities (0, 0.115076, 0.71162, 0.173303) to a tenth of a percent
    assert [t for _, _, t, _ in shown] == ["0.0 %", "11.5 %", "71.2 %", "17.3 %"]
    assert [m for _, _, _, m in shown] == ["0.00 EUR", "800.00 EUR", "2000.00 EUR", "4000.00 EUR"]
    # 846287/864000 = 0.9794988..., 1283/1440 = 0.8909722..., 8633/8640 = 0.9991898...
    assert (c["projected_level"]["exact"], c["band"]["low"]["exact"]) == (
        "846287/864000",
        "1283/1440",
    )
    assert c["band"]["high"]["exact"] == "8633/8640"
    assert "Projected level 97.949 %, 90 % likely between 89.097 % and 99.918 %" in section
    assert [x["at"] for x in c["crossings"]] == list(CROSSINGS)
    items = re.findall(r'<li>(.*?)\(<time datetime="([^"]+)">(.*?)</time>\)</li>', section)
    assert {i: html.unescape(f"{s}({w})") for s, i, w in items} == CROSSINGS
    # Initech's chances (API: 0, 0.999999, 1e-06, 0) round to neither 100 % nor 0 %
    initech = _section(browser.get("/ui/agreements/initech-standard").text, "h-forecast")
    assert [html.unescape(t) for _, _, t, _ in TIER_ROW.findall(initech)] == [
        "0.0 %",
        "> 99.9 %",
        "< 0.1 %",
        "0.0 %",
    ]
    customer = Browser(shop.client.app)
    customer.sign_in("gus")
    portal = customer.get("/ui/portal")
    assert portal.status_code == 200
    for internal in ("Chance of ending", "likely between", "at this rate", "71.2 %"):
        assert internal not in html.unescape(portal.text)
    assert customer.get("/ui/agreements/globex-enterprise").status_code == 403


def test_an_editor_drafts_an_amendment_from_the_version_in_force(shop: Shop) -> None:
    editor = Browser(shop.client.app)
    editor.sign_in("eve")
    page = editor.get("/ui/agreements/initech-standard").text
    prefilled = re.search(r'name="level:storefront-uptime" value="([^"]+)"', page)
    assert prefilled is not None
    assert prefilled.group(1) == "99.9"  # the YAML's level, as written
    csrf = editor.csrf("/ui/agreements/initech-standard")
    form = {
        "csrf": csrf,
        "base": "1",
        "effective_from": "2027-01-01",
        "reason": "storefront promise raised",
        "level:storefront-uptime": "99.9",
    }
    made = editor.post("/ui/agreements/initech-standard/amend", form)
    assert made.status_code == 303, made.text
    token = shop.tokens["viewer"]
    versions = shop.client.get("/api/v1/agreements/initech-standard/versions", token).json()
    draft = versions["items"][-1]
    assert made.headers["location"].endswith(f"#v{draft['version']}")
    assert (draft["status"], draft["reason"]) == ("draft", "storefront promise raised")
    assert draft["availability"] == versions["items"][0]["availability"]  # the terms copied
    assert draft["fees"] == versions["items"][0]["fees"]
    for change, words in (
        ({"effective_from": "next year"}, "effective from 'next year' is not a date"),
        ({"reason": " "}, "an amendment needs its reason"),
    ):
        refused = editor.post("/ui/agreements/initech-standard/amend", {**form, **change})
        assert refused.status_code == 400
        assert words in html.unescape(refused.text)
    viewer = Browser(shop.client.app)
    viewer.sign_in("vic")
    assert "Draft an amendment" not in viewer.get("/ui/agreements/initech-standard").text
    csrf = viewer.csrf("/ui/agreements/initech-standard")
    refused = viewer.post("/ui/agreements/initech-standard/amend", {**form, "csrf": csrf})
    assert refused.status_code == 403
    after = shop.client.get("/api/v1/agreements/initech-standard/versions", token).json()
    assert len(after["items"]) == len(versions["items"])  # nothing more was drafted


def test_a_draft_is_backtested_from_its_page(shop: Shop) -> None:
    """The page's credits per period equal the API's backtest of the same terms, sent as the
    Agreement document written here from the example YAML and the amendment."""
    draft = amendment(shop)
    made = shop.client.request(
        "POST", "/api/v1/agreements/globex-enterprise/versions", shop.tokens["editor"], json=draft
    )
    assert made.status_code == 201, made.text
    number = made.json()["version"]["version"]
    yaml = YAML(typ="safe")
    documents = list(yaml.load_all((shop.workspace / "contracts.yaml").read_text()))
    (doc,) = [d for d in documents if d and d["metadata"]["name"] == "globex-enterprise"]
    doc["spec"]["versions"].append({**draft, "version": number, "status": "draft"})
    params = {"first": "2026-09", "last": "2026-11", "version": str(number)}
    api = shop.client.request(
        "POST",
        "/api/v1/backtests/agreement",
        shop.tokens["viewer"],
        params=params,
        content=json.dumps(doc, default=str),
        headers={"Content-Type": "application/yaml"},
    )
    assert api.status_code == 200, api.text
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    page = browser.get(
        f"/ui/agreements/globex-enterprise/versions/{number}/backtest?first=2026-09&last=2026-11"
    )
    assert page.status_code == 200, page.text
    rows = [_cells(r) for r in re.findall(r"<tr><td>.*?</tr>", page.text, re.S)]
    by_period = {row[0]: row[1] for row in rows}
    expected = api.json()
    assert sorted(by_period) == ["2026-09", "2026-10", "2026-11"]
    for period, shown in by_period.items():
        owed: dict[str, Decimal] = {}
        for row in expected["proposed"]["periods"]:
            if row["period"] == period and row["credit"] is not None:
                credit = row["credit"]
                owed[credit["currency"]] = owed.get(credit["currency"], Decimal(0)) + Decimal(
                    credit["amount"]
                )
        assert shown == ", ".join(f"{amount} {cur}" for cur, amount in sorted(owed.items()))
    # each commitment's level per period, under the draft and under the terms in force: those
    # ``covenant backtest agreement --format json`` prints for the same terms and instant
    proposal = shop.workspace.parent / "globex-draft.yaml"
    proposal.write_text(json.dumps(doc, default=str))  # JSON is YAML
    printed = CliRunner().invoke(
        cli,
        [
            *("backtest", "agreement", str(proposal), "--from", "2026-09", "--to", "2026-11"),
            *("--version", str(number), "--at", "2026-11-20T12:00:00Z"),
            *("-w", str(shop.workspace), "--format", "json"),
        ],
        env={"COVENANT_DATABASE_URL": shop.settings.database_url, "COLUMNS": "200"},
    )
    assert printed.exit_code == 0, printed.output
    cli_json = json.loads(printed.stdout)

    def levels(periods: list[dict[str, Any]], label: str) -> list[tuple[str, str | None]]:
        return [(p["commitment"], p["level"]["exact"]) for p in periods if p["period"] == label]

    rows_html = re.findall(r"<tr><td>(.*?)</td>(.*?)</tr>", page.text, re.S)
    assert [label for label, _ in rows_html] == ["2026-09", "2026-10", "2026-11"]
    for label, rest in rows_html:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", rest, re.S)
        shown = [
            [(name, exact or None) for name, exact in LEVEL.findall(cell)] for cell in cells[3:5]
        ]
        current = [p for v in cli_json["current"] for p in v["periods"]]
        assert shown == [
            levels(cli_json["proposed"]["periods"], label),
            levels(current, label),
        ], label
        assert all(exact for side in shown for _, exact in side)  # the demo has data throughout


LEVEL = re.compile(r'<li>([\w.-]+): (?:<data value="([^"]+)">|no data)')


def test_reversed_backtest_periods_name_the_pages_parameters(shop: Shop) -> None:
    # regression: the error page said "--from 2026-11 is after --to 2026-09", the CLI's options
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    page = browser.get(
        "/ui/agreements/globex-enterprise/versions/1/backtest?first=2026-11&last=2026-09"
    )
    assert page.status_code == 400, page.text
    assert "the first parameter 2026-11 is after the last parameter 2026-09" in page.text
    assert "--from" not in page.text
