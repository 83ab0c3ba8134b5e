"""``openslo.com/v2alpha`` label keys and values are checked as the v2alpha spec checks them.

OpenSLO's Go SDK (pkg/openslo/v2alpha/objects.go) types v2alpha labels as ``map[string]string``
(one text per key: v1's list values are gone) and checks each value against
``^([a-z0-9]([-._a-z0-9]{0,61}[a-z0-9])?)?$`` (at most 63 lowercase letters, digits, ``-``,
``_``, ``.``, starting and ending with a letter or digit; empty allowed) and each key against
Kubernetes' qualified-name rule (an optional lowercase DNS prefix and ``/``, then a name of
the same characters, at most 63). Covenant did not check them: ``team: Platform Team`` and
``env: [prod, dev]`` were valid v2alpha. Lines are counted by hand from the text below.
"""

from __future__ import annotations

import pytest

from covenant.definitions.workspace import analyse_text
from covenant.errors import Problem

SERVICE = """\
apiVersion: openslo.com/v2alpha
kind: Service
metadata:
  name: web
  labels:
{labels}
spec:
  description: the shop
"""


def _errors(labels: str) -> list[Problem]:
    _, problems = analyse_text(SERVICE.format(labels=labels), file="ws.yaml")
    return [p for p in problems if p.severity == "error"]


@pytest.mark.parametrize(
    "labels",
    [
        "    team: team-a",
        "    env: ''",  # empty is allowed by the regexp
        "    openslo.com/tier: gold",
        "    app.kubernetes.io/part-of: my.domain_123-label",
        "    version: '1.2'",
    ],
)
def test_labels_the_spec_allows_are_valid(labels: str) -> None:
    assert _errors(labels) == []


def test_a_value_with_a_space_and_capitals_is_refused_with_its_label_form() -> None:
    (problem,) = _errors("    team: Platform Team")
    assert (problem.code, problem.where, problem.field) == (
        "invalid-value",
        "ws.yaml:6",
        "metadata.labels.team",
    )
    assert problem.message == (
        "label value 'Platform Team' is not an openslo.com/v2alpha label value"
    )
    assert problem.fix == (
        "write at most 63 lowercase letters, digits, '-', '_' or '.', beginning and ending "
        "with a letter or digit, e.g. team: platform-team"
    )


def test_a_list_value_is_v1s_and_refused() -> None:
    (problem,) = _errors("    env: [prod, dev]")
    assert (problem.where, problem.field) == ("ws.yaml:6", "metadata.labels.env")
    assert problem.message == "an openslo.com/v2alpha label holds one value, not a list"
    assert problem.fix == (
        "write one value, e.g. env: prod, or write the document as apiVersion: openslo/v1 "
        "(whose labels take a list)"
    )


def test_a_value_of_64_characters_is_refused() -> None:
    (problem,) = _errors("    owner: " + "a" * 64)
    assert problem.field == "metadata.labels.owner"
    assert problem.fix.endswith("e.g. owner: " + "a" * 63)


def test_a_bad_key_is_refused() -> None:
    (problem,) = _errors("    Team_Name: a")
    assert (problem.where, problem.field) == ("ws.yaml:6", "metadata.labels.Team_Name")
    assert problem.message == "label key 'Team_Name' is not an openslo.com/v2alpha label key"
    assert problem.fix == (
        "write the key as an optional lowercase DNS prefix and '/' then at most 63 lowercase "
        "letters, digits, '-', '_' or '.', e.g. team_name"
    )


def test_a_number_value_is_refused_with_quotes() -> None:
    (problem,) = _errors("    cost-center: 42")
    assert problem.field == "metadata.labels.cost-center"
    assert problem.fix == 'quote it: cost-center: "42" (a label value is text)'


def test_an_inline_sli_label_is_checked_too() -> None:
    text = """\
apiVersion: openslo.com/v2alpha
kind: SLO
metadata: {name: checkout}
spec:
  serviceRef: web
  sli:
    metadata:
      name: checkout-ok
      labels: {team: Checkout Team}
    spec:
      thresholdMetric:
        dataSourceSpec: {type: Prometheus}
        spec: {query: up}
  timeWindow: [{duration: 28d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives:
    - target: 0.99
      op: gte
      value: 1
"""
    _, problems = analyse_text(text, file="ws.yaml")
    (problem,) = [p for p in problems if p.severity == "error"]
    assert (problem.where, problem.field) == ("ws.yaml:9", "spec.sli.metadata.labels.team")


def test_a_bad_key_with_a_bad_value_is_one_problem_naming_both() -> None:
    """The BOS-to-OpenSLO mapping guide's v2alpha SLO labels: `displayName: "Loan Origination
    System"`. Fixing the key alone would reveal the value's problem next."""
    (problem,) = _errors('    displayName: "Loan Origination System"')
    assert problem.field == "metadata.labels.displayName"
    assert problem.message == (
        "label key 'displayName' is not an openslo.com/v2alpha label key, nor "
        "'Loan Origination System' a label value"
    )
    assert problem.fix.endswith(
        "e.g. displayname: loan-origination-system (the value too: "
        "at most 63 lowercase letters, digits, '-', '_' or '.')"
    )


def test_an_annotation_key_is_checked_as_a_label_key() -> None:
    """The SDK checks annotation keys with the label key rule (values are free text)."""
    text = SERVICE.replace(
        "  labels:\n{labels}\n",
        "  annotations:\n    Service Folder: ./my/dir\n"
        "    openslo.com/service-folder: ./my/directory\n",
    )
    _, problems = analyse_text(text, file="ws.yaml")
    (problem,) = [p for p in problems if p.severity == "error"]
    assert (problem.where, problem.field) == ("ws.yaml:6", "metadata.annotations[Service Folder]")
    assert problem.fix.endswith("e.g. service-folder")
