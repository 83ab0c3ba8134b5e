"""The note on a bad filter that selects every good event (stop 44) compares whole conditions:
``key op value`` is one condition whether or not spaces stand around its operator (Cloud
Monitoring's documented style, ``metric.type = "…"``). Split word by word, the bad filter's
``=`` and ``"5xx"`` were all among the good one's words, though the two filters select
different events, and the note fired on valid configs."""

from __future__ import annotations

from pathlib import Path

from covenant.services.importing import ImportPlan, plan_import

HEAD = 'project = "p" AND metric.type = "run.googleapis.com/request_count"'


def plan_for(tmp_path: Path, good: str, bad: str) -> ImportPlan:
    path = tmp_path / "slo.yaml"
    path.write_text(
        "apiVersion: sre.google.com/v2\n"
        "kind: ServiceLevelObjective\n"
        "metadata:\n"
        "  name: run-availability\n"
        "spec:\n"
        "  description: Availability\n"
        "  backend: cloud_monitoring\n"
        "  method: good_bad_ratio\n"
        "  exporters: []\n"
        "  service_level_indicator:\n"
        f"    filter_good: '{good}'\n"
        f"    filter_bad: '{bad}'\n"
        "  goal: 0.99\n",
        encoding="utf-8",
    )
    return plan_import("slo-generator", [path], into=tmp_path / "ws")


def told_on_bad(plan: ImportPlan) -> list[str]:
    return [
        n.reason
        for f in plan.files
        for n in f.imported.notes
        if n.field == "spec.service_level_indicator.filter_bad"
    ]


def test_not_equal_and_equal_are_different_conditions(tmp_path: Path) -> None:
    good = f'{HEAD} AND metric.labels.response_code_class != "5xx"'
    bad = f'{HEAD} AND metric.labels.response_code_class = "5xx"'
    plan = plan_for(tmp_path, good, bad)
    assert plan.problems == []
    assert told_on_bad(plan) == []


def test_a_range_and_its_complement_are_different_conditions(tmp_path: Path) -> None:
    good = f"{HEAD} AND metric.label.response_code >= 200 AND metric.label.response_code < 500"
    bad = f"{HEAD} AND metric.label.response_code >= 500"
    plan = plan_for(tmp_path, good, bad)
    assert plan.problems == []
    assert told_on_bad(plan) == []


def test_spaced_conditions_of_the_good_filter_still_tell(tmp_path: Path) -> None:
    """The bad filter is the good one without its last condition (spaces around every
    operator, the bad one written without them): it selects every good event."""
    good = f'{HEAD} AND metric.labels.response_code_class = "2xx"'
    bad = 'project="p" metric.type="run.googleapis.com/request_count"'
    (reason,) = told_on_bad(plan_for(tmp_path, good, bad))
    assert 'which adds metric.labels.response_code_class="2xx")' in reason


def test_a_filter_with_or_is_not_judged(tmp_path: Path) -> None:
    good = f'{HEAD} AND (metric.labels.code = "200" OR metric.labels.code = "204")'
    bad = HEAD
    assert told_on_bad(plan_for(tmp_path, good, bad)) == []
