"""A reference that differs from a document's name only in case is one error, not two.

OpenSLO names are DNS labels (RFC 1123): lowercase letters, digits and ``-``. An AlertCondition
named ``Slow-Burn`` is an ``invalid-name`` error; a ``conditionRef: slow-burn`` to it used to be
a second error ("no AlertCondition named 'slow-burn'"), though renaming the document to the
name the reference already uses fixes both.
"""

from __future__ import annotations

from tests.definitions.helpers import errors, load_text

TEXT = """\
apiVersion: openslo/v1
kind: SLI
metadata: {name: avail}
spec:
  ratioMetric:
    counter: true
    good: {metricSource: {type: events, spec: {}}}
    total: {metricSource: {type: events, spec: {}}}
---
apiVersion: openslo/v1
kind: AlertCondition
metadata: {name: Slow-Burn}
spec:
  severity: page
  condition: {kind: burnrate, op: gt, threshold: 2, lookbackWindow: 1h, alertAfter: 5m}
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {name: pol}
spec:
  conditions: [{conditionRef: slow-burn}]
  notificationTargets: []
---
apiVersion: openslo/v1
kind: Service
metadata: {name: web}
spec: {}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: web}
spec:
  service: web
  indicatorRef: avail
  budgetingMethod: Occurrences
  timeWindow: [{duration: 28d, isRolling: true}]
  objectives: [{target: 0.99}]
  alertPolicies: [{alertPolicyRef: pol}]
"""


def test_a_reference_in_another_case_is_one_error_at_the_name() -> None:
    _, problems = load_text(TEXT)
    (error,) = errors(problems)
    assert (error.code, error.where, error.field) == ("invalid-name", "ws.yaml:12", "metadata.name")
    assert "lowercase" in error.message
    assert "DNS label" in error.message
    # the fix names the spelling the reference uses, and where it is
    assert error.fix.startswith("rename it 'slow-burn'")
    assert "ws.yaml:21" in error.fix


def test_a_reference_in_the_same_case_is_still_dropped() -> None:
    _, problems = load_text(TEXT.replace("conditionRef: slow-burn", "conditionRef: Slow-Burn"))
    assert [(p.code, p.where) for p in errors(problems)] == [("invalid-name", "ws.yaml:12")]


def test_a_reference_to_no_document_in_any_case_is_still_an_error() -> None:
    _, problems = load_text(TEXT.replace("conditionRef: slow-burn", "conditionRef: fast-burn"))
    assert sorted(p.code for p in errors(problems)) == ["invalid-name", "missing-reference"]


def test_a_reference_in_another_mixed_case_is_one_error_naming_the_lowercase_name() -> None:
    """``SLOW-BURN`` referenced as ``Slow-Burn``: both spellings differ from the valid name
    only in case, so renaming the document (and the reference) to ``slow-burn`` fixes both —
    one error, as for a reference already in lowercase."""
    text = TEXT.replace("name: Slow-Burn", "name: SLOW-BURN").replace(
        "conditionRef: slow-burn", "conditionRef: Slow-Burn"
    )
    _, problems = load_text(text)
    (error,) = errors(problems)
    assert (error.code, error.where, error.field) == ("invalid-name", "ws.yaml:12", "metadata.name")
    assert "lowercase" in error.message
    # the one valid spelling, and the reference to change too (it is not valid either)
    assert error.fix.startswith("rename it 'slow-burn'")
    assert "ws.yaml:21" in error.fix
    assert "'Slow-Burn'" in error.fix


def test_every_case_variant_of_a_reference_is_one_error() -> None:
    for written, referenced in (
        ("SLOW-BURN", "slow-burn"),
        ("Slow-Burn", "SLOW-BURN"),
        ("slow-Burn", "Slow-burn"),
    ):
        text = TEXT.replace("name: Slow-Burn", f"name: {written}").replace(
            "conditionRef: slow-burn", f"conditionRef: {referenced}"
        )
        _, problems = load_text(text)
        assert [p.code for p in errors(problems)] == ["invalid-name"], (written, referenced)
