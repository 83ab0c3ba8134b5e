"""An agreement's history page shows the events `covenant agreements history --format json`
prints for the same store, oldest first, and says when the hash chain is broken (an event
edited with SQL outside Covenant), naming what the command names."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.services.store import open_store
from covenant.store.agreement_tables import agreement_events, agreements
from tests.api.support import Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import add_users

NAME = "globex-enterprise"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-agreement-history"))
    add_users(made)
    return made


def _viewer(shop: Shop) -> Browser:
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    return browser


def _cli(shop: Shop, name: str) -> tuple[int, dict[str, Any]]:
    args = ["agreements", "history", name, "--format", "json", "-w", str(shop.workspace)]
    found = CliRunner().invoke(app, args)
    return found.exit_code, json.loads(found.stdout)


def _rows(text: str) -> list[list[str]]:
    body = text.split('<table class="history">', 1)[1].split("<tbody>", 1)[1]
    body = body.split("</tbody>", 1)[0]
    return [
        [" ".join(html.unescape(re.sub(r"<[^>]+>", "", c)).split()) for c in cells]
        for cells in (
            re.findall(r"<td[^>]*>(.*?)</td>", r, flags=re.S)
            for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
        )
    ]


def _text(answer: Any) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", answer.text)).split())


def test_the_page_lists_the_events_the_command_prints(shop: Shop) -> None:
    browser = _viewer(shop)
    agreement = browser.get(f"/ui/agreements/{NAME}")
    assert f'href="/ui/agreements/{NAME}/history"' in agreement.text
    page = browser.get(f"/ui/agreements/{NAME}/history")
    assert page.status_code == 200, page.text
    code, printed = _cli(shop, NAME)
    assert code == 0
    events = printed["events"]
    assert events[0]["event"] == "created"  # the demo's sync made it
    assert [(r[0], r[1], r[3], r[5], r[7]) for r in _rows(page.text)] == [
        (str(e["seq"]), e["at"][:16].replace("T", " "), e["event"], e["actor"], e["hash"][:16])
        for e in events
    ]
    assert f"The hash chain is intact: {len(events)} event" in _text(page)


def test_an_event_edited_outside_covenant_breaks_the_chain_on_the_page(shop: Shop) -> None:
    engine = open_store(shop.settings.database_url)
    owner = sa.select(agreements.c.id).where(agreements.c.name == "initech-standard")
    first = (agreement_events.c.agreement_id == owner.scalar_subquery()) & (
        agreement_events.c.seq == 1
    )
    try:
        with engine.begin() as conn:
            kept = conn.execute(sa.select(agreement_events.c.actor).where(first)).scalar_one()
            conn.execute(sa.update(agreement_events).where(first).values(actor="mallory"))
        page = _viewer(shop).get("/ui/agreements/initech-standard/history")
        code, printed = _cli(shop, "initech-standard")
    finally:
        with engine.begin() as conn:
            conn.execute(sa.update(agreement_events).where(first).values(actor=kept))
        engine.dispose()
    assert code == 1
    assert printed["intact"] is False
    assert printed["problems"]
    text = _text(page)
    assert "The hash chain is broken" in text
    for problem in printed["problems"]:
        assert " ".join(problem.split()) in text
    assert _rows(page.text)[0][5] == "mallory"


def test_an_unknown_agreement_is_a_not_found_page(shop: Shop) -> None:
    page = _viewer(shop).get("/ui/agreements/no-such-deal/history")
    assert page.status_code == 404
    assert "no agreement named 'no-such-deal' in the store" in _text(page)
