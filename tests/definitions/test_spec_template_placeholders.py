"""The OpenSLO README's placeholders left in a file, as Simon-Boyer/terraform-provider-openslo's
example `yaml_input` has them (minimal copy below): `kind: string`, `op: enum` in an
AlertCondition, and an SLI's `metricSource` with only `metricSourceRef`.

Before, the metricSource's fix was a bare "add spec"; now each refusal names what to write.
Lines counted by hand.
"""

from __future__ import annotations

from tests.definitions.helpers import errors, load_text

TEXT = """\
apiVersion: openslo/v1
kind: SLI
metadata:
  name: default-success-rate
spec:
  ratioMetric:
    counter: true
    good:
      metricSource:
        metricSourceRef: default
    total:
      metricSource:
        type: datadog
        spec:
          query: sum:api.requests{*}.as_count()
---
apiVersion: openslo/v1
kind: AlertCondition
metadata:
  name: fast-burn
spec:
  severity: page
  condition:
    kind: string
    op: enum
    threshold: 1
    lookbackWindow: 1h
"""


def test_each_placeholder_is_told_what_to_write() -> None:
    _, problems = load_text(TEXT)
    assert [(p.where, p.field, p.fix) for p in errors(problems)] == [
        (
            "ws.yaml:9",
            "spec.ratioMetric.good.metricSource.spec",
            "add spec: {query: …}, what the data source runs (the DataSource named by "
            "metricSourceRef says where)",
        ),
        (
            "ws.yaml:24",
            "spec.condition.kind",
            "write kind: burnrate (the only condition kind OpenSLO defines)",
        ),
        ("ws.yaml:25", "spec.condition.op", "write op: one of lt, lte, gt, gte"),
    ]
