"""An openslo/v1alpha ``indicator:`` written empty is no indicator, as the reference reads it.

Real shape (a vendor's v1alpha template): ``indicator:`` whose children are all commented
out, so the key holds null, and the SLI in ``objectives[].ratioMetrics``. Go's YAML reader
(oslo, the OpenSLO SDK) reads the null as no indicator; Covenant said "give indicator or
objectives[*].ratioMetrics, not both" of a file that gives one. An ``openslo/v1`` document
already reads an empty optional field as absent.
"""

from __future__ import annotations

from fractions import Fraction

from tests.definitions.helpers import errors, load_text

SLO = """\
apiVersion: openslo/v1alpha
kind: SLO
metadata:
  name: orders
spec:
  service: shop
  indicator:
    # thresholdMetric:
    #   source: datadog
  timeWindows:
    - unit: Day
      count: 7
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: placed
      value: 1
      target: 0.995
      ratioMetrics:
        incremental: true
        good: {source: events, queryType: query, query: good}
        total: {source: events, queryType: query, query: all}
"""


def test_an_empty_indicator_beside_ratio_metrics_is_read_as_absent() -> None:
    workspace, problems = load_text(SLO)
    assert errors(problems) == []
    assert workspace is not None
    (objective,) = workspace.objectives
    assert objective.series == "orders"  # the inline SLI named like the SLO
    assert objective.target == Fraction(995, 1000)


def test_an_indicator_with_content_beside_ratio_metrics_still_conflicts() -> None:
    text = SLO.replace(
        "  indicator:\n",
        "  indicator:\n    thresholdMetric: {source: events, queryType: q, query: x}\n",
    )
    _, problems = load_text(text)
    assert [p.code for p in errors(problems)] == ["conflicting-fields"]
