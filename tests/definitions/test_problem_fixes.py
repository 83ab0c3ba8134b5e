"""Every problem a wrongly typed value raises says the fix, not only pydantic's complaint.

A stranger who writes `target: "99.9%"` used to read "Input should be a valid decimal" and
nothing else: no value, no fix. Each case below puts one wrongly typed value into a valid SLO.
"""

from __future__ import annotations

import pytest

from tests.definitions.helpers import errors, load_text

SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout
  displayName: {display}
spec:
  service: checkout
  indicator:
    metadata:
      name: checkout-availability
    spec:
      ratioMetric:
        good: {{metricSource: {{type: events, spec: {{}}}}}}
        total: {{metricSource: {{type: events, spec: {{}}}}}}
  timeWindow: {window}
  budgetingMethod: Occurrences
  objectives:
    - target: {target}
"""

GOOD = {"display": "Checkout", "window": "[{duration: 28d, isRolling: true}]", "target": "0.999"}

CASES = {
    "percent-sign": ({"target": '"99.9%"'}, "spec.objectives[0].target", "99.9%"),
    "list-for-number": ({"target": "[0.999]"}, "spec.objectives[0].target", "no % sign"),
    "number-for-list": ({"window": "28"}, "spec.timeWindow", "'- item'"),
    "text-for-bool": (
        {"window": "[{duration: 28d, isRolling: maybe}]"},
        "spec.timeWindow[0].isRolling",
        "true or false",
    ),
    "list-for-text": ({"display": "[a, b]"}, "metadata.displayName", "quote it"),
}


def test_the_unchanged_document_is_valid() -> None:
    _, problems = load_text(SLO.format(**GOOD))
    assert errors(problems) == []


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_wrongly_typed_value_names_the_value_and_the_fix(case: str) -> None:
    change, field, expected = CASES[case]
    _, problems = load_text(SLO.format(**{**GOOD, **change}))
    found = [p for p in errors(problems) if p.field == field]
    assert found, [str(p) for p in problems]
    for problem in found:
        assert problem.fix, str(problem)
        assert expected in str(problem), str(problem)


def test_a_huge_number_is_quoted_as_written_not_as_400_digits() -> None:
    # regression: `requiredMargin: 1e400` was quoted as "(found 1000…0)", 401 characters long
    settings = (
        "apiVersion: covenant/v1\nkind: Settings\nmetadata: {name: workspace}\n"
        "spec: {requiredMargin: 1e400}\n"
    )
    _, problems = load_text(settings)
    (problem,) = [p for p in errors(problems) if p.field == "spec.requiredMargin"]
    assert "(found 1E+400)" in problem.message, problem.message
    _, small = load_text(settings.replace("1e400", "-0.00001"))
    (problem,) = [p for p in errors(small) if p.field == "spec.requiredMargin"]
    assert "(found -0.00001)" in problem.message, problem.message  # a small one stays plain
