"""Export to OpenSLO v1: valid OpenSLO, and load → export → load is lossless."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from covenant.core.model import CalendarWindow
from covenant.core.windows import calendar_period
from covenant.definitions.export import export_openslo
from covenant.definitions.workspace import Workspace, analyse, analyse_text
from tests.conftest import ROOT
from tests.definitions.test_conformance import EXPECTED
from tests.definitions.test_validation import COVENANT

VALID = sorted(name for name, (errors, _) in EXPECTED.items() if not errors)
assert len(VALID) == 33  # a parametrisation over nothing would pass


def _round_trip(workspace: Workspace) -> Workspace:
    text = export_openslo(workspace.documents)
    again, problems = analyse_text(text, file="export.yaml")
    assert again is not None, problems
    assert all(doc.api_version == "openslo/v1" for doc in again.documents)
    return again


@pytest.mark.corpus
@pytest.mark.parametrize("relative", VALID)
def test_corpus_round_trip_is_lossless(corpus: Path, relative: str) -> None:
    workspace, problems = analyse([corpus / "openslo" / relative])
    assert workspace is not None, problems
    again = _round_trip(workspace)
    assert again.objectives == workspace.objectives
    assert again.event_rules == workspace.event_rules
    assert export_openslo(again.documents) == export_openslo(workspace.documents)
    _reference_reads(export_openslo(workspace.documents))


def test_covenant_v1_round_trip_moves_extensions_into_annotations() -> None:
    workspace, problems = analyse_text(COVENANT)
    assert workspace is not None, problems
    text = export_openslo(workspace.documents)
    assert "covenant/v1" not in text
    for key in ("no-data-policy", "minimum-events", "alerting", "events"):
        assert f"covenant.dev/{key}" in text
    again = _round_trip(workspace)
    assert again.objectives == workspace.objectives
    assert again.event_rules == workspace.event_rules


def test_exact_decimals_survive_export() -> None:
    text = COVENANT.replace("target: 0.999", "target: 0.99995")
    workspace, _ = analyse_text(text)
    assert workspace is not None
    exported = export_openslo(workspace.documents)
    assert "target: 0.99995" in exported


def test_future_kinds_are_left_out() -> None:
    workspace, _ = analyse_text(
        COVENANT
        + "---\napiVersion: covenant/v1\nkind: Customer\nmetadata: {name: c}\n"
        + "spec: {currency: EUR}\n"
    )
    assert workspace is not None
    assert "Customer" not in export_openslo(workspace.documents)


# --- what the reference (OpenSLO go-sdk v1 validation) reads back ------------------------------
# Its rules, restated here from the SDK's source: durations are [0-9]+ and one of m h d w M Q Y
# (case-sensitive: no `y`), startTime is Go's time.DateTime ("2006-01-02 15:04:05"), exactly
# one timeWindow, isRolling false needs a calendar, isRolling true forbids one.
_REFERENCE_DURATION = re.compile(r"^[0-9]+[mhdwMQY]$")
_REFERENCE_START = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$")


def _reference_reads(text: str) -> None:
    documents = list(YAML(typ="safe").load_all(text))
    slos = [d for d in documents if d["kind"] == "SLO"]
    for slo in slos:
        (window,) = slo["spec"]["timeWindow"]
        assert _REFERENCE_DURATION.match(window["duration"]), window
        assert isinstance(window["isRolling"], bool)
        assert ("calendar" in window) != window["isRolling"], window
        if "calendar" in window:
            assert _REFERENCE_START.match(str(window["calendar"]["startTime"])), window
        for objective in slo["spec"]["objectives"]:
            if "timeSliceWindow" in objective:
                assert _REFERENCE_DURATION.match(str(objective["timeSliceWindow"])), objective


SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata: {{name: s}}
spec:
  service: shop
  indicator:
    metadata: {{name: avail}}
    spec:
      ratioMetric:
        good: {{metricSource: {{type: events, spec: {{}}}}}}
        total: {{metricSource: {{type: events, spec: {{}}}}}}
{window}
  budgetingMethod: Timeslices
  objectives: [{{target: 0.999, timeSliceTarget: 0.9, timeSliceWindow: {slice}}}]
"""


def _exported_slo(window: str, slice: str = "5m") -> tuple[dict[str, Any], Workspace, Workspace]:
    workspace, problems = analyse_text(SLO.format(window=window, slice=slice))
    assert workspace is not None, problems
    text = export_openslo(workspace.documents)
    _reference_reads(text)
    again = _round_trip(workspace)
    return YAML(typ="safe").load(text)["spec"], workspace, again


def test_year_is_written_with_capital_y() -> None:
    spec, before, after = _exported_slo(
        "  timeWindow:\n    - duration: 1y\n      isRolling: false\n"
        "      calendar: {startTime: '2026-01-01 00:00:00', timeZone: UTC}"
    )
    assert spec["timeWindow"][0]["duration"] == "1Y"
    assert after.objectives == before.objectives


def test_slice_window_in_minutes_is_written_as_a_duration() -> None:
    spec, before, after = _exported_slo(
        "  timeWindow: [{duration: 28d, isRolling: true}]", slice="5"
    )
    assert spec["objectives"][0]["timeSliceWindow"] == "5m"
    assert after.objectives[0].time_slice_window_s == before.objectives[0].time_slice_window_s
    assert before.objectives[0].time_slice_window_s == 300


@pytest.mark.parametrize(
    ("written", "zone", "expected"),
    [
        ("2026-01-01", "UTC", "2026-01-01 00:00:00"),
        ("2026-01-01 06:30", "UTC", "2026-01-01 06:30:00"),
        ("2026-01-01T06:30:00", "UTC", "2026-01-01 06:30:00"),
        # an offset is turned into the calendar's wall clock: 05:30Z is 06:30 in Berlin
        ("2026-01-01T05:30:00Z", "Europe/Berlin", "2026-01-01 06:30:00"),
        ("2026-07-01T00:00:00+02:00", "Europe/Berlin", "2026-07-01 00:00:00"),
    ],
)
def test_start_time_is_written_as_the_reference_format(
    written: str, zone: str, expected: str
) -> None:
    spec, before, after = _exported_slo(
        "  timeWindow:\n    - duration: 1M\n      isRolling: false\n"
        f"      calendar: {{startTime: '{written}', timeZone: {zone}}}"
    )
    assert str(spec["timeWindow"][0]["calendar"]["startTime"]) == expected
    assert after.objectives == before.objectives


def test_the_default_window_is_written_out() -> None:
    spec, before, after = _exported_slo("")
    assert spec["timeWindow"] == [{"duration": "28d", "isRolling": True}]
    assert after.objectives == before.objectives


def _periods(window: Any) -> list[tuple[datetime, datetime]]:
    assert isinstance(window, CalendarWindow)
    start = datetime(1969, 12, 1, tzinfo=UTC)
    # every 13 hours for about four years: each day, week and month boundary is crossed
    return [calendar_period(window, start + timedelta(hours=13 * k)) for k in range(2900)]


@pytest.mark.parametrize("duration", ["1d", "3d", "1w", "2w", "1M", "2M", "1Q", "1y"])
def test_a_calendar_window_without_calendar_gets_the_one_covenant_assumed(duration: str) -> None:
    spec, before, after = _exported_slo(
        f"  timeWindow: [{{duration: {duration}, isRolling: false}}]"
    )
    (window,) = spec["timeWindow"]
    assert window["isRolling"] is False
    assert window["calendar"]["timeZone"] == "UTC"
    # the same periods, by brute force over four years of instants
    assert _periods(after.objectives[0].window) == _periods(before.objectives[0].window)


@pytest.mark.corpus
def test_alpha_documents_are_exported_as_openslo_v1(corpus: Path) -> None:
    files = sorted((corpus / "openslo" / "go-sdk" / "v1alpha").glob("*.yaml"))
    assert len(files) == 2
    workspace, problems = analyse(files)
    assert workspace is not None, problems
    text = export_openslo(workspace.documents)
    assert "v1alpha" not in text
    assert "timeWindows" not in text
    assert "ratioMetrics" not in text
    _reference_reads(text)
    again = _round_trip(workspace)
    assert again.objectives == workspace.objectives
    # read back, nothing is converted any more
    assert not [p for p in again.warnings if p.code == "converted-api-version"]


def test_the_demo_workspace_export_is_read_back_by_the_reference() -> None:
    workspace, problems = analyse([ROOT / "examples" / "shop"])
    assert workspace is not None, problems
    text = export_openslo(workspace.documents)
    assert text.count("kind: SLO\n") >= 3
    _reference_reads(text)


@pytest.mark.parametrize(
    ("written", "days"), [("1M", "30d"), ("3M", "90d"), ("1Q", "90d"), ("1y", "365d")]
)
def test_a_rolling_calendar_unit_is_written_as_its_fixed_length(written: str, days: str) -> None:
    """A rolling ``1M`` means 30 days (as the OpenSLO SDK reads it); the export says so, and
    the file it writes loads back to the same objective without the warning."""
    spec, before, after = _exported_slo(f"  timeWindow: [{{duration: {written}, isRolling: true}}]")
    assert spec["timeWindow"] == [{"duration": days, "isRolling": True}]
    assert after.objectives == before.objectives
    assert [p.code for p in before.warnings].count("rolling-calendar-unit") == 1
    assert "rolling-calendar-unit" not in [p.code for p in after.warnings]
