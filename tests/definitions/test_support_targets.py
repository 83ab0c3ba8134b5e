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


# A `d` of a support target is 24 hours of business time, never a business day: on a desk open
# 10 hours a day `resolution: 3d` is 72 business hours, more than 7 business days. The shop's own
# contract said "resolved within 3 business days" beside `3d`, and nothing warned (stop 43).
BUSINESS = "P3: {firstResponse: 4h, resolution: 30h}"


def business_targets(tmp_path: Path, targets: str) -> Path:
    shop = tmp_path / "shop"
    shutil.copytree(SHOP, shop, ignore=shutil.ignore_patterns(".covenant"))
    text = (shop / "contracts.yaml").read_text()
    assert BUSINESS in text
    (shop / "contracts.yaml").write_text(text.replace(BUSINESS, f"P3: {targets}"))
    return shop


def test_days_of_business_time_are_a_warning_naming_the_hours(tmp_path: Path) -> None:
    shop = business_targets(tmp_path, "{firstResponse: 4h, resolution: 3d}")
    path = shop / "contracts.yaml"
    workspace, problems = analyse([shop])
    assert workspace is not None  # a warning, not an error
    (found,) = [p for p in problems if p.code == "days-of-business-time"]
    assert found.severity == "warning"
    assert found.where == f"{path}:{line_of(path, 'P3: {firstResponse: 4h, resolution: 3d}')}"
    assert found.field == "spec.versions[0].support[1].targets.P3.resolution"
    # 3 × 24 = 72 business hours
    assert "resolution 3d counts 72 business hours on calendar 'berlin-support'" in found.message
    assert "not 3 business days" in found.message
    assert "resolution: 72h" in found.fix


def test_weeks_of_business_time_warn_too(tmp_path: Path) -> None:
    shop = business_targets(tmp_path, "{firstResponse: 1w, resolution: 2w}")
    _, problems = analyse([shop])
    found = [p for p in problems if p.code == "days-of-business-time"]
    assert [p.field.rsplit(".", 1)[1] for p in found] == ["firstResponse", "resolution"]
    assert "counts 168 business hours" in found[0].message  # 7 × 24


def test_days_of_calendar_time_and_business_hours_say_nothing(tmp_path: Path) -> None:
    # without a calendar a day is a day (globex's 24×7 P2 `resolution: 1d`); hours are hours
    _, problems = analyse([SHOP])
    assert not [p for p in problems if p.code == "days-of-business-time"]
    assert "P2: {firstResponse: 2h, resolution: 1d}" in (SHOP / "contracts.yaml").read_text()
