"""The example shop tells its story: the demo is run by tests so it never rots."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from covenant.config import Settings, sqlite_url
from covenant.core.results import Status
from covenant.errors import InputError
from covenant.services.demo import run_demo
from tests.conftest import ROOT

AT = datetime(2026, 10, 31, 9, 30, tzinfo=UTC)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    target = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    shutil.copytree(ROOT / "examples" / "proposals", tmp_path / "proposals")
    return target


def test_demo_story(shop: Path) -> None:
    summary = run_demo(Settings(workspace=shop, database_url=sqlite_url(shop)), at=AT, days=35)
    by_slo = {e.objective.slo: e for e in summary.report.evaluations}
    assert set(by_slo) == {
        "checkout-availability",
        "checkout-latency",
        "checkout-monthly",
        "payments-availability",
        "search-availability",
        "storefront-availability",
        "support-response",
        "shopping-journey",  # the composite's components
    }
    assert by_slo["checkout-availability"].status is Status.PAGING
    assert [t.name for t in by_slo["checkout-availability"].firing][:1] == ["page-fast"]
    assert by_slo["checkout-monthly"].status in (Status.PAGING, Status.BREACHED)
    assert by_slo["checkout-latency"].status is Status.BREACHED
    assert by_slo["search-availability"].status is Status.WARNING
    assert by_slo["payments-availability"].status is Status.OK
    assert by_slo["storefront-availability"].status is Status.OK
    assert by_slo["support-response"].total > 0  # measured from the generated tickets
    # The weekly failover is corrected away: the corrected SLI is better than the raw one.
    i = [e.objective.slo for e in summary.report.evaluations].index("payments-availability")
    corrected = summary.report.corrected[i]
    assert corrected.evaluation is not None
    assert corrected.windows
    raw_sli = summary.report.evaluations[i].sli
    assert raw_sli is not None
    assert corrected.evaluation.sli is not None
    assert corrected.evaluation.sli > raw_sli
    assert summary.report.audit["payments-weekly-failover"].author == "sre-payments@shop.example"
    # The composite journey is evaluated as a whole.
    assert [c.evaluation.objective.slo for c in summary.report.composites] == ["shopping-journey"]
    assert summary.report.needs_attention
    assert (shop / ".covenant" / "covenant.db").exists()
    # Both customers get a statement for the month in progress; checkout's outage costs Globex.
    statements = {s.customer: s for s in summary.statements}
    assert set(statements) == {"globex", "initech"}
    assert statements["globex"].period_label == "2026-10"
    assert not statements["globex"].complete
    (globex_uptime,) = statements["globex"].availability
    assert globex_uptime.met is False
    assert statements["globex"].credits
    # The money at risk: Globex's running outage projects a worse tier before the month ends.
    assert summary.exposure is not None
    globex = next(c for c in summary.exposure.customers if c.customer == "globex")
    (risk,) = globex.commitments
    assert any(x.projected for x in risk.crossings)
    assert risk.expected_credit is not None
    assert risk.worst_case_credit is not None
    assert risk.owed_now is not None
    # The expected credit is the tier credits weighted by their chances (to the cent), between
    # what is locked in (the statement's credit so far) and the worst case, which is never
    # milder than a tier with a chance of 0.5 % or more (docs/exposure.md).
    assert risk.tiers
    assert abs(sum(t.probability for t in risk.tiers) - 1) < 1e-9
    weighted = sum(Decimal(repr(t.probability)) * t.credit.amount for t in risk.tiers)
    assert abs(risk.expected_credit.amount - weighted) <= Decimal("0.01")
    likely = [t.credit.amount for t in risk.tiers if t.probability >= 0.005]
    assert likely
    assert risk.worst_case_credit.amount >= max(likely)
    assert risk.owed_now.amount <= risk.expected_credit.amount <= risk.worst_case_credit.amount
    assert risk.owed_now.amount == sum(c.amount for c in statements["globex"].credits)
    assert risk.owed_now.amount > 0  # the running outage has already cost a credit
    # The amendment under negotiation costs more than the terms in force would have.
    assert summary.backtest is not None
    difference = summary.backtest.difference()
    assert difference  # something was compared
    assert all(m.amount > 0 for m in difference)
    # Running again rebuilds the store rather than adding the traffic twice.
    again = run_demo(Settings(workspace=shop, database_url=sqlite_url(shop)), at=AT, days=35)
    assert [e.total for e in again.report.evaluations] == [
        e.total for e in summary.report.evaluations
    ]


def test_demo_refuses_a_shared_database(shop: Path) -> None:
    with pytest.raises(InputError, match="COVENANT_DATABASE_URL"):
        run_demo(Settings(workspace=shop, database_url="postgresql://elsewhere/db"), at=AT)


def test_a_window_longer_than_the_data_reads_only_the_data(shop: Path) -> None:
    """A 99 999-day rolling window must not allocate 274 years of buckets."""
    slos = shop / "slos.yaml"
    slos.write_text(slos.read_text().replace("- duration: 28d", "- duration: 99999d", 1))
    summary = run_demo(Settings(workspace=shop, database_url=sqlite_url(shop)), at=AT, days=35)
    (long_window,) = [
        e for e in summary.report.evaluations if e.objective.slo == "checkout-availability"
    ]
    assert long_window.total > 0
    assert long_window.window_start.year < 1800  # the window is what was asked for
