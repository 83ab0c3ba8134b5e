"""A reference written in a spelling no OpenSLO document can have says so, with the fix.

OpenSLO names are DNS labels (RFC 1123): lowercase letters, digits and ``-``; the reference
SDK checks ``indicatorRef`` and ``alertPolicyRef`` against the same rule. Real files (oslo's
composite test inputs) write ``indicatorRef: indicatorRefString`` and ``service:
TheServiceName``. Covenant said "add a SLI document named 'indicatorRefString'" — a document
that name would be an ``invalid-name`` error, and renaming it as that error says left the
reference naming nothing again. The fix now gives the lowercase spelling for both places.
"""

from __future__ import annotations

from covenant.errors import Problem
from tests.definitions.helpers import errors, load_text

SLI = """\
apiVersion: openslo/v1
kind: SLI
metadata: {name: NAME}
spec:
  ratioMetric:
    counter: true
    good: {metricSource: {type: events, spec: {}}}
    total: {metricSource: {type: events, spec: {}}}
"""

SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: checkout}
spec:
  service: Shop_Front
  budgetingMethod: Occurrences
  timeWindow: [{duration: 7d, isRolling: true}]
  objectives:
    - {displayName: first, target: 0.99, indicatorRef: basketRatio}
    - {displayName: second, target: 0.95, indicatorRef: basketRatio}
"""


def only(problems: list[Problem], code: str) -> list[Problem]:
    return [p for p in problems if p.code == code]


def test_a_reference_no_document_can_be_named_says_why_and_the_spelling_to_use() -> None:
    _, problems = load_text(SLO)
    first, second = errors(problems)
    assert (first.code, first.where) == ("missing-reference", "ws.yaml:9")
    assert second.where == "ws.yaml:10"
    for problem in (first, second):
        assert problem.message.startswith("no SLI named 'basketRatio' in the workspace")
        assert "DNS label" in problem.message
        assert "lowercase" in problem.message
        assert "basketratio" in problem.fix
        assert "named 'basketRatio'" not in problem.fix  # never: add a document of that name


def test_an_unresolved_service_of_no_possible_name_gives_the_spelling_to_use() -> None:
    _, problems = load_text(SLO)
    (service,) = [p for p in problems if p.field == "spec.service"]
    assert (service.code, service.severity) == ("unresolved-reference", "warning")
    assert "DNS label" in service.message
    assert "shop-front" in service.fix
    assert "named 'Shop_Front'" not in service.fix


def test_a_document_named_as_the_reference_writes_it_is_one_error_naming_the_uses() -> None:
    text = SLI.replace("NAME", "basketRatio") + "---\n" + SLO
    _, problems = load_text(text)
    (error,) = errors(problems)
    assert (error.code, error.where) == ("invalid-name", "ws.yaml:3")
    # renaming the SLI alone would leave both objectives naming nothing: the fix says so
    assert "basketratio" in error.fix
    assert "ws.yaml:18 and 1 more" in error.fix


def test_the_fix_followed_in_both_places_is_clean() -> None:
    text = SLI.replace("NAME", "basketratio") + "---\n" + SLO
    fixed = text.replace("basketRatio", "basketratio").replace("Shop_Front", "shop-front")
    _, problems = load_text(fixed)
    assert errors(problems) == []
