"""A filter value that matches nothing says so on stderr, with the closest name.

`covenant evaluate --slo chekout-availability` used to print an empty table ("no SLO to show")
and exit 0, as if the workspace had no such SLO problem at all. The shop's definitions are
evaluated without any data (no store content is needed to know the names): the store holds
only the synced agreements.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.services.selection import unmatched
from tests.conftest import ROOT

runner = CliRunner()


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("typos") / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    synced = runner.invoke(app, ["agreements", "sync", "-w", str(target)])  # creates the store
    assert synced.exit_code == 0, synced.output
    return target


def test_unmatched_keeps_only_the_patterns_that_match_no_name() -> None:
    names = ["checkout-availability", "search-availability"]
    assert unmatched(["checkout-*", "nope", "search-availability", "x*"], names) == ["nope", "x*"]
    assert unmatched([], names) == []
    assert unmatched(["a"], []) == ["a"]


def test_a_misspelt_slo_is_named_with_the_closest_slo(shop: Path) -> None:
    args = ["evaluate", "-w", str(shop), "--at", "2026-10-31T09:30:00Z"]
    result = runner.invoke(app, [*args, "--slo", "chekout-availability", "--service", "nope"])
    assert result.exit_code == 0, result.output
    assert (
        "warning: --slo 'chekout-availability' matches nothing — did you mean "
        "'checkout-availability'?" in result.stderr
    )
    assert "warning: --service 'nope' matches nothing — known: checkout, payments" in (
        result.stderr
    )
    matched = runner.invoke(app, [*args, "--slo", "checkout-*", "--service", "checkout"])
    assert matched.exit_code == 0, matched.output
    assert "matches nothing" not in matched.stderr
    assert "checkout-availability" in matched.stdout


def test_a_misspelt_customer_in_exposure_is_named(shop: Path) -> None:
    args = ["exposure", "-w", str(shop), "--at", "2026-10-31T09:30:00Z"]
    result = runner.invoke(app, [*args, "--customer", "globx", "--agreement", "nope*"])
    assert result.exit_code == 0, result.output
    assert "warning: --customer 'globx' matches nothing — did you mean 'globex'?" in (result.stderr)
    assert "warning: --agreement 'nope*' matches nothing" in result.stderr


def test_a_folder_without_slos_says_so(tmp_path: Path) -> None:
    """`covenant evaluate` in the wrong folder printed an empty table and exit 0, nothing else."""
    result = runner.invoke(app, ["evaluate", "-w", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"warning: no SLO is defined in {tmp_path}" in result.stderr
    assert "covenant init DIR" in result.stderr


def test_a_workspace_with_slos_has_no_such_warning(shop: Path) -> None:
    result = runner.invoke(app, ["evaluate", "-w", str(shop), "--at", "2026-10-31T09:30:00Z"])
    assert result.exit_code == 0, result.output
    assert "no SLO is defined" not in result.stderr
