"""The agreement page's live ticket timers (``/ui/agreements/{name}/timers``) show the tickets
created in the current period and those still open though created before it: a ticket opened
two days before the period began and never resolved is breached there; one created and resolved
last period is not shown; one reopened this period shows its new cycle only
(the earlier cycle's resolution did not hold: it no longer counts).

Globex's enterprise support (the demo shop, in calendar time): P1 30 minutes to a first response
and 4 hours to a resolution; the page is read at 2026-11-20 12:00 UTC, in the period that began
on 1 November in Europe/Berlin (31 October 23:00 UTC). Deadlines are worked out by hand."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from covenant.api.app import create_app
from covenant.core.tickets import StatusChange, Ticket
from covenant.services.store import open_store
from covenant.store.records import save_tickets
from tests.api.support import AT, Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import add_users


def _at(day: int, hour: int, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


TICKETS = [
    # 30 October 00:00, never answered nor resolved: first response due 00:30, resolution 04:00
    Ticket(id="LIVE-OLD", customer="globex", priority="P1", created=_at(30, 0)),
    # created and resolved on 30 October: not shown
    Ticket(
        id="LIVE-GONE",
        customer="globex",
        priority="P1",
        created=_at(30, 9),
        first_response=datetime(2026, 10, 30, 9, 10, tzinfo=UTC),
        resolved=_at(30, 12),
    ),
    # created on 29 October 10:00, answered at 10:10 (due 10:30: met), resolved at 12:00 (due
    # 14:00: met), reopened on 20 November 11:00: the new cycle is due 15:00, 1 of 4 hours in
    Ticket(
        id="LIVE-BACK",
        customer="globex",
        priority="P1",
        created=_at(29, 10),
        first_response=datetime(2026, 10, 29, 10, 10, tzinfo=UTC),
        resolved=_at(29, 12),
        history=(
            StatusChange(at=_at(29, 10), status="open"),
            StatusChange(at=_at(29, 12), status="resolved"),
            StatusChange(at=_at(20, 11, month=11), status="open"),
        ),
    ),
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-timers"))
    add_users(made)
    engine = open_store(made.settings.database_url)
    with engine.begin() as conn:
        save_tickets(conn, tickets=TICKETS, at=AT)
    engine.dispose()
    return made


def _rows(text: str) -> list[list[str]]:
    rows = re.findall(r"<tr><td>.*?</tr>", text, re.S)
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
        for r in rows
    ]


def test_open_tickets_of_the_previous_period_are_shown_live(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    page = browser.get("/ui/agreements/globex-enterprise/timers")
    assert page.status_code == 200
    mine = [r for r in _rows(page.text) if r[0].startswith("LIVE-")]
    assert mine == [  # breached first, then running, then met (by deadline)
        ["LIVE-OLD", "P1", "first-response", "breached", "2026-10-30 00:30"],
        ["LIVE-OLD", "P1", "resolution", "breached", "2026-10-30 04:00"],
        ["LIVE-BACK", "P1", "resolution", "running", "2026-11-20 15:00"],
        ["LIVE-BACK", "P1", "first-response", "met", "2026-10-29 10:30"],
        # its first cycle's resolution (met at 12:00, due 14:00) did not hold: not shown
    ]
    # the whole agreement page carries the same live part
    whole = browser.get("/ui/agreements/globex-enterprise")
    assert [r for r in _rows(whole.text) if r and r[0].startswith("LIVE-")] == mine


def test_an_open_ticket_stays_on_the_page_after_its_agreement_is_terminated(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Terminated at 12:00 (the shop's clock), globex-enterprise is in force no more; LAPSE-1,
    opened under it at 10:00 and never answered, is still governed by it: its first response
    (due 10:30) is breached, its resolution (due 14:00, 2 of 4 hours used) at risk."""
    made = make_shop(tmp_path_factory.mktemp("web-timers-lapsed"))
    add_users(made)
    engine = open_store(made.settings.database_url)
    with engine.begin() as conn:
        lapse = Ticket(id="LAPSE-1", customer="globex", priority="P1", created=_at(20, 10, 11))
        save_tickets(conn, tickets=[lapse], at=AT)
    engine.dispose()
    ended = made.client.request(
        "POST",
        "/api/v1/agreements/globex-enterprise/versions/1/terminate",
        made.tokens["admin"],
    )
    assert ended.status_code == 200, ended.text
    browser = Browser(made.client.app)
    browser.sign_in("vic")
    page = browser.get("/ui/agreements/globex-enterprise/timers")
    assert page.status_code == 200
    assert [r for r in _rows(page.text) if r[0] == "LAPSE-1"] == [
        ["LAPSE-1", "P1", "first-response", "breached", "2026-11-20 10:30"],
        ["LAPSE-1", "P1", "resolution", "at-risk-50", "2026-11-20 14:00"],
    ]
    # on 5 December no version was in force all month (no statement): the page still shows
    # the ticket, under the agreement that governs it
    december = create_app(made.settings, clock=lambda: datetime(2026, 12, 5, 12, 0, tzinfo=UTC))
    later = Browser(december)
    later.sign_in("vic")
    whole = later.get("/ui/agreements/globex-enterprise")
    assert whole.status_code == 200
    assert "No version of globex-enterprise is in force now" in whole.text
    assert [r for r in _rows(whole.text) if r and r[0] == "LAPSE-1"] == [
        ["LAPSE-1", "P1", "first-response", "breached", "2026-11-20 10:30"],
        ["LAPSE-1", "P1", "resolution", "breached", "2026-11-20 14:00"],
    ]
