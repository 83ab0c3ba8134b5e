"""A bare name where a reference mapping belongs is fixed with a name a document can have.

OpenSLO/slogen's samples and oslo's old test inputs write ``alertPolicies: [High-Burn-Rate]``
(a bare name, not ``- alertPolicyRef: …``). The fix said ``write - alertPolicyRef:
High-Burn-Rate``, and following it gave the next error: no AlertPolicy can be named so, as names
are lowercase DNS labels. The fix now spells the name as the AlertPolicy's own ``invalid-name``
fix does. The expected texts are written by hand.
"""

from __future__ import annotations

from covenant.definitions.workspace import analyse_text

SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: drift}
spec:
  service: tsat
  indicatorRef: avail
  timeWindow: [{duration: 7d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.98}]
  alertPolicies:
    - High-Burn-Rate
    - fast-burn
"""


def _fixes(text: str) -> list[tuple[str, str | None, str]]:
    _, problems = analyse_text(text, file="ws.yaml")
    return [(p.where, p.field, p.fix) for p in problems if p.code == "invalid-type"]


def test_a_bare_name_is_written_as_a_reference_a_document_can_have() -> None:
    assert _fixes(SLO) == [
        (
            "ws.yaml:11",
            "spec.alertPolicies[0]",
            "write - alertPolicyRef: high-burn-rate (a reference is a mapping; names are "
            "lowercase DNS labels, so name the AlertPolicy 'high-burn-rate' too), or the "
            "definition",
        ),
        (
            "ws.yaml:12",
            "spec.alertPolicies[1]",
            "write - alertPolicyRef: fast-burn (a reference is a mapping), or the definition",
        ),
    ]


def test_a_bare_condition_name_in_a_policy_too() -> None:
    text = """\
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {name: page}
spec:
  conditions: [CPU_Breach]
  notificationTargets: [{targetRef: oncall}]
"""
    assert _fixes(text) == [
        (
            "ws.yaml:5",
            "spec.conditions[0]",
            "write - conditionRef: cpu-breach (a reference is a mapping; names are lowercase "
            "DNS labels, so name the AlertCondition 'cpu-breach' too), or the definition",
        )
    ]
