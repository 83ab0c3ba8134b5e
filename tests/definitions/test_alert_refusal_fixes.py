"""Every refusal in an AlertCondition, AlertPolicy or AlertNotificationTarget names the field,
the problem and a concrete fix (something to write), never a bare question ("did you mean
'burnrate'?"), pydantic's wording ("Input should be a valid string") or a fix that would
read the document wrongly ("rename target to targetRef" for an inline target written flat).

`kind: Burnrate` is written so in public files (e.g. an AlertPolicy in a generated OpenSLO
README and a Go generator writing `kind: Burnrate`); the OpenSLO spec and its Go SDK
(pkg/openslo/v1 AlertConditionKindBurnRate) spell the only condition kind `burnrate`.
The flat notification target (`- target: slack, description: …` in a policy) is the shape of
an AlertPolicy test in a public Go repository (TestOpenSLOAlertPolicy_shouldbeValid_
singleYamlSpec); OpenSLO's inline form is a document's kind, metadata and spec.
"""

from __future__ import annotations

import pytest

from covenant.errors import Problem
from tests.definitions.helpers import errors, load_text
from tests.definitions.test_delivery_targets import read, target

CONDITION = """\
apiVersion: openslo/v1
kind: AlertCondition
metadata: {{name: fast-burn}}
spec:
{spec}
"""

POLICY = """\
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {{name: burn}}
spec:
{spec}
"""

TARGET = """\
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata: {{name: on-call}}
spec:
{spec}
"""

CASES = [
    # (document, field refused, what the fix must write)
    (
        CONDITION.format(
            spec="  severity: page\n  condition: {kind: Burnrate, op: gte, threshold: 2, "
            "lookbackWindow: 1h}"
        ),
        "spec.condition.kind",
        "write kind: burnrate",
    ),
    (
        CONDITION.format(
            spec="  severity: page\n  condition: {kind: burn-rate, threshold: 2, "
            "lookbackWindow: 1h}"
        ),
        "spec.condition.kind",
        "write kind: burnrate",
    ),
    (
        CONDITION.format(
            spec="  severity: page\n  condition: {kind: burnrate, op: ge, threshold: 2, "
            "lookbackWindow: 1h}"
        ),
        "spec.condition.op",
        "write op: gte",
    ),
    (
        CONDITION.format(
            spec="  severity: page\n  condition: {kind: burnrate, threshold: high, "
            "lookbackWindow: 1h}"
        ),
        "spec.condition.threshold",
        "threshold: 14.4",
    ),
    (
        CONDITION.format(
            spec="  severity: page\n  condition: {kind: burnrate, lookbackWindow: 1h}"
        ),
        "spec.condition.threshold",
        "threshold: 14.4",
    ),
    (
        CONDITION.format(
            spec="  severity: page\n  condition: {kind: burnrate, threshold: 2, lookbackWindow: 90}"
        ),
        "spec.condition.lookbackWindow",
        "lookbackWindow: 1h",
    ),
    (
        CONDITION.format(
            spec="  severity: page\n  condition: {kind: burnrate, threshold: 2, "
            "lookbackWindow: 1h, alertAfter: 5}"
        ),
        "spec.condition.alertAfter",
        "alertAfter: 5m",
    ),
    (
        CONDITION.format(
            spec="  severity: page\n  condition: {kind: burnrate, threshold: 2, lookbackWindow: 1M}"
        ),
        "spec.condition.lookbackWindow",  # a month has no fixed length
        "write it in m, h, d or w, e.g. lookbackWindow: 1h",
    ),
    (
        CONDITION.format(
            spec="  severity: [page]\n  condition: {kind: burnrate, threshold: 2, "
            "lookbackWindow: 1h}"
        ),
        "spec.severity",
        "severity: page",
    ),
    (TARGET.format(spec="  description: the on-call"), "spec.target", "target: slack"),
    (TARGET.format(spec="  target: {slack: '#alerts'}"), "spec.target", "target: slack"),
    (
        POLICY.format(
            spec="  conditions: fast-burn\n  notificationTargets: [{targetRef: on-call}]"
        ),
        "spec.conditions",
        "conditions: [{conditionRef: fast-burn}]",
    ),
    (
        POLICY.format(spec="  conditions: [{conditionRef: fast-burn}]\n  notificationTargets: x"),
        "spec.notificationTargets",
        "notificationTargets: [{targetRef: x}]",
    ),
    (
        POLICY.format(
            spec="  conditions:\n    - kind: Condition\n      metadata: {name: c}\n"
            "      spec: {severity: page, condition: {kind: burnrate, threshold: 2, "
            "lookbackWindow: 1h}}\n  notificationTargets: [{targetRef: on-call}]"
        ),
        "spec.conditions[0].kind",
        "write kind: AlertCondition",
    ),
    (
        POLICY.format(
            spec="  conditions: [{conditionRef: fast-burn}]\n  notificationTargets:\n"
            "    - target: slack\n      description: Notify on slack"
        ),
        "spec.notificationTargets[0]",
        "kind: AlertNotificationTarget, metadata: {name: <its name>}, spec: {target: slack",
    ),
    (
        POLICY.format(
            spec="  conditions:\n    - severity: page\n      condition: {kind: burnrate, "
            "threshold: 2, lookbackWindow: 1h}\n  notificationTargets: [{targetRef: on-call}]"
        ),
        "spec.conditions[0]",
        "kind: AlertCondition, metadata: {name: <its name>}, spec: {severity: page, condition: ",
    ),
]


def _errors(text: str) -> list[Problem]:
    _, problems = load_text(text)
    return errors(problems)


@pytest.mark.parametrize(("text", "field", "fix"), CASES)
def test_the_refusal_names_the_field_and_a_fix_to_write(text: str, field: str, fix: str) -> None:
    (problem,) = _errors(text)
    assert problem.field == field
    assert fix in problem.fix
    assert "Input should" not in problem.message
    assert not problem.fix.endswith("?")


def test_a_capitalised_burnrate_is_told_the_case_matters() -> None:
    text = CASES[0][0]
    (problem,) = _errors(text)
    assert problem.message == "condition kind 'Burnrate' is not one OpenSLO defines"
    assert problem.fix == (
        "write kind: burnrate (in lowercase: the only condition kind OpenSLO defines)"
    )


def test_a_flat_inline_target_is_one_problem_not_a_rename_to_the_reference() -> None:
    """`rename target to targetRef` would make `targetRef: slack` (a reference to no
    document: a warning only), and `description` was told "remove it"."""
    (problem,) = _errors(CASES[-2][0])
    assert "rename" not in problem.fix
    assert problem.where == "ws.yaml:7"  # the item's line: `    - target: slack`


def test_a_list_item_s_value_is_written_without_a_key() -> None:
    """The generic fix of a value outside its choices is `write FIELD: VALUE`; a list's item
    has no key: `write burn-rate`, not `write 0: burn-rate`."""
    _, problems = read(target("hook", "webhook", {"url": "http://a", "kinds": ["burn-rates"]}))
    (problem,) = errors(problems)
    assert problem.field == "metadata.annotations[covenant.dev/delivery].kinds[0]"
    assert problem.fix.startswith("write burn-rate (one of: burn-rate, no-data, ")


@pytest.mark.parametrize(
    ("text", "field", "fix"),
    [
        (
            CONDITION.format(
                spec="  severity: page\n  descripton: x\n  condition: {kind: "
                "burnrate, threshold: 2, lookbackWindow: 1h}"
            ),
            "spec.descripton",
            "rename descripton to description",
        ),
        (
            CONDITION.format(
                spec="  severity: page\n  condition: {kind: burnrate, threshold: 2, "
                "lookbackWindow: 1h, alertAftr: 5m}"
            ),
            "spec.condition.alertAftr",
            "rename alertAftr to alertAfter",
        ),
        (
            POLICY.format(
                spec="  alertWhenBreachng: true\n  conditions: [{conditionRef: c}]\n"
                "  notificationTargets: [{targetRef: t}]"
            ),
            "spec.alertWhenBreachng",
            "rename alertWhenBreachng to alertWhenBreaching",
        ),
    ],
)
def test_a_misspelt_optional_field_is_renamed_not_asked_about(
    text: str, field: str, fix: str
) -> None:
    """Before: "did you mean 'alertAfter'?" — a question, where a required field's
    misspelling already got "rename … to …"."""
    (problem,) = _errors(text)
    assert (problem.field, problem.fix) == (field, fix)
