"""The portal's ticket timers (``/ui/portal/tickets``) are the staff's (the agreement's Ticket
timers page): the tickets created in the period in progress and every one still open however
long ago it was created, a reopened ticket with its latest cycle only.

Globex's enterprise support (the demo shop, calendar time): P1 30 minutes to a first response
and 4 hours to a resolution; read at 2026-11-20 12:00 UTC, in the period that began on 1
November in Europe/Berlin. Worked out by hand below."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from covenant.core.tickets import StatusChange, Ticket
from covenant.services.store import open_store
from covenant.store.records import save_tickets
from tests.api.support import Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import add_users


def _at(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


TICKETS = [
    # 1 September 10:00 — three periods back — answered at 10:10 (met), never resolved: the
    # resolution was due 14:00 that day (breached); still open, so live
    Ticket(
        id="PORTAL-OLD",
        customer="globex",
        priority="P1",
        created=_at(9, 1, 10),
        first_response=datetime(2026, 9, 1, 10, 10, tzinfo=UTC),
    ),
    # 2 November 09:00, answered 09:10 (met), resolved 10:00 (1 of 4 h: met), reopened 20
    # November 10:00: cycle 2 is 2 of 4 hours in at 12:00 (at-risk-50) — the one shown
    Ticket(
        id="PORTAL-BACK",
        customer="globex",
        priority="P1",
        created=_at(11, 2, 9),
        first_response=datetime(2026, 11, 2, 9, 10, tzinfo=UTC),
        history=(
            StatusChange(at=_at(11, 2, 9), status="open"),
            StatusChange(at=_at(11, 2, 10), status="resolved"),
            StatusChange(at=_at(11, 20, 10), status="open"),
        ),
    ),
    # 3 November 09:00, answered 09:10 (met), resolved 15:00 (6 h > 4 h: breached), reopened
    # 20 November 11:30: cycle 2 is 30 minutes in, but the breach stands — breached
    Ticket(
        id="PORTAL-LATE",
        customer="globex",
        priority="P1",
        created=_at(11, 3, 9),
        first_response=datetime(2026, 11, 3, 9, 10, tzinfo=UTC),
        history=(
            StatusChange(at=_at(11, 3, 9), status="open"),
            StatusChange(at=_at(11, 3, 15), status="resolved"),
            StatusChange(at=datetime(2026, 11, 20, 11, 30, tzinfo=UTC), status="open"),
        ),
    ),
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("portal-timers"))
    add_users(made)
    engine = open_store(made.settings.database_url)
    with engine.begin() as conn:
        save_tickets(conn, tickets=TICKETS, at=datetime(2026, 11, 20, 12, tzinfo=UTC))
    engine.dispose()
    return made


def _cells(text: str) -> list[list[str]]:
    rows = re.findall(r"<tr><td>.*?</tr>", text, re.S)
    return [
        [re.sub(r"<[^>]+>", " ", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
        for r in rows
    ]


def _portal(text: str) -> set[tuple[str, str, str]]:
    """(ticket, timer, state) of the portal's table: each timer's ``data-timer`` and
    ``data-state`` (its words are in the customer's language)."""
    found = set()
    for row in re.findall(r"<tr><td>.*?</tr>", text, re.S):
        ticket = re.sub(r"<[^>]+>", "", re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[0]).strip()
        timers = re.findall(r'data-timer="([a-z-]+)" data-state="([a-z0-9-]+)"', row)
        found |= {(ticket, kind, state) for kind, state in timers}
    return found


def test_the_portal_shows_the_staffs_live_timers(shop: Shop) -> None:
    customer, staff = Browser(shop.client.app), Browser(shop.client.app)
    customer.sign_in("gus")
    staff.sign_in("vic")
    portal = _portal(customer.get("/ui/portal/tickets").text)
    mine = {x for x in portal if x[0].startswith("PORTAL-")}
    assert mine == {
        ("PORTAL-OLD", "first-response", "met"),
        ("PORTAL-OLD", "resolution", "breached"),
        ("PORTAL-BACK", "first-response", "met"),
        ("PORTAL-BACK", "resolution", "at-risk-50"),  # cycle 2; cycle 1's "met" is not shown
        ("PORTAL-LATE", "first-response", "met"),
        ("PORTAL-LATE", "resolution", "breached"),  # cycle 2, carrying cycle 1's breach
    }
    page = staff.get("/ui/agreements/globex-enterprise/timers").text
    timers = {(r[0].strip(), r[2].strip(), r[3].split()[0]) for r in _cells(page) if len(r) == 5}
    assert portal == timers  # every ticket's timers, the same on both pages
    late = [
        r for r in _cells(page) if r[0].strip() == "PORTAL-LATE" and r[2].strip() == "resolution"
    ]
    assert [" ".join(r[3].split()) for r in late] == ["breached reopened after cycle 1 breached"]
    mine_text = customer.get("/ui/portal/tickets").text
    assert "breached</span> (reopened after cycle 1 breached)" in mine_text
    whole = customer.get("/ui/portal/tickets").text
    earlier = whole.split("<details>", 1)[1] if "<details>" in whole else ""
    assert "PORTAL-OLD" not in earlier  # live, not among the earlier tickets without timers
