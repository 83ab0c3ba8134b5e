"""Issued statements on both stores: Initech's November (New York time: 2026-11-01T04:00Z to
2026-12-01T05:00Z, 30 days and 1 hour = 2,595,600 s; fee 1,500.00 USD; credit 10 % below
99.9 %, 25 % below 99 %) issued on 10 December with one hour of downtime, then an incident of
16 h 40 min ingested late. The customer keeps the issued copy byte for byte; staff see the
difference; a reissue needs a reason and keeps revision 1."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from covenant.core.agreements import Incident
from covenant.errors import ConflictError, InputError, NotFoundError
from covenant.services.agreements import sync_agreements
from covenant.services.issued_statements import StatementAnswer, issue_statement, read_statement
from covenant.services.store import open_store
from covenant.services.workspace import load_workspace
from covenant.store.records import save_incidents
from tests.conftest import ROOT
from tests.stores import at_once

ISSUED_AT = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 15, 9, 0, tzinfo=UTC)
ELIGIBLE = 30 * 86400 + 3600  # November in New York: DST ended on 1 November
HOUR = Incident(
    id="INC-N1",
    services=("storefront",),
    start=datetime(2026, 11, 10, 10, 0, tzinfo=UTC),
    end=datetime(2026, 11, 10, 11, 0, tzinfo=UTC),
    severity="sev1",
)
LATE = Incident(
    id="INC-N2",
    services=("storefront",),
    start=datetime(2026, 11, 20, 0, 0, tzinfo=UTC),
    end=datetime(2026, 11, 20, 16, 40, tzinfo=UTC),  # 60,000 s
    severity="sev2",
)
KEY = ("initech-standard", 1, "storefront-uptime")


@pytest.fixture
def shop(tmp_path: Path, store_url: str) -> tuple[Path, Engine]:
    target = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    engine = open_store(store_url)
    sync_agreements(engine, workspace=load_workspace(target), at=ISSUED_AT, actor="test")
    with engine.begin() as conn:
        save_incidents(conn, incidents=[HOUR], at=ISSUED_AT - timedelta(days=20))
    yield target, engine
    engine.dispose()


def _issue(shop: tuple[Path, Engine], at: datetime = ISSUED_AT, **more: object):  # type: ignore[no-untyped-def]
    folder, engine = shop
    return issue_statement(
        engine,
        workspace=load_workspace(folder),
        customer="initech",
        period="2026-11",
        now=at,
        actor="cli:tester",
        **more,  # type: ignore[arg-type]
    )


def _read(shop: tuple[Path, Engine], *, staff: bool, live: bool = False):  # type: ignore[no-untyped-def]
    folder, engine = shop
    return read_statement(
        engine,
        workspace=load_workspace(folder),
        customer="initech",
        period="2026-11",
        at=LATER,
        now=LATER,
        staff=staff,
        live=live,
    )


def _stored(engine: Engine) -> list[dict]:  # type: ignore[type-arg]
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT revision, document, digest, issued_by, reason FROM issued_statements "
                "ORDER BY revision"
            )
        ).mappings()
        return [dict(r) for r in rows]


def test_the_customer_keeps_the_issued_copy_after_a_late_incident(
    shop: tuple[Path, Engine],
) -> None:
    made = _issue(shop)
    assert made.issued.revision == 1
    assert made.replaces is None
    _, engine = shop
    (row,) = _stored(engine)
    # the digest, computed here over the stored bytes
    assert hashlib.sha256(row["document"].encode("utf-8")).hexdigest() == row["digest"]
    issued = json.loads(row["document"])
    (a,) = issued["availability"]
    assert a["downtime_seconds"] == 3600
    assert Fraction(a["level"]["exact"]) == Fraction(ELIGIBLE - 3600, ELIGIBLE)
    assert a["credit"]["amount"] == {"amount": "150.00", "currency": "USD"}  # 10 % of 1,500
    assert issued["complete"] is True
    assert issued["generated_at"] == "2026-12-10T09:00:00Z"

    with engine.begin() as conn:  # recorded in December, in November
        save_incidents(conn, incidents=[LATE], at=ISSUED_AT + timedelta(days=2))

    customer = _read(shop, staff=False).json()
    assert customer.pop("issued") == {
        "issued_at": "2026-12-10T09:00:00Z",
        "revision": 1,
        "digest": row["digest"],
        "reason": None,
        "complete": True,
    }
    assert "restated" not in customer
    assert (
        json.dumps(customer, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        == (row["document"])
    )

    staff = _read(shop, staff=True).json()
    assert {k: v for k, v in staff.items() if k not in ("issued", "restated")} == issued
    restated = staff["restated"]
    assert restated["differs"] is True
    downtime = 3600 + 60000
    by_field = {c["field"]: c for c in restated["changes"] if c["commitment"] == KEY[2]}
    assert by_field["downtime_seconds"]["issued"] == 3600
    assert by_field["downtime_seconds"]["restated"] == downtime
    assert Fraction(by_field["level"]["restated"]["exact"]) == Fraction(
        ELIGIBLE - downtime, ELIGIBLE
    )
    # 1 - 63,600 / 2,595,600 = 97.55 %: below 99 %, at least 95 %: 25 % of 1,500.00
    assert by_field["credit"]["issued"] == {"amount": "150.00", "currency": "USD"}
    assert by_field["credit"]["restated"] == {"amount": "375.00", "currency": "USD"}
    totals = {c["field"]: c for c in restated["changes"] if c["commitment"] is None}
    assert totals["owed"]["restated"] == [{"amount": "375.00", "currency": "USD"}]

    live = _read(shop, staff=True, live=True)
    assert live.issued is None
    assert live.live is not None
    assert live.json()["credits"] == [{"amount": "375.00", "currency": "USD"}]


def test_issuing_again_is_refused_unless_changed_and_reissued_with_a_reason(
    shop: tuple[Path, Engine],
) -> None:
    _issue(shop)
    with pytest.raises(ConflictError, match="is the same: nothing to issue again"):
        _issue(shop, LATER, reissue=True, reason="again")
    _, engine = shop
    with engine.begin() as conn:
        save_incidents(conn, incidents=[LATE], at=LATER)
    with pytest.raises(ConflictError, match=r"credit 150\.00 USD → 375\.00 USD") as refused:
        _issue(shop, LATER)
    assert "--reissue" in (refused.value.hint or "")
    with pytest.raises(InputError, match="a reissue needs a reason"):
        _issue(shop, LATER, reissue=True)
    made = _issue(shop, LATER, reissue=True, reason="INC-N2 was recorded late")
    assert made.issued.revision == 2
    assert made.replaces is not None
    assert made.replaces.revision == 1
    first, second = _stored(engine)
    assert json.loads(first["document"])["credits"] == [{"amount": "150.00", "currency": "USD"}]
    assert json.loads(second["document"])["credits"] == [{"amount": "375.00", "currency": "USD"}]
    assert second["reason"] == "INC-N2 was recorded late"
    answer = _read(shop, staff=True).json()
    assert answer["issued"]["revision"] == 2
    assert answer["restated"] == {"differs": False, "changes": []}
    with engine.connect() as conn:
        audited = conn.execute(
            sa.text(
                "SELECT action, entity_kind, entity_id, actor, reason FROM audit_log "
                "WHERE entity_kind = 'statement' ORDER BY seq"
            )
        ).all()
    assert [tuple(r) for r in audited] == [
        ("issued", "statement", "initech/2026-11", "cli:tester", None),
        ("reissued", "statement", "initech/2026-11", "cli:tester", "INC-N2 was recorded late"),
    ]


def test_a_period_not_ended_or_provisional_is_refused(shop: tuple[Path, Engine]) -> None:
    with pytest.raises(InputError, match="2026-11 has not ended: it ends at 2026-12-01T05:00:00Z"):
        _issue(shop, datetime(2026, 11, 30, 12, 0, tzinfo=UTC))
    folder, engine = shop
    assert _stored(engine) == []
    globex = {"workspace": load_workspace(folder), "customer": "globex", "period": "2026-11"}
    # no request of checkout is stored: its availability is not covered at all
    with pytest.raises(ConflictError, match="do not cover all of globex-enterprise v1 checkout"):
        issue_statement(engine, **globex, now=ISSUED_AT, actor="cli:tester")  # type: ignore[arg-type]
    assert _stored(engine) == []
    forced = issue_statement(engine, **globex, now=ISSUED_AT, actor="cli:tester", force=True)  # type: ignore[arg-type]
    assert forced.issued.complete is False
    assert json.loads(forced.issued.document)["complete"] is False


def test_a_reading_before_the_issue_is_computed_for_staff_and_issued_for_the_customer(
    shop: tuple[Path, Engine],
) -> None:
    issued = _issue(shop).issued
    folder, engine = shop
    # an incident recorded after the issue: a reading from before the issue computes it in
    with engine.begin() as conn:
        save_incidents(conn, incidents=[LATE], at=LATER)

    def read(staff: bool) -> StatementAnswer:
        return read_statement(
            engine,
            workspace=load_workspace(folder),
            customer="initech",
            period="2026-11",
            at=ISSUED_AT - timedelta(hours=1),
            now=LATER,
            staff=staff,
        )

    earlier = read(staff=True)
    assert earlier.issued is None
    assert earlier.json()["generated_at"] == "2026-12-10T08:00:00Z"
    assert "issued" not in earlier.json()
    # the customer gets the copy it was given, byte for byte, not today's recomputation
    given = read(staff=False)
    assert given.issued is not None
    assert given.issued.revision == 1
    document = dict(given.json())
    assert document.pop("issued")["digest"] == issued.digest
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(canonical.encode()).hexdigest() == issued.digest


def test_two_issuers_at_once_store_one_revision(shop: tuple[Path, Engine]) -> None:
    def issue_or_refusal(_: int) -> str:
        try:
            return f"revision {_issue(shop).issued.revision}"
        except ConflictError as refused:
            same = "the statement computed now is the same: nothing to issue again"
            return "refused: the same" if same in refused.message else refused.message

    answers = sorted(at_once(issue_or_refusal, 2))
    assert answers == ["refused: the same", "revision 1"]
    _, engine = shop
    assert [r["revision"] for r in _stored(engine)] == [1]


def test_an_earlier_revision_is_read_by_its_number(shop: tuple[Path, Engine]) -> None:
    folder, engine = shop

    def read(revision: int, *, staff: bool, at: datetime = LATER):  # type: ignore[no-untyped-def]
        return read_statement(
            engine,
            workspace=load_workspace(folder),
            customer="initech",
            period="2026-11",
            at=at,
            now=LATER,
            staff=staff,
            revision=revision,
        )

    with pytest.raises(NotFoundError, match="initech 2026-11 is not issued") as unissued:
        read(1, staff=False)
    assert "--issue" not in unissued.value.message
    _issue(shop)
    with engine.begin() as conn:
        save_incidents(conn, incidents=[LATE], at=LATER)
    _issue(shop, LATER, reissue=True, reason="INC-N2 was recorded late")
    first, second = _stored(engine)

    customer = read(1, staff=False).json()
    assert customer.pop("issued")["revision"] == 1
    assert "restated" not in customer
    assert (
        json.dumps(customer, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        == (first["document"])
    )
    # staff: revision 1 against the statement computed now (375.00 USD)
    staff = read(1, staff=True).json()
    assert staff["credits"] == [{"amount": "150.00", "currency": "USD"}]
    assert staff["restated"]["differs"] is True
    assert read(2, staff=False).json()["issued"]["digest"] == second["digest"]
    with pytest.raises(NotFoundError, match=r"initech 2026-11 has no revision 3") as missing:
        read(3, staff=False)
    assert "its revisions: 1, 2" in missing.value.message
    # a reading at an instant before revision 2 was issued knows revision 1 only
    with pytest.raises(NotFoundError, match="has no revision 2 issued at 2026-12-11") as before:
        read(2, staff=False, at=ISSUED_AT + timedelta(days=1))
    assert "its revisions then: 1" in before.value.message
