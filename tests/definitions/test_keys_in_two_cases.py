"""Two keys that differ only by case, below a document's or a record's top level: refused,
with their path and the fix, wherever Covenant reads keys without case — so one of them would
be lost or merged without a word — and kept where they are two names (Prometheus label names
are case-sensitive: ``Team`` and ``team`` are two labels)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from covenant.cli.main import app as cli
from covenant.definitions.workspace import analyse_text
from covenant.render.prom_rules import RuleTarget, alert_labels

CALENDAR = """\
apiVersion: covenant/v1
kind: Calendar
metadata: {name: desk}
spec:
  timeZone: Europe/Berlin
  weekly:
    mon: "08:00-12:00"
    Mon: "13:00-18:00"
"""


def _target(delivery: dict[str, object]) -> str:
    return (
        "apiVersion: openslo/v1\nkind: AlertNotificationTarget\nmetadata:\n  name: hook\n"
        f"  annotations:\n    covenant.dev/delivery: '{json.dumps(delivery)}'\n"
        "spec:\n  target: webhook\n"
    )


def test_a_weekday_written_in_two_cases_is_refused() -> None:
    # before: mon 08-12 and Mon 13-18 were merged into one Monday, nothing said
    workspace, problems = analyse_text(CALENDAR)
    (problem,) = [p for p in problems if p.code == "invalid-calendar"]
    assert problem.message == (
        "'mon' and 'Mon' are the same weekday (weekdays are read without case)"
    )
    assert problem.fix is not None
    assert problem.fix.startswith("write the day's hours once")
    assert problem.where.endswith(":8")  # the second spelling's line
    assert workspace is None or not workspace.calendars


def test_a_delivery_header_written_in_two_cases_is_refused() -> None:
    url = "https://hooks.example.com/covenant"
    for delivery, said in (
        ({"url": url, "headers": {"X-Team": "sre", "x-team": "ops"}}, "headers.x-team and "),
        ({"url": url, "headers": {"X-Team": "sre"}, "headersEnv": {"X-TEAM": "TEAM"}}, ""),
    ):
        _, problems = analyse_text(_target(delivery))
        (problem,) = [p for p in problems if p.code == "invalid-delivery"]
        assert "name the same header (header names are without case)" in problem.message
        assert problem.message.startswith(said or "headersEnv.X-TEAM and headers.X-Team")
        assert problem.fix is not None
        assert problem.fix.startswith("give the header once")
    _, problems = analyse_text(_target({"url": url, "headers": {"X-Team": "sre"}}))
    assert [p for p in problems if p.code == "invalid-delivery"] == []


def test_labels_in_two_cases_are_two_labels() -> None:
    text = (
        "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: checkout\n"
        "  labels: {Team: shop, team: payments}\nspec:\n  service: shop\n"
        "  indicator:\n    metadata: {name: checkout}\n    spec:\n      ratioMetric:\n"
        "        counter: true\n"
        "        good: {metricSource: {type: Prometheus, spec: {query: good}}}\n"
        "        total: {metricSource: {type: Prometheus, spec: {query: total}}}\n"
        "  timeWindow: [{duration: 28d, isRolling: true}]\n  budgetingMethod: Occurrences\n"
        "  objectives: [{target: 0.999}]\n"
    )
    workspace, problems = analyse_text(text)
    assert workspace is not None, problems
    (o,) = workspace.objectives
    labels = alert_labels(RuleTarget(objective=o, counts=()), o.alert_tiers[0])
    assert (labels["Team"], labels["team"]) == ("shop", "payments")


def test_a_column_path_through_a_key_in_two_cases_refuses_the_row(tmp_path: Path) -> None:
    rows = [
        {"id": "T-1", "customer": "acme", "created": "2026-10-01T00:00:00Z",
         "fields": {"priority": "P1"}},
        {"id": "T-2", "customer": "acme", "created": "2026-10-01T00:00:00Z",
         "fields": {"Priority": "P1", "PRIORITY": "P3"}},
        {"id": "T-3", "customer": "acme", "created": "2026-10-01T00:00:00Z",
         "Fields": {"priority": "P2"}, "x": {"fields": 1}},
    ]  # fmt: skip
    path = tmp_path / "t.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    done = CliRunner().invoke(
        cli,
        ["ingest", "tickets", str(path), "-w", str(tmp_path), "--column",
         "priority=fields.priority", "-f", "json"],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert done.exit_code == 0, done.output  # bad rows skipped, the others stored (--strict:
    (result,) = json.loads(done.stdout)["files"]  # none), as for any bad row
    assert (result["rows_read"], result["inserted"], result["rows_rejected"]) == (3, 2, 1)
    (problem,) = result["problems"]
    assert problem["where"] == "t.jsonl:2"
    assert problem["field"] == "priority"
    assert problem["message"] == (
        "fields.priority: keys 'Priority' and 'PRIORITY' are both 'priority' (keys are read "
        "without case): which one is the priority cannot be told"
    )
    assert problem["fix"] == "keep one of 'Priority' and 'PRIORITY' in the export"
