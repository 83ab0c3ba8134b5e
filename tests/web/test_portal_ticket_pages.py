"""The portal's "Earlier tickets" (``/ui/portal``, its live part ``/ui/portal/tickets``): 50 a
page, newest first, with their count and Older/Newer links; the customer's own alone.

The demo's tickets are replaced by: Globex's 120 resolved tickets ``OLD-000``..``OLD-119``, one
a day from 1 January 2025 (none live), and ``LIVE-1`` (P1, opened 19 November 2026 10:00, never
answered: in the live table with its timers, not among the earlier ones); Initech's 30
tickets ``INI-000``..``INI-029`` at the same instants. Pages by hand: OLD-119..OLD-070,
OLD-069..OLD-020, OLD-019..OLD-000."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pytest
from sqlalchemy import delete

from covenant.core.tickets import StatusChange, Ticket
from covenant.services.store import open_store
from covenant.store import record_tables
from covenant.store.records import save_tickets
from tests.api.support import Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import add_users

DAY0 = datetime(2025, 1, 1, 10, 0, tzinfo=UTC)


def _old(customer: str, prefix: str, n: int) -> Ticket:
    created = DAY0 + timedelta(days=n)
    return Ticket(
        id=f"{prefix}-{n:03d}",
        customer=customer,
        priority="P3",
        created=created,
        history=(
            StatusChange(at=created, status="open"),
            StatusChange(at=created + timedelta(hours=1), status="resolved"),
        ),
        first_response=created + timedelta(minutes=5),
        resolved=created + timedelta(hours=1),
    )


LIVE = Ticket(
    id="LIVE-1",
    customer="globex",
    priority="P1",
    created=datetime(2026, 11, 19, 10, 0, tzinfo=UTC),
)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("portal-ticket-pages"))
    add_users(made)
    engine = open_store(made.settings.database_url)
    with engine.begin() as conn:
        conn.execute(delete(record_tables.tickets))
        save_tickets(
            conn,
            tickets=[
                *(_old("globex", "OLD", n) for n in range(120)),
                *(_old("initech", "INI", n) for n in range(30)),
                LIVE,
            ],
            at=datetime(2026, 11, 20, 12, tzinfo=UTC),
        )
    engine.dispose()
    return made


def _earlier(text: str) -> tuple[str, list[str], dict[str, str]]:
    """The section's summary, its tickets in order, and its links (rel → href)."""
    section = text.split('<details id="earlier-tickets"', 1)[1].split("</details>", 1)[0]
    summary = re.search(r"<summary>(.*?)</summary>", section, re.S)
    assert summary is not None
    ids = re.findall(r"<li>(\S+) \(", section)
    links = {
        rel: href.replace("&amp;", "&")
        for rel, href in re.findall(r'<a rel="(prev|next)" href="([^"]+)"', section)
    }
    return summary.group(1), ids, links


def _old_ids(first: int, last: int) -> list[str]:
    return [f"OLD-{n:03d}" for n in range(first, last - 1, -1)]


def test_earlier_tickets_are_paged_50_at_a_time_with_their_count(shop: Shop) -> None:
    gus = Browser(shop.client.app)
    gus.sign_in("gus")
    page = gus.get("/ui/portal")
    assert page.status_code == 200, page.text
    summary, ids, links = _earlier(page.text)
    assert summary == "Earlier tickets (120)"  # LIVE-1 is in the live table, not counted
    assert ids == _old_ids(119, 70)
    assert set(links) == {"next"}
    assert "LIVE-1" in page.text.split('<details id="earlier-tickets"', 1)[0]
    assert "50 of 120 shown, newest first" in page.text

    older = gus.get(links["next"])
    summary, ids, links2 = _earlier(older.text)
    assert (summary, ids) == ("Earlier tickets (120)", _old_ids(69, 20))
    assert set(links2) == {"prev", "next"}
    assert unquote(links2["next"].split("older=", 1)[1]).startswith("2025-01-21T10:00:00Z~OLD-020")
    assert '<details id="earlier-tickets" open>' in older.text  # a page asked for is shown

    oldest = gus.get(links2["next"])
    _, ids, links3 = _earlier(oldest.text)
    assert ids == _old_ids(19, 0)
    assert set(links3) == {"prev"}

    back = gus.get(links3["prev"])
    assert _earlier(back.text)[1] == _old_ids(69, 20)
    top = gus.get(_earlier(back.text)[2]["prev"])
    assert _earlier(top.text)[1] == _old_ids(119, 70)
    assert set(_earlier(top.text)[2]) == {"next"}

    # the live part, fetched again every 30 s, keeps the page it was shown with
    fragment = gus.get("/ui/portal/tickets?" + links["next"].split("?", 1)[1].split("#")[0])
    assert _earlier(fragment.text)[1] == _old_ids(69, 20)
    assert 'hx-get="/ui/portal/tickets?older=' in older.text


def test_a_customer_pages_through_its_own_tickets_alone(shop: Shop) -> None:
    ian, gus = Browser(shop.client.app), Browser(shop.client.app)
    ian.sign_in("ian")
    gus.sign_in("gus")
    page = ian.get("/ui/portal")
    summary, ids, links = _earlier(page.text)
    assert summary == "Earlier tickets (30)"
    assert ids == [f"INI-{n:03d}" for n in range(29, -1, -1)]
    assert links == {}
    assert "OLD-" not in page.text
    assert "LIVE-1" not in page.text
    # Globex's place given to Initech's pages positions them among Initech's tickets only
    placed = ian.get("/ui/portal?older=2025-01-11T10:00:00Z~OLD-010")
    # INI-010 opened at that instant and "INI-010" < "OLD-010": older than the place
    assert _earlier(placed.text)[1] == [f"INI-{n:03d}" for n in range(10, -1, -1)]
    # (the link the page refreshes by names the place it was asked for)
    assert "<li>OLD-" not in placed.text
    assert "<td>OLD-" not in placed.text
    # and the other way
    mine = gus.get("/ui/portal/tickets?older=2025-01-21T10:00:00Z~INI-020")  # OLD-020 is after
    assert _earlier(mine.text)[1] == _old_ids(19, 0)
    assert "<li>INI-" not in mine.text
    assert "<td>INI-" not in mine.text


@pytest.mark.parametrize(
    "query",
    [
        "older=yesterday",
        "older=2025-01-11T10:00:00~OLD-010",
        "newer=2025-01-11T10:00:00Z~",
        "older=",
    ],
)
def test_a_bad_place_is_refused_naming_the_parameter(shop: Shop, query: str) -> None:
    gus = Browser(shop.client.app)
    gus.sign_in("gus")
    answer = gus.get(f"/ui/portal?{query}")
    assert answer.status_code == 400, answer.text[:300]
    name = query.split("=", 1)[0]
    assert f"?{name}= is not a ticket" in answer.text
    assert "Older and Newer links" in answer.text
