"""A missing required field's fix says what to write, where its name alone does not.

Real files that left them out: OpenSLO/oslo ``test/inputs/v1/slo/slo-with-labels.yaml`` (an
inline indicator with only its ``metadata``) and a Grafana SLO control plane's AlertCondition
(``jsimonovski/heatmap-panel``: ``kind: burnrate, op: gte, threshold: 2, alertAfter: 2m`` and no
``lookbackWindow``). Before, the fix was "add spec" / "add lookbackWindow". What to write is the
OpenSLO v1 spec's: an SLI spec holds ``ratioMetric`` or ``thresholdMetric``; a burn-rate
condition's ``lookbackWindow`` is a duration shorthand.
"""

from __future__ import annotations

from tests.definitions.helpers import errors, load_text

LABELED = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: labeled-slo
  labels:
    inline: test
    multiple: [one, two]
spec:
  service: tv-show
  indicator:
    metadata:
      name: no-name
  timeWindow: [{duration: 28d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{displayName: Keeping Up Appearances, op: gte, target: 0.98, value: 10}]
"""

CONDITION = """\
apiVersion: openslo/v1
kind: AlertCondition
metadata:
  name: checkout-burn
spec:
  severity: page
  condition:
    kind: burnrate
    op: gte
    threshold: 2
    alertAfter: 2m
"""


def _missing(text: str) -> list[tuple[str, str, str]]:
    _, problems = load_text(text)
    return [(p.field, p.message, p.fix) for p in errors(problems) if p.code == "missing-field"]


def test_an_inline_sli_without_spec_is_told_what_its_spec_holds() -> None:
    ((field, message, fix),) = _missing(LABELED)
    assert field == "spec.indicator.spec"
    assert message == "required field 'spec' is missing"
    assert fix.startswith("add the SLI's spec: ratioMetric")
    assert "thresholdMetric" in fix


def test_a_burn_rate_condition_without_lookback_window_gets_an_example() -> None:
    ((field, _, fix),) = _missing(CONDITION)
    assert field == "spec.condition.lookbackWindow"
    assert fix.endswith("e.g. lookbackWindow: 1h")


def test_a_field_without_an_example_keeps_the_plain_fix() -> None:
    text = "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: ds}\nspec: {}\n"
    assert ("spec.type", "required field 'type' is missing", "add type") in _missing(text)


# OpenSLO/oslo test/v1beta1_valid-slos-ratio.yaml's window, its apiVersion made openslo/v1 as
# "did you mean 'openslo/v1'?" suggests: the v1beta1 draft wrote windows as v1alpha did
V1BETA1_WINDOW = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: ratio}
spec:
  budgetingMethod: Occurrences
  service: my-test-service
  indicatorRef: ratio-sli
  objectives: [{displayName: painful, target: 0.98}]
  timeWindow:
  - count: 7
    isRolling: true
    unit: Day
"""


def test_a_count_and_unit_window_is_told_its_v1_duration() -> None:
    _, problems = load_text(V1BETA1_WINDOW)
    fixes = {p.field: p.fix for p in errors(problems)}
    assert fixes["spec.timeWindow[0].count"].endswith("{count: 7, unit: Day} is duration: 7d")
    assert fixes["spec.timeWindow[0].unit"] == fixes["spec.timeWindow[0].count"]
    assert fixes["spec.timeWindow[0].duration"].startswith("add duration, e.g. duration: 28d")
