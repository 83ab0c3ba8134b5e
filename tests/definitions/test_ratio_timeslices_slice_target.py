"""``timeSliceTarget`` on a RatioTimeslices objective is said to have no effect.

RatioTimeslices averages the slices' success ratios and compares the mean with ``target``
(docs/semantics.md); a slice is never called good or bad, so ``timeSliceTarget`` changes
nothing. Found in a Rust OpenSLO validator's composite test SLO (RatioTimeslices objectives with
``timeSliceTarget: 0.95``) and in a guide's RatioTimeslices example (``timeSliceTarget: 0.99``):
Covenant ignored the field without a word, where the same field on Occurrences is the
``ignored-field`` warning. The expected texts are written by hand.
"""

from __future__ import annotations

from fractions import Fraction

from covenant.definitions.workspace import analyse_text

SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: main-page}
spec:
  service: web-shop
  indicator:
    metadata: {name: response-code}
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {type: Any, spec: {query: good}}}
        total: {metricSource: {type: Any, spec: {query: total}}}
  timeWindow: [{duration: 2w, isRolling: true}]
  budgetingMethod: RatioTimeslices
  objectives:
    - displayName: Main page availability
      target: 0.98
      timeSliceTarget: 0.99
      timeSliceWindow: 5m
"""


def test_a_slice_target_on_ratio_timeslices_is_an_ignored_field_warning() -> None:
    workspace, problems = analyse_text(SLO, file="ws.yaml")
    ignored = [
        (p.where, p.field, p.severity, p.message, p.fix)
        for p in problems
        if p.code == "ignored-field"
    ]
    assert ignored == [
        (
            "ws.yaml:18",
            "spec.objectives[0].timeSliceTarget",
            "warning",
            "timeSliceTarget has no effect with budgetingMethod RatioTimeslices (the mean of "
            "the slices' ratios is compared with target)",
            "remove timeSliceTarget, or use budgetingMethod: Timeslices (a slice is good at "
            "timeSliceTarget)",
        )
    ]
    assert workspace is not None  # a warning: the SLO is read as before
    (objective,) = workspace.objectives
    assert objective.target == Fraction(98, 100)
