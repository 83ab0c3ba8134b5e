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
    # the desk is open 08:00-18:00 Monday to Thursday, to 17:00 on Friday: the typical day is
    # 10 hours, so 3 business days are 3 × 10 = 30 hours (the 9-hour Friday said)
    assert "its days differ in length (9h to 10h)" in found.fix
    assert "3 business days of this desk's 10-hour day: resolution: 30h" in found.fix
    # the version is active: its terms are signed, so the fix goes in an amendment
    assert "amendment" in found.fix
    assert "signed-version-changed" in found.fix


def test_a_desk_open_around_the_clock_says_nothing(tmp_path: Path) -> None:
    shop = business_targets(tmp_path, "{firstResponse: 4h, resolution: 3d}")
    path = shop / "contracts.yaml"
    text = path.read_text()
    week = "".join(f'    {d}: "08:00-18:00"\n' for d in ("mon", "tue", "wed", "thu"))
    week += '    fri: "08:00-17:00"\n'
    assert week in text
    always = "".join(
        f'    {d}: "00:00-24:00"\n' for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    )
    path.write_text(text.replace(week, always))
    _, problems = analyse([shop])
    assert not [p for p in problems if p.code == "days-of-business-time"]  # 3d is 3 days


def test_weekdays_open_around_the_clock_say_nothing_of_days(tmp_path: Path) -> None:
    """Monday to Friday 00:00-24:00: a day of the desk is 24 hours, so 3d is 3 of its days
    (the fix would have said 72h, the same); a week of it is 120 hours, so 1w still warns."""
    shop = business_targets(tmp_path, "{firstResponse: 1d, resolution: 1w}")
    path = shop / "contracts.yaml"
    text = path.read_text()
    week = "".join(f'    {d}: "08:00-18:00"\n' for d in ("mon", "tue", "wed", "thu"))
    week += '    fri: "08:00-17:00"\n'
    assert week in text
    weekdays = "".join(f'    {d}: "00:00-24:00"\n' for d in ("mon", "tue", "wed", "thu", "fri"))
    path.write_text(text.replace(week, weekdays))
    _, problems = analyse([shop])
    found = [p for p in problems if p.code == "days-of-business-time"]
    assert [p.field.rsplit(".", 1)[1] for p in found] == ["resolution"]


def test_days_of_differing_length_name_the_assumed_day(tmp_path: Path) -> None:
    shop = business_targets(tmp_path, "{firstResponse: 4h, resolution: 2d}")
    path = shop / "contracts.yaml"
    text = path.read_text()
    friday = '    fri: "08:00-17:00"\n'
    assert friday in text
    path.write_text(text.replace(friday, '    fri: "08:00-14:00"\n'))  # a 6-hour Friday
    _, problems = analyse([shop])
    (found,) = [p for p in problems if p.code == "days-of-business-time"]
    # four 10-hour days and a 6-hour one: the typical day is 10 hours, 2 × 10 = 20
    assert "its days differ in length (6h to 10h)" in found.fix
    assert "resolution: 20h" in found.fix


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
