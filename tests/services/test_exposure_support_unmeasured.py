"""A support commitment that cannot be measured (its business calendar is missing: an agreement
version recorded over the API naming a calendar the workspace lacks) costs only its own rows.

The demo shop on Friday 20 November 2026 at 12:00 UTC, with the workspace's calendars taken
away: Globex's ``business-hours-support`` counts business hours of calendar ``berlin-support``
(examples/shop/contracts.yaml), so neither it nor anything else of Globex's support can be
measured. Its availability commitments and Initech's are untouched by that; the worker never
measures support for its forecasts (no alert and no gauge reads a support penalty).
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from covenant.config import Settings, sqlite_url
from covenant.core.notices import NoticeKind
from covenant.definitions.workspace import Workspace
from covenant.render.exposure import exposure_json, render_exposure_table
from covenant.services.demo import run_demo
from covenant.services.exposure import exposure
from covenant.services.ingest import open_store
from covenant.services.worker_agreements import agreement_conditions
from covenant.services.workspace import load_workspace
from tests.conftest import ROOT

AT = datetime(2026, 11, 20, 12, tzinfo=UTC)
MISSING = "no calendar named 'berlin-support'"
# the availability commitments in force, as examples/shop/contracts.yaml writes them
AVAILABILITY = {
    ("globex-enterprise", "checkout-uptime"),
    ("initech-standard", "storefront-uptime"),
}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("unmeasured") / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    run_demo(Settings(workspace=target, database_url=sqlite_url(target)), at=AT, days=60)
    return target


def without_calendars(shop: Path) -> Workspace:
    return replace(load_workspace(shop), prometheus=None, calendars=())


def test_the_worker_forecasts_credits_without_measuring_support(shop: Path) -> None:
    engine = open_store(sqlite_url(shop))
    found = agreement_conditions(engine, workspace=without_calendars(shop), now=AT)
    assert NoticeKind.FORECAST_CREDIT not in found.unknown
    assert not [p for p in found.problems if p.startswith("forecast")]
    assert found.exposure is not None
    rows = {(c.agreement, c.commitment) for cu in found.exposure.customers for c in cu.commitments}
    assert rows == AVAILABILITY
    assert [s for cu in found.exposure.customers for s in cu.support] == []


def test_exposure_notes_the_support_it_cannot_measure_per_row(shop: Path) -> None:
    engine = open_store(sqlite_url(shop))
    found = exposure(engine, workspace=without_calendars(shop), at=AT, now=AT)
    rows = {(c.agreement, c.commitment) for cu in found.customers for c in cu.commitments}
    assert rows == AVAILABILITY
    (globex,) = [cu for cu in found.customers if cu.customer == "globex"]
    assert {s.commitment: s.state for s in globex.support} == {
        "enterprise-support": "not-measured",
        "business-hours-support": "not-measured",
    }
    for s in globex.support:
        assert s.note is not None
        assert s.note.startswith("support not measured: ")
        assert MISSING in s.note
        assert (s.incurred, s.worst_case) == (None, None)
    assert globex.support_incurred == ()
    doc = exposure_json(found)
    (row, _) = next(c for c in doc["customers"] if c["customer"] == "globex")["support"]
    assert row["state"] == "not-measured"
    assert MISSING in row["note"]


def test_the_table_says_why_under_the_support_rows(shop: Path) -> None:
    engine = open_store(sqlite_url(shop))
    found = exposure(engine, workspace=without_calendars(shop), at=AT, now=AT)
    console = Console(record=True, width=200)
    render_exposure_table(console, found, wide=True)
    flat = " ".join(console.export_text().split())
    assert f"Globex Corporation business-hours-support: support not measured: {MISSING}" in flat
    assert "Globex Corporation enterprise-support: support not measured" in flat
