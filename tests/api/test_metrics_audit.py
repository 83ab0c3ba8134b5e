"""``/metrics``: the audit log's hash chain (``covenant_audit_chain_*``), cheap to scrape — the
whole log read at a process's first scrape and once an hour after, the rows appended since
checked at every scrape in between (``services.audit_watch``). Counts and heads are read from
the table itself; edits are made to it behind Covenant's back, as a tamperer would."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from covenant.api.app import create_app
from covenant.services.store import open_store
from covenant.store.audit_tables import audit_log
from tests.api.support import AT, Client, Shop, make_shop

OK = "covenant_audit_chain_ok"
ROWS = "covenant_audit_chain_rows"
VERIFIED = "covenant_audit_chain_verified_timestamp_seconds"
CHECKED = "covenant_audit_chain_checked_timestamp_seconds"
BROKEN = "covenant_audit_chain_broken_row"


class Clock:
    def __init__(self) -> None:
        self.now = AT

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    return make_shop(Path(tmp_path_factory.mktemp("metrics-audit")))


def _scrape(client: Client, shop: Shop) -> dict[str, float]:
    answer = client.get("/metrics", shop.tokens["viewer"])
    assert answer.status_code == 200, answer.text
    return {
        s.name: s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
        if s.name.startswith("covenant_audit_chain")
    }


def _head(shop: Shop) -> tuple[int, int]:
    engine = open_store(shop.settings.database_url)
    try:
        with engine.connect() as conn:
            count = conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar_one()
            seq = conn.execute(sa.select(sa.func.max(audit_log.c.seq))).scalar_one()
    finally:
        engine.dispose()
    return count, seq


def _edit(shop: Shop, seq: int, reason: str | None) -> str | None:
    """Rewrite row ``seq``'s reason (its hash left as it was); the old reason back."""
    engine = open_store(shop.settings.database_url)
    row = audit_log.c.seq == seq
    try:
        with engine.begin() as conn:
            kept = conn.execute(sa.select(audit_log.c.reason).where(row)).scalar_one()
            conn.execute(sa.update(audit_log).where(row).values(reason=reason))
    finally:
        engine.dispose()
    return kept


def _ticket(client: Client, shop: Shop, ticket_id: str) -> None:
    made = client.request(
        "POST",
        "/api/v1/tickets",
        shop.tokens["editor"],
        json={"id": ticket_id, "customer": "globex", "priority": "P3", "created": "-1h"},
    )
    assert made.status_code == 201, made.text


def test_a_whole_chain_then_appended_rows_checked_without_reading_it_all(shop: Shop) -> None:
    clock = Clock()
    client = Client(create_app(shop.settings, clock=clock))
    count, seq = _head(shop)
    assert count == seq > 0  # the demo's rows, numbered from 1
    first = _scrape(client, shop)
    assert first == {OK: 1.0, ROWS: float(seq), VERIFIED: AT.timestamp(), CHECKED: AT.timestamp()}

    clock.now = AT + timedelta(minutes=5)
    _ticket(client, shop, "AUDIT-M-1")  # one row appended, by Covenant
    count, seq = _head(shop)
    later = _scrape(client, shop)
    assert later[OK] == 1.0
    assert later[ROWS] == float(seq) == float(count)
    assert later[VERIFIED] == AT.timestamp()  # not read whole again within the hour
    assert later[CHECKED] == clock.now.timestamp()
    assert BROKEN not in later


def test_an_edited_head_is_found_at_the_next_scrape_and_stays_until_read_whole(
    shop: Shop,
) -> None:
    clock = Clock()
    client = Client(create_app(shop.settings, clock=clock))
    assert _scrape(client, shop)[OK] == 1.0
    _, seq = _head(shop)
    kept = _edit(shop, seq, "rewritten behind Covenant's back")
    clock.now = AT + timedelta(minutes=1)
    broken = _scrape(client, shop)
    assert broken[OK] == 0.0
    assert broken[BROKEN] == float(seq)

    _edit(shop, seq, kept)  # restored: still reported broken until the whole log is read
    clock.now = AT + timedelta(minutes=2)
    assert _scrape(client, shop)[OK] == 0.0
    clock.now = AT + timedelta(hours=1, minutes=1)
    whole = _scrape(client, shop)
    assert whole[OK] == 1.0
    assert whole[VERIFIED] == clock.now.timestamp()
    assert BROKEN not in whole


def test_an_old_row_edited_is_found_by_the_hourly_whole_read(shop: Shop) -> None:
    clock = Clock()
    client = Client(create_app(shop.settings, clock=clock))
    assert _scrape(client, shop)[OK] == 1.0
    kept = _edit(shop, 3, "rewritten behind Covenant's back")
    try:
        clock.now = AT + timedelta(minutes=30)
        assert _scrape(client, shop)[OK] == 1.0  # only the rows after the head are read
        clock.now = AT + timedelta(hours=1)
        found = _scrape(client, shop)
        assert found[OK] == 0.0
        assert found[BROKEN] == 3.0
    finally:
        _edit(shop, 3, kept)
