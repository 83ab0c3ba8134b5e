"""The note "le … is matched in each spelling" is given only when the ``le`` matcher was
widened to a regular expression (``le="1"`` → ``le=~"1|1\\.0"``).

Before, any ``=~`` in the selector set it off: Pyrra's Kubernetes examples match
``verb=~"LIST|GET"`` beside ``le="0.1"``, and the note then said ``0.1`` was matched "in each
spelling" with one spelling listed, though the query kept ``le="0.1"``. Fixtures are written
here in the shape of those examples.
"""

from __future__ import annotations

from pathlib import Path

from covenant.services.importing import ImportPlan, plan_import

PYRRA = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {{name: reads-fast, namespace: infra}}
spec:
  target: "99"
  window: 2w
  indicator:
    latency:
      success:
        metric: read_seconds_bucket{{verb=~"LIST|GET",le="{le}"}}
      total:
        metric: read_seconds_count{{verb=~"LIST|GET"}}
"""

SLOGEN = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {{name: reads-fast, labels: {{service_name: infra}}}}
spec:
  backend: prometheus
  method: distribution_cut
  service_level_indicator:
    expression: read_seconds_bucket{{code=~"2.."}}
    threshold_bucket: {le}
  goal: 0.99
"""


def planned(tmp_path: Path, tool: str, text: str) -> ImportPlan:
    source = tmp_path / "reads.yaml"
    source.write_text(text, encoding="utf-8")
    return plan_import(tool, [source], into=tmp_path / "ws")


def spelling_notes(plan: ImportPlan) -> list[str]:
    return [n.reason for f in plan.files for n in f.imported.notes if "each spelling" in n.reason]


def test_no_spelling_note_for_a_bound_of_one_spelling(tmp_path: Path) -> None:
    for tool, text in (("pyrra", PYRRA), ("slo-generator", SLOGEN)):
        here = tmp_path / tool
        here.mkdir()
        plan = planned(here, tool, text.format(le="0.1"))
        assert plan.problems == []
        assert spelling_notes(plan) == [], tool


def test_the_spelling_note_for_a_whole_number_bound(tmp_path: Path) -> None:
    for tool, text in (("pyrra", PYRRA), ("slo-generator", SLOGEN)):
        here = tmp_path / tool
        here.mkdir()
        plan = planned(here, tool, text.format(le="1"))
        (note,) = spelling_notes(plan)
        assert "1, 1.0" in note, tool
