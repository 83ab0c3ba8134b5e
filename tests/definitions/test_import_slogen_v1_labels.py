"""A slo-generator v1 config's other top-level fields are its labels, as migrate makes them.

``slo-generator migrate`` turns every top-level field of a v1 config that is none of
service_name, feature_name, slo_name, backend and exporters (slo_description and slo_target
are taken first) into a label of the v2 config (``metadata.labels``): a real v1 config writes
``metadata: {env: test}`` and others ``team: sre``. Covenant, which reads a v1 config as the v2
config migrate writes, dropped them without a word.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from covenant.services.importing import plan_import

V1 = """\
service_name: generator
feature_name: gcf
slo_name: errors
slo_description: Cloud Functions errors
slo_target: 0.99
team: sre
tier: 1
metadata:
  env: test
backend:
  class: Prometheus
  url: http://prom.example:9090
  method: good_bad_ratio
  measurement:
    filter_good: 'x_total{status="ok"}'
    filter_valid: x_total
"""


def test_v1_top_level_fields_become_labels_and_a_mapping_is_noted(tmp_path: Path) -> None:
    source = tmp_path / "slo_gcf_errors.yaml"
    source.write_text(V1, encoding="utf-8")
    plan = plan_import("slo-generator", [source], into=tmp_path / "ws")
    assert plan.problems == []
    docs = [d for _, text in plan.writes for d in yaml.safe_load_all(text) if d]
    (slo,) = [d for d in docs if d["kind"] == "SLO"]
    assert slo["metadata"]["labels"] == {
        "service_name": "generator",
        "feature_name": "gcf",
        "slo_name": "errors",
        "team": "sre",
        "tier": "1",
    }
    notes = [(n.field, n.reason) for f in plan.files for n in f.imported.notes]
    assert any(
        field == "metadata.labels.metadata" and "a mapping" in reason for field, reason in notes
    )
