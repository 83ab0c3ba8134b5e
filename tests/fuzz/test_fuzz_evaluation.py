"""What validates evaluates: mutated SLOs, corrections and contracts that pass validation are
synced, evaluated, reported and forecast on the demo store without a traceback."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covenant.config import Settings, sqlite_url
from covenant.definitions.workspace import load_workspace
from covenant.errors import CovenantError
from covenant.services.agreements import sync_agreements
from covenant.services.demo import run_demo
from covenant.services.evaluate import evaluate_objectives
from covenant.services.exposure import exposure
from covenant.services.ingest import open_store
from covenant.services.sla import report_statement
from tests.conftest import ROOT
from tests.fuzz.harness import FUZZ, PLAUSIBLE, coded, scalar_replacements

AT = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
SEEDS = {
    name: (ROOT / "examples" / "shop" / name).read_text()
    for name in ("contracts.yaml", "slos.yaml", "slis.yaml", "corrections.yaml")
}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("fuzz-eval") / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    run_demo(Settings(workspace=target, database_url=sqlite_url(target)), at=AT, days=35)
    return target


def use(shop: Path) -> bool:
    """Validate, then use what validated; whether it validated."""
    found = coded(lambda: load_workspace(shop))
    if isinstance(found, CovenantError):
        return False
    workspace = found
    engine = open_store(sqlite_url(shop))
    try:
        coded(
            lambda: evaluate_objectives(
                engine,
                objectives=workspace.objectives,
                at=AT,
                composites=workspace.composites,
                corrections=workspace.corrections,
            )
        )
        coded(lambda: sync_agreements(engine, workspace=workspace, at=AT, dry_run=True))
        for customer in ("initech", "globex"):
            coded(
                lambda customer=customer: report_statement(  # type: ignore[misc]
                    engine, workspace=workspace, customer=customer, period="2026-11", at=AT
                )
            )
        coded(lambda: exposure(engine, workspace=workspace, at=AT))
    finally:
        engine.dispose()
    return True


def test_what_validates_evaluates(shop: Path) -> None:
    validated: list[bool] = []

    @settings(FUZZ, max_examples=40)
    @given(st.data())
    def run(data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(sorted(SEEDS)))
        (shop / name).write_text(data.draw(scalar_replacements(SEEDS[name], PLAUSIBLE)))
        try:
            validated.append(use(shop))
        finally:
            (shop / name).write_text(SEEDS[name])

    run()
    assert sum(validated) >= 5, validated  # the run reached evaluation, not only validation
