"""The evaluate workflow end to end through the CLI: init, ingest, evaluate, check."""

from __future__ import annotations

import csv
import json
import shutil
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.conftest import ROOT
from tests.events_fed import events_fed

runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_shared_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)


def test_init_ingest_evaluate(tmp_path: Path) -> None:
    """The scaffold's sample events, counted here with the csv module, give the figures shown."""
    ws = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(ws)]).exit_code == 0
    events = ws / "events" / "sample.csv"
    with events.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    availability = [r for r in rows if r["sli"] == "checkout-availability"]
    latency = [r for r in rows if r["sli"] == "checkout-latency"]
    assert availability
    assert latency
    total = len(availability)
    good = sum(1 for r in availability if int(r["status"]) < 500)  # the SLI's status < 500
    result = runner.invoke(app, ["ingest", "events", str(events), "-w", str(ws)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app, ["evaluate", "-w", str(ws), "--format", "json", "--at", "2026-10-01T01:00:00Z"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["schema"] == "covenant.evaluate/v1"
    assert doc["at"] == "2026-10-01T01:00:00Z"
    by_slo = {r["slo"]: r for r in doc["results"]}
    assert set(by_slo) == {"checkout-availability", "checkout-latency"}
    got = by_slo["checkout-availability"]
    assert (got["total"], got["good"]) == (total, good)
    assert Fraction(got["sli_value"]["exact"]) == Fraction(good, total)
    allowed = (1 - Fraction(999, 1000)) * total  # target 0.999, Occurrences
    assert Fraction(got["budget"]["allowed"]["exact"]) == allowed
    assert Fraction(got["budget"]["consumed"]["exact"]) == total - good
    assert Fraction(got["budget"]["remaining"]["exact"]) == allowed - (total - good)
    assert got["status"] == ("breached" if total - good > allowed else "ok")
    # two latency events are fewer than the SLO's minimumEvents: 10, so no data, with the reason
    slow = by_slo["checkout-latency"]
    assert slow["status"] == "no_data"
    assert slow["sli_value"]["value"] is None
    assert slow["budget"] is None
    assert f"only {len(latency)} events" in slow["no_data"]
    assert "minimum 10" in slow["no_data"]


def test_evaluate_before_any_data_reports_no_data(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    runner.invoke(app, ["init", str(ws)])
    result = runner.invoke(
        app,
        ["evaluate", "-w", str(ws), "--format", "json", "--at", "2026-10-01T01:00:00Z", "--check"],
    )
    assert result.exit_code == 4, result.output  # a gate that checked nothing does not pass
    doc = json.loads(result.stdout)
    assert {r["status"] for r in doc["results"]} == {"no_data"}
    assert "nothing was checked" in result.stderr


def test_check_exits_3_on_the_demo(tmp_path: Path) -> None:
    shop = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", shop, ignore=shutil.ignore_patterns(".covenant"))
    at = "2026-10-31T09:30:00Z"
    result = runner.invoke(app, ["demo", "-w", str(shop), "--at", at, "--days", "30"])
    assert result.exit_code == 0, result.output
    assert "SLOs at 2026-10-31T09:30:00Z" in result.output
    table = runner.invoke(app, ["evaluate", "-w", str(shop), "--at", at, "--format", "json"])
    assert table.exit_code == 0
    statuses = {r["slo"]: r["status"] for r in json.loads(table.output)["results"]}
    assert statuses["checkout-availability"] == "paging"
    check = runner.invoke(app, ["evaluate", "-w", str(shop), "--at", at, "--check"])
    assert check.exit_code == 3


@pytest.mark.parametrize(
    "at", ["2026-10-01T00:00:00", "yesterday", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"]
)
def test_bad_instants_are_usage_errors(tmp_path: Path, at: str) -> None:
    result = runner.invoke(app, ["evaluate", "-w", str(tmp_path), "--at", at])
    assert result.exit_code == 2
    assert "Z" in result.output or "ISO-8601" in result.output or "years" in result.output


def test_invalid_workspace_exits_1_with_the_problem(tmp_path: Path) -> None:
    (tmp_path / "slo.yaml").write_text(
        "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\nspec: {}\n"
    )
    result = runner.invoke(app, ["evaluate", "-w", str(tmp_path)])
    assert result.exit_code == 1
    assert "slo.yaml:" in result.output


def test_a_silent_window_counted_by_the_no_data_policy_says_so(tmp_path: Path) -> None:
    """Months after the demo's events, payments-availability (Timeslices, 1-minute slices over
    30 days, ``noDataPolicy: good``) still shows figures: every slice is counted by the policy,
    and the terminal and the JSON say so."""
    shop = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", shop, ignore=shutil.ignore_patterns(".covenant"))
    demo = runner.invoke(
        app, ["demo", "-w", str(shop), "--at", "2026-10-31T09:30:00Z", "--days", "7"]
    )
    assert demo.exit_code == 0, demo.output
    # fed by events: silence the events said (read from Prometheus, a window no read has
    # reached would be "not read from Prometheus yet": tests/cli/test_never_read_policy_slo.py)
    events_fed(shop, "payments-availability")
    later = "2027-02-01T00:00:00Z"  # a Monday; the window starts Saturday 2027-01-02
    slices = 30 * 86400 // 60  # 43,200
    # the weekly failover correction (Sundays 02:00 Berlin = 01:00 UTC in winter, 30 min)
    # skips 30 slices on each of the window's five Sundays: 3, 10, 17, 24 and 31 January
    left = slices - 5 * 30
    # the window has passed: evaluated after it (before, its minutes would not have happened)
    passed = {"COVENANT_NOW": later}
    result = runner.invoke(
        app, ["evaluate", "-w", str(shop), "--at", later, "--format", "json"], env=passed
    )
    assert result.exit_code == 0, result.output
    (payments,) = [
        r for r in json.loads(result.stdout)["results"] if r["slo"] == "payments-availability"
    ]
    assert payments["status"] == "ok"
    assert payments["no_data_policy_note"] == (
        "no events in the window: all 43,200 slices counted good by noDataPolicy: good"
    )
    assert f"{slices:,}" == "43,200"
    assert payments["corrected"]["no_data_policy_note"] == (
        f"no events in the window: all {left:,} slices counted good by noDataPolicy: good"
    )
    others = [
        r for r in json.loads(result.stdout)["results"] if r["slo"] != "payments-availability"
    ]
    assert {r["status"] for r in others} == {"no_data"}
    assert {r["no_data_policy_note"] for r in others} == {None}
    table = runner.invoke(app, ["evaluate", "-w", str(shop), "--at", later], env=passed)
    assert table.exit_code == 0, table.output
    text = " ".join(table.output.split())  # the notes wrap at the terminal's width
    assert (
        "payments-availability: no events in the window: "
        "all 43,050 slices counted good by noDataPolicy: good"
    ) in text
    assert f"{left:,}" == "43,050"
    wide = runner.invoke(app, ["evaluate", "-w", str(shop), "--at", later, "--wide"], env=passed)
    assert wide.exit_code == 0, wide.output
    assert "43,050 slices counted good by noDataPolicy: good" in " ".join(wide.output.split())
