"""Corpus conformance: valid files load, invalid ones fail for the same reason as upstream."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from covenant.definitions.workspace import analyse
from tests.definitions.helpers import error_reasons, errors

OP = ("op-on-ratio-objective", "spec.objectives[0].op")
NAME = ("invalid-name", "metadata.name")
VERSION = ("unsupported-api-version", "apiVersion")


def _ref(field: str) -> tuple[str, str]:
    return ("missing-reference", field)


# Each file loaded alone: the exact set of (code, field) errors. Empty means it must load.
EXPECTED: dict[str, set[tuple[str, str]]] = {
    "go-sdk/v1/alert_conditions.yaml": set(),
    "go-sdk/v1/alert_notification_targets.yaml": set(),
    "go-sdk/v1/data_sources.yaml": set(),
    "go-sdk/v1/slis.yaml": set(),
    # per-kind example files: the policies refer to conditions/targets kept in other files, and
    # no SLO uses them (warnings)
    "go-sdk/v1/alert_policies.yaml": set(),
    # the same Service name twice: a warning
    "go-sdk/v1/services.yaml": set(),
    # op on a ratio objective: the reference validator forbids it
    "go-sdk/v1/slos.yaml": {OP},
    "spec-examples/budgeting-method/occurences-slo.yaml": set(),
    "spec-examples/budgeting-method/ratio-timeslices.yaml": {OP},
    # `1m` on a calendar window (a month was meant) and op on a ratio objective
    "spec-examples/budgeting-method/timeslices-slo.yaml": {
        ("ambiguous-duration", "spec.timeWindow[0].duration"),
        OP,
    },
    "spec-examples/treat-low-traffic-as-equally-important/timeslices-slo.yaml": {OP},
    "go-sdk/sdk-test-data/decode/sequence_of_objects.yaml": set(),
    "go-sdk/sdk-test-data/decode/sequence_of_objects.json": set(),
    "go-sdk/sdk-test-data/decode/single_object.yaml": set(),
    "go-sdk/sdk-test-data/decode/single_object.json": set(),
    "go-sdk/sdk-test-data/decode/two_documents.yaml": set(),
    "go-sdk/sdk-test-data/decode/v1_slos.yaml": set(),
    "go-sdk/sdk-test-data/decode/v2alpha_data_source.yaml": {VERSION, NAME},
    "go-sdk/sdk-test-data/decode/v2alpha_slos.yaml": {VERSION},
    "go-sdk/sdk-test-data/encode/v1_slo.yaml": set(),
    "go-sdk/sdk-test-data/encode/v1_slo.json": set(),
    "go-sdk/sdk-test-data/inline/inputs/v1_alert_policies_keep_refs.yaml": set(),
    "go-sdk/sdk-test-data/inline/inputs/v1_alert_policies_remove_refs.yaml": set(),
    "go-sdk/sdk-test-data/inline/inputs/v1_slo.yaml": set(),
    "go-sdk/sdk-test-data/inline/outputs/v1_alert_policies_keep_refs.yaml": set(),
    "go-sdk/sdk-test-data/inline/outputs/v1_alert_policies_remove_refs.yaml": set(),
    "go-sdk/sdk-test-data/inline/outputs/v1_slo.yaml": set(),
    # the SDK inliner's *invalid* inputs: a reference that names nothing; no SLO uses these
    # policies and Covenant sends no notifications, so both are warnings
    "go-sdk/sdk-test-data/inline/inputs/v1_alert_policies_invalid_condition.yaml": set(),
    "go-sdk/sdk-test-data/inline/inputs/v1_alert_policies_invalid_target.yaml": set(),
    "go-sdk/sdk-test-data/inline/inputs/v1_slo_invalid_sli.yaml": {_ref("spec.indicatorRef")},
    # also: its threshold SLI objective has op but no value
    "go-sdk/sdk-test-data/inline/inputs/v1_slo_invalid_policy.yaml": {
        _ref("spec.alertPolicies[0].alertPolicyRef"),
        ("threshold-needs-op-value", "spec.objectives[0].value"),
    },
    "go-sdk/sdk-test-data/inline/inputs/v1_slo_invalid_target.yaml": {
        ("threshold-needs-op-value", "spec.objectives[0].value"),
    },
    "oslo-validate/inputs/invalid-apiversion.yaml": {("unknown-api-version", "apiVersion")},
    "oslo-validate/inputs/unknown-field.yaml": {NAME, ("unknown-field", "spec.markdown")},
    "oslo-validate/inputs/v1.yaml": {OP, NAME},
    "oslo-validate/inputs/v1alpha.yaml": {VERSION, NAME},
    "oslo-validate/inputs/v2alpha.yaml": {VERSION, NAME},
}


@pytest.mark.corpus
@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_corpus_file(corpus: Path, relative: str) -> None:
    assert error_reasons(corpus / "openslo" / relative) == EXPECTED[relative]


@pytest.mark.corpus
def test_every_v1_sdk_file_is_covered(corpus: Path) -> None:
    root = corpus / "openslo"
    files = [*(root / "go-sdk" / "v1").glob("*.yaml"), *(root / "spec-examples").rglob("*.yaml")]
    assert {str(f.relative_to(root)) for f in files} <= set(EXPECTED)


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["v1alpha", "v2alpha"])
def test_every_alpha_sdk_file_says_convert(corpus: Path, name: str) -> None:
    for path in (corpus / "openslo" / "go-sdk" / name).glob("*.yaml"):
        _, problems = analyse([path])
        assert problems
        assert all(p.code == "unsupported-api-version" for p in errors(problems))
        assert "openslo/v1" in problems[0].fix


@pytest.mark.corpus
def test_v1_sdk_folder_as_one_workspace(corpus: Path) -> None:
    """Loaded together, only the genuine faults remain (the condition reference resolves)."""
    reasons = error_reasons(corpus / "openslo" / "go-sdk" / "v1")
    assert reasons == {OP}


_OSLO_FILE = re.compile(r"^Errors in /oslo/test/inputs/validate/(.+):$")
_OSLO_FIELD = re.compile(r"^\s+- '([^']+)'(?: with value '([^']*)')?:$")


def _oslo_expectations(output: str) -> dict[str, set[str]]:
    """file → fields the reference validator reports (minus the missing-tzdata artefact)."""
    found: dict[str, set[str]] = {}
    current = ""
    for line in output.splitlines():
        if match := _OSLO_FILE.match(line):
            current = match.group(1)
            found[current] = set()
        elif (match := _OSLO_FIELD.match(line)) and not match.group(1).endswith("timeZone"):
            found[current].add(match.group(1))
    return found


@pytest.mark.corpus
@pytest.mark.parametrize("case", ["v1", "v1alpha", "v2alpha", "mix", "recursive"])
def test_oslo_validate_reasons(corpus: Path, case: str) -> None:
    """Every field oslo flags is flagged by Covenant too (or the whole version is refused)."""
    base = corpus / "openslo" / "oslo-validate"
    expected = _oslo_expectations((base / "outputs" / case).read_text())
    assert expected
    for relative, fields in expected.items():
        path = base / "inputs" / relative
        _, problems = analyse([path])
        mine = {p.field for p in errors(problems)}
        if "apiVersion" in mine:  # v1alpha / v2alpha: refused as a whole, names still checked
            assert "unsupported-api-version" in {p.code for p in problems}
            wanted = {f for f in fields if f == "metadata.name"}
        else:
            wanted = fields
        assert wanted <= mine, (relative, wanted, mine)


@pytest.mark.corpus
def test_oslo_recursive_folder_finds_nested_files(corpus: Path) -> None:
    _, problems = analyse([corpus / "openslo" / "oslo-validate" / "inputs" / "recursive"])
    files = {p.where.rsplit(":", 1)[0] for p in errors(problems)}
    assert len(files) == 3
