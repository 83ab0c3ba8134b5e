"""A resolution target shorter than the first-response target is warned about (a slip: the two
swapped, or a unit wrong); `P1 {firstResponse: 4h, resolution: 30m}` used to pass unnoticed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from covenant.definitions.workspace import analyse

SHOP = Path(__file__).parents[2] / "examples" / "shop"
WRITTEN = "P1: {firstResponse: 30m, resolution: 4h}"


def contracts_with(tmp_path: Path, targets: str) -> Path:
    """The shop's definitions with globex's P1 targets written as ``targets``."""
    shop = tmp_path / "shop"
    shutil.copytree(SHOP, shop, ignore=shutil.ignore_patterns(".covenant"))
    text = (shop / "contracts.yaml").read_text()
    assert WRITTEN in text
    (shop / "contracts.yaml").write_text(text.replace(WRITTEN, f"P1: {targets}"))
    return shop


def line_of(path: Path, needle: str) -> int:
    (line,) = [i for i, t in enumerate(path.read_text().splitlines(), 1) if needle in t]
    return line


def test_resolution_shorter_than_first_response_is_a_warning(tmp_path: Path) -> None:
    shop = contracts_with(tmp_path, "{firstResponse: 4h, resolution: 30m}")
    path = shop / "contracts.yaml"
    workspace, problems = analyse([shop])
    assert workspace is not None  # a warning, not an error
    (found,) = [p for p in problems if p.code == "resolution-before-response"]
    assert found.severity == "warning"
    assert found.where == f"{path}:{line_of(path, 'P1: {firstResponse: 4h')}"
    assert found.field == "spec.versions[0].support[0].targets.P1.resolution"
    assert found.message == (
        "priority P1: resolution 30m is shorter than firstResponse 4h, so a ticket resolved in "
        "time can still breach its first response"
    )
    assert "firstResponse: 30m, resolution: 4h" in found.fix


@pytest.mark.parametrize(
    "targets",
    [
        "{firstResponse: 30m, resolution: 4h}",
        "{firstResponse: 4h, resolution: 4h}",  # equal: allowed
        "{firstResponse: 60m, resolution: 1h}",  # equal in other units
        "{resolution: 10m}",
    ],
)
def test_sensible_targets_say_nothing(tmp_path: Path, targets: str) -> None:
    _, problems = analyse([contracts_with(tmp_path, targets)])
    assert not [p for p in problems if p.code == "resolution-before-response"]
