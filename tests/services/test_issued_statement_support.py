"""An issued statement and a ticket reopened after it, on both stores.

Initech's agreement in this workspace takes effect on 16 November 2026 (New York) and adds a
support commitment: P1 tickets answered within 30 min and resolved within 4 h, 95 % of them,
else a penalty of 5 % of the period's fee. Ticket T-1, created on 20 November, is answered in
10 min and resolved in 2 h: November is met, no penalty, and is issued on 10 December. On 12
December T-1 is reopened and resolved 6 h later: its latest cycle breached the 4 h target (a
breach stands, docs/sla.md "Reopened tickets"), P1 attainment is 0 of 1 and the penalty is
owed. The customer keeps the issued copy byte for byte; staff see the penalty in ``restated``.

The penalty, by hand (docs/sla.md "Support", "Credits"): 5 % of the fee for the period, pro rata
the part of November the version was in force. November in New York runs from
2026-11-01T04:00Z to 2026-12-01T05:00Z: 2,595,600 s (DST ended on 1 November). The version is
in force from 2026-11-16T05:00Z (midnight EST): 15 days = 1,296,000 s. 1,500.00 × 1,296,000 /
2,595,600 = 748.9598 USD; 5 % of it = 37.44799 USD, rounded half-up to the cent: 37.45 USD.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from covenant.core.tickets import StatusChange, Ticket
from covenant.services.agreements import sync_agreements
from covenant.services.issued_statements import issue_statement, read_statement
from covenant.services.store import open_store
from covenant.services.workspace import load_workspace
from covenant.store.records import save_tickets
from tests.conftest import ROOT

ISSUED_AT = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 15, 9, 0, tzinfo=UTC)
SUPPORT = """\
      support:
        - name: tickets
          targets:
            P1: {firstResponse: 30m, resolution: 4h}
          attainment: 95
          penalty: {percent: 5}
"""


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


FIRST = (
    StatusChange(at=at(20, 14), status="open"),
    StatusChange(at=at(20, 16), status="resolved"),  # 2 h: within 4 h
)
RESOLVED = Ticket(
    id="T-1",
    customer="initech",
    priority="P1",
    created=at(20, 14),
    history=FIRST,
    first_response=at(20, 14, 10),
    resolved=at(20, 16),
)
REOPENED = Ticket(
    id="T-1",
    customer="initech",
    priority="P1",
    created=at(20, 14),
    history=(
        *FIRST,
        StatusChange(at=at(12, 9, month=12), status="open"),
        StatusChange(at=at(12, 15, month=12), status="resolved"),  # 6 h: over 4 h
    ),
    first_response=at(20, 14, 10),
    resolved=at(12, 15, month=12),
)


def penalty_by_hand() -> str:
    share = Fraction(1_296_000, 2_595_600)  # the part of November version 1 was in force
    exact = Fraction(5, 100) * Fraction(150000, 100) * share
    cents = Decimal(exact.numerator) / Decimal(exact.denominator)
    return str(cents.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@pytest.fixture
def shop(tmp_path: Path, store_url: str) -> tuple[Path, Engine]:
    target = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    contracts = target / "contracts.yaml"
    text = contracts.read_text(encoding="utf-8")
    initech = text.index("  name: initech-standard")
    head, tail = text[:initech], text[initech:]
    tail = tail.replace("effectiveFrom: 2026-01-01", "effectiveFrom: 2026-11-16", 1)
    tail = tail.replace(
        "          backedBy: [storefront-availability]\n",
        "          backedBy: [storefront-availability]\n" + SUPPORT,
        1,
    )
    contracts.write_text(head + tail, encoding="utf-8")
    engine = open_store(store_url)
    sync_agreements(engine, workspace=load_workspace(target), at=at(17, 9), actor="test")
    with engine.begin() as conn:
        save_tickets(conn, tickets=[RESOLVED], at=at(20, 17))
    yield target, engine
    engine.dispose()


def _read(shop: tuple[Path, Engine], *, staff: bool):  # type: ignore[no-untyped-def]
    folder, engine = shop
    return read_statement(
        engine,
        workspace=load_workspace(folder),
        customer="initech",
        period="2026-11",
        at=LATER,
        now=LATER,
        staff=staff,
    )


def test_a_ticket_reopened_after_the_issue_changes_the_penalty_for_staff_only(
    shop: tuple[Path, Engine],
) -> None:
    folder, engine = shop
    assert penalty_by_hand() == "37.45"
    made = issue_statement(
        engine,
        workspace=load_workspace(folder),
        customer="initech",
        period="2026-11",
        now=ISSUED_AT,
        actor="cli:tester",
    )
    issued = json.loads(made.issued.document)
    assert issued["complete"] is True
    (support,) = issued["support"]
    assert support["met"] is True
    assert support["penalty"] is None
    resolution = [a for a in support["attainment"] if a["timer"] == "resolution"]
    assert [(a["met"], a["breached"]) for a in resolution] == [(1, 0)]
    assert issued["penalties"] == []

    with engine.begin() as conn:  # the ticketing tool's export on 12 December
        counts = save_tickets(conn, tickets=[REOPENED], at=at(12, 16, month=12))
    assert counts.updated == 1

    customer = _read(shop, staff=False)
    answer = customer.json()
    assert answer.pop("issued")["digest"] == made.issued.digest
    assert "restated" not in answer
    text = json.dumps(answer, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert text == made.issued.document
    assert customer.issued_html() == made.issued.html
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT document, html FROM issued_statements")).one()
    assert (stored[0], stored[1]) == (made.issued.document, made.issued.html)

    restated = _read(shop, staff=True).json()["restated"]
    assert restated["differs"] is True
    penalty = {"amount": penalty_by_hand(), "currency": "USD"}
    by_field = {c["field"]: c for c in restated["changes"] if c["commitment"] == "tickets"}
    assert by_field["met"] == {
        "agreement": "initech-standard",
        "version": 1,
        "commitment": "tickets",
        "field": "met",
        "issued": True,
        "restated": False,
    }
    assert by_field["penalty"]["issued"] is None
    assert by_field["penalty"]["restated"] == penalty
    totals = {c["field"]: c for c in restated["changes"] if c["commitment"] is None}
    assert totals["penalties"] == {
        "agreement": None,
        "version": None,
        "commitment": None,
        "field": "penalties",
        "issued": [],
        "restated": [penalty],
    }
    assert totals["owed"]["restated"] == [penalty]


def test_the_penalty_names_its_pro_rated_fee(shop: tuple[Path, Engine]) -> None:
    """The penalty's arithmetic as the statement shows it: the fee pro rata exactly as the 5 %
    is taken of it (1,500.00 × 1,296,000 / 2,595,600 = 748.95977808…, shown cut after six
    decimals), never the rounded 748.96 (5 % of which is 37.448, the same cent here, but not
    a figure the penalty was computed from)."""
    from covenant.render.statement_view import statement_view  # noqa: PLC0415

    folder, engine = shop
    with engine.begin() as conn:
        save_tickets(conn, tickets=[REOPENED], at=at(12, 16, month=12))
    answer = read_statement(
        engine,
        workspace=load_workspace(folder),
        customer="initech",
        period="2026-11",
        at=LATER,
        now=LATER,
        staff=True,
        live=True,
    )
    assert answer.live is not None
    (section,) = statement_view(answer.live)["support"]
    assert (
        "$1,500.00 for the whole period, pro rata for 15\u00a0d of 30\u00a0d 1\u00a0h",
        "$748.959778…",
    ) in section.steps
    assert ("5% of $748.959778…", f"${penalty_by_hand()}") in section.steps
    assert answer.json()["support"][0]["penalty_pro_rata"] == {
        "period_fee": "1500.00",
        "in_force_seconds": 1_296_000,
        "period_seconds": 2_595_600,
        "fee": "748.9597780859916782246879334",  # 28 digits: Decimal's default precision
    }
