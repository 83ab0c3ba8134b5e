"""A calendar's holidays from a country whose holidays the `holidays` package knows only for
some years (India's: 2001–2035, its lunar holidays) says so as a `covenant validate` warning at
`holidays.country`, naming the years without them: those days count as business days. It was
the package's own `UserWarning: Requested Holidays are available only from 2001 to 2035.`,
printed several times on stderr by every command that read the calendar (`report sla` too),
and nothing from `validate`."""

from __future__ import annotations

import warnings
from pathlib import Path

from covenant.definitions.workspace import analyse

CALENDAR = """\
apiVersion: covenant/v1
kind: Calendar
metadata: {{name: office}}
spec:
  timeZone: Asia/Kolkata
  weekly: {{mon: "09:00-18:00"}}
  holidays: {{country: {country}{years}}}
"""


def problems(tmp_path: Path, country: str, years: str = "") -> list[tuple[str, str, str]]:
    (tmp_path / "calendar.yaml").write_text(
        CALENDAR.format(country=country, years=years), encoding="utf-8"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the package's own warning may not leak
        workspace, found = analyse([tmp_path])
    assert workspace is not None, found
    return [(p.severity, p.code, p.where) for p in found]


def test_years_the_package_does_not_know_are_a_warning(tmp_path: Path) -> None:
    (tmp_path / "calendar.yaml").write_text(
        CALENDAR.format(country="IN", years=""), encoding="utf-8"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        workspace, found = analyse([tmp_path])
    assert workspace is not None, found
    assert len(workspace.calendars) == 1
    ((problem),) = found
    assert (problem.severity, problem.code) == ("warning", "unknown-holiday-region")
    assert problem.where.endswith("calendar.yaml:7")
    assert problem.field == "spec.holidays.country"
    assert "only from 2001 to 2035" in problem.message
    assert "2000 and 2036–2040" in problem.message
    assert "firstYear" in problem.fix
    assert "dates" in problem.fix


def test_years_within_what_the_package_knows_say_nothing(tmp_path: Path) -> None:
    assert problems(tmp_path, "IN", ", firstYear: 2020, lastYear: 2035") == []
    assert problems(tmp_path, "DE") == []
