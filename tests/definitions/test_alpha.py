"""openslo/v1alpha and openslo.com/v2alpha are read as openslo/v1 where they map onto it."""

from __future__ import annotations

import copy
import io
import random
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from covenant.errors import Problem
from tests.definitions.helpers import errors, load_text

V1ALPHA_SLO = """\
apiVersion: openslo/v1alpha
kind: SLO
metadata:
  name: search
spec:
  service: search
  timeWindows:
    - unit: {unit}
      count: {count}
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: Good
      value: 1
      target: {target}
      ratioMetrics:
        incremental: true
        good: {{source: prometheus, queryType: promql, query: good}}
        total: {{source: prometheus, queryType: promql, query: total}}
"""

V1_SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: search
spec:
  service: search
  timeWindow:
    - duration: {duration}
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: Good
      target: {target}
  indicator:
    metadata: {{name: search}}
    spec:
      ratioMetric:
        counter: true
        good: {{metricSource: {{type: prometheus, spec: {{queryType: promql, query: good}}}}}}
        total: {{metricSource: {{type: prometheus, spec: {{queryType: promql, query: total}}}}}}
"""


def _alpha(unit: str = "Day", count: str = "28", target: str = "0.99") -> str:
    return V1ALPHA_SLO.format(unit=unit, count=count, target=target)


def _notes(problems: list[Problem]) -> list[tuple[str, str]]:
    return [(p.where, p.field) for p in problems if p.code == "converted-api-version"]


def test_v1alpha_slo_builds_the_same_objective_as_its_v1_form() -> None:
    alpha, problems = load_text(_alpha())
    assert alpha is not None, problems
    v1, v1_problems = load_text(V1_SLO.format(duration="28d", target="0.99"))
    assert v1 is not None, v1_problems
    assert alpha.objectives == v1.objectives
    assert alpha.event_rules == v1.event_rules
    assert _notes(problems) == [
        ("ws.yaml:8", "spec.timeWindows[0].unit"),
        ("ws.yaml:14", "spec.objectives[0].value"),
        ("ws.yaml:16", "spec.objectives[0].ratioMetrics"),
    ]


def test_problems_in_a_converted_document_point_at_the_written_line() -> None:
    _, problems = load_text(_alpha(target="1.5"))
    assert [(p.code, p.where, p.field) for p in errors(problems)] == [
        ("target-out-of-range", "ws.yaml:15", "spec.objectives[0].target")
    ]


def test_an_unknown_field_says_its_allowed_list_is_openslo_v1s() -> None:
    # the list names the fields of openslo/v1 (indicator, compositeWeight…), which a v1alpha
    # objective does not have: it says so, rather than offering them as v1alpha's
    text = _alpha().replace("      value: 1\n", "      value: 1\n      bogusField: 1\n")
    _, problems = load_text(text)
    (unknown,) = [p for p in errors(problems) if p.code == "unknown-field"]
    assert unknown.field == "spec.objectives[0].bogusField"
    assert "allowed here in openslo/v1, which this openslo/v1alpha document is read as: " in (
        unknown.fix
    )


def test_seconds_become_whole_minutes() -> None:
    workspace, problems = load_text(_alpha(unit="Second", count="7200"))
    assert workspace is not None, problems
    assert workspace.objectives[0].window.seconds == 7200  # type: ignore[union-attr]


def test_seconds_that_are_not_whole_minutes_are_not_convertible() -> None:
    workspace, problems = load_text(_alpha(unit="Second", count="90"))
    assert workspace is None
    assert [(p.code, p.where) for p in errors(problems)] == [("not-convertible", "ws.yaml:9")]


def test_a_v1_duration_in_a_v1alpha_window_is_named_with_both_ways_out() -> None:
    """A guide's v1alpha SLO (openswap) wrote ``timeWindows: [{duration: 30d}]``: v1's field,
    which v1alpha does not have; it was read silently as v1."""
    text = _alpha().replace("    - unit: Day\n      count: 28\n", "    - duration: 30d\n")
    assert "duration: 30d" in text
    workspace, problems = load_text(text)
    assert workspace is None
    (problem,) = errors(problems)
    assert (problem.code, problem.where, problem.field) == (
        "unknown-field",
        "ws.yaml:8",
        "spec.timeWindows[0].duration",
    )
    assert "unit: Day and count: 30" in problem.fix


def test_an_unknown_unit_is_an_invalid_value() -> None:
    _, problems = load_text(_alpha(unit="Fortnight"))
    assert [(p.code, p.field) for p in errors(problems)] == [
        ("invalid-value", "spec.timeWindows[0].unit")
    ]


def test_objectives_with_different_ratio_metrics_are_not_convertible() -> None:
    text = _alpha() + (
        "    - displayName: Other\n"
        "      value: 1\n"
        "      target: 0.9\n"
        "      ratioMetrics:\n"
        "        incremental: true\n"
        "        good: {source: prometheus, queryType: promql, query: other}\n"
        "        total: {source: prometheus, queryType: promql, query: total}\n"
    )
    workspace, problems = load_text(text)
    assert workspace is None
    assert [(p.code, p.field) for p in errors(problems)] == [
        ("not-convertible", "spec.objectives[1].ratioMetrics")
    ]


def test_v1alpha_kinds_other_than_slo_and_service_are_refused() -> None:
    text = "apiVersion: openslo/v1alpha\nkind: SLI\nmetadata: {name: x}\nspec: {}\n"
    workspace, problems = load_text(text)
    assert workspace is None
    assert [(p.code, p.field) for p in errors(problems)] == [("not-convertible", "kind")]


V2ALPHA = """\
apiVersion: openslo.com/v2alpha
kind: SLO
metadata:
  name: search
spec:
  serviceRef: search
  sli:
    metadata: {name: search}
    spec:
      ratioMetric:
        counter: true
        good:
          dataSourceSpec:
            type: prometheus
            connectionDetails: {url: "http://p"}
          spec: {queryType: promql, query: good}
        total:
          dataSourceSpec: {type: prometheus}
          spec: {queryType: promql, query: total}
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: Good
      target: 0.99
"""


def test_v2alpha_slo_builds_the_same_objective_as_its_v1_form() -> None:
    alpha, problems = load_text(V2ALPHA)
    assert alpha is not None, problems
    v1, _ = load_text(V1_SLO.format(duration="28d", target="0.99"))
    assert v1 is not None
    assert alpha.objectives == v1.objectives
    notes = _notes(problems)
    assert ("ws.yaml:6", "spec.serviceRef") in notes
    assert ("ws.yaml:7", "spec.sli") in notes
    assert ("ws.yaml:15", "spec.sli.spec.ratioMetric.good.dataSourceSpec.connectionDetails") in (
        notes
    )


def test_v2alpha_budget_adjustment_is_refused_with_the_covenant_equivalent() -> None:
    text = "apiVersion: openslo.com/v2alpha\nkind: BudgetAdjustment\nmetadata: {name: x}\n"
    workspace, problems = load_text(text + "spec: {}\n")
    assert workspace is None
    (problem,) = errors(problems)
    assert (problem.code, problem.where) == ("not-convertible", "ws.yaml:2")
    assert "Correction" in problem.fix


def test_an_unpublished_version_is_refused_without_naming_oslo_convert() -> None:
    text = "apiVersion: openslo/v2alpha\nkind: Service\nmetadata: {name: x}\nspec: {}\n"
    workspace, problems = load_text(text)
    assert workspace is None
    (problem,) = errors(problems)
    assert problem.code == "unsupported-api-version"
    assert "openslo.com/v2alpha" in problem.fix
    assert "oslo convert" not in problem.fix


_ODD_VALUES: list[object] = [None, 0, -1, 1.5, "x", "", [], {}, [1], {"a": 1}, True, "Second"]


def _subtree_paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _subtree_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _subtree_paths(item, (*prefix, index))
    return found


def _load_mutated(document: object) -> None:
    stream = io.StringIO()
    YAML(typ="safe").dump(document, stream)
    workspace, problems = load_text(stream.getvalue())  # must not raise
    assert workspace is not None or errors(problems)


def _alpha_documents(corpus: Path, version: str) -> list[Any]:
    documents: list[Any] = []
    for path in sorted((corpus / "openslo" / "go-sdk" / version).glob("*.yaml")):
        for loaded in YAML(typ="safe").load_all(path.read_text()):
            documents += loaded if isinstance(loaded, list) else [loaded]
    return documents


@pytest.mark.corpus
def test_every_field_of_the_v1alpha_examples_replaced_never_raises(corpus: Path) -> None:
    """Exhaustive: each field of each v1alpha example replaced by each odd value, or removed."""
    documents = _alpha_documents(corpus, "v1alpha")
    assert len(documents) == 3
    runs = 0
    for original in documents:
        for path in _subtree_paths(original):
            for value in [*_ODD_VALUES, "remove"]:
                document = copy.deepcopy(original)
                holder: Any = document
                for key in path[:-1]:
                    holder = holder[key]
                if value == "remove" and isinstance(holder, dict):
                    del holder[path[-1]]
                else:
                    holder[path[-1]] = value
                _load_mutated(document)
                runs += 1
    assert runs > 500


@pytest.mark.corpus
def test_mutated_v2alpha_documents_never_raise(corpus: Path) -> None:
    """A bounded, seeded fuzz: any field of a v2alpha example replaced or removed."""
    documents = _alpha_documents(corpus, "v2alpha")
    assert len(documents) == 17  # 2 + 2 + 3 + 2 + 2 + 5 + 1
    rng = random.Random(7)
    for _ in range(300):
        document = copy.deepcopy(rng.choice(documents))
        path = rng.choice(_subtree_paths(document))
        holder: Any = document
        for key in path[:-1]:
            holder = holder[key]
        if isinstance(holder, dict) and rng.random() < 0.3:
            del holder[path[-1]]
        else:
            holder[path[-1]] = rng.choice(_ODD_VALUES)
        _load_mutated(document)


@pytest.mark.parametrize(("query", "told"), [("good", False), ("sum(rate(g[{{.window}}]))", True)])
def test_a_missing_value_with_sloths_window_points_to_the_sloth_import(
    query: str, told: bool
) -> None:
    """hyorimitsu/hello-openslo's shape: a v1alpha SLO without ``value`` whose queries hold
    Sloth's ``{{.window}}`` is Sloth's OpenSLO input: the fix names `covenant import sloth`."""
    text = V1ALPHA_SLO.format(unit="Day", count=28, target=0.99).replace("      value: 1\n", "")
    text = text.replace("query: good}", f"query: '{query}'}}")
    _, problems = load_text(text)
    (problem,) = [p for p in errors(problems) if p.code == "missing-field"]
    assert problem.field == "spec.objectives[0].value"
    assert ("covenant import sloth FILE" in problem.fix) is told
