"""Blameless's SLO files (``apiVersion: blameless/v1alpha``) are named as Blameless's.

blamelesshq/blameless-openslo's ``samples/sli.yaml`` and ``specs/slo.yaml`` (reduced here)
got "unknown apiVersion 'blameless/v1alpha' — use openslo/v1 or covenant/v1": a fix that
cannot work, the fields being Blameless's own (``sliName``, ``sloStatus``, ``owner``, a
v1alpha-style ``thresholdMetric{source, queryType, query}``).
"""

from __future__ import annotations

import pytest

from covenant.definitions.workspace import analyse_text

SLI = """\
apiVersion: blameless/v1alpha
kind: SLI
metadata:
  name: "HammadSLI1"
  service: "HammadService1"
spec:
  owner: hammad@blameless.com
  sliType: latency
  thresholdMetric: {source: prometheus, queryType: string, query: avg(x)}
"""

SLO = """\
apiVersion: blameless/v1alpha
kind: SLO
metadata: {name: checkout, userJourney: buy}
spec:
  owner: someone@example.com
  sloStatus: active
  sliName: checkout-latency
  target: 0.99
"""


@pytest.mark.parametrize(("text", "kind"), [(SLI, "SLI"), (SLO, "SLO")])
def test_a_blameless_document_is_one_problem_naming_blameless(text: str, kind: str) -> None:
    _, problems = analyse_text(text, file="ws.yaml")
    assert [(p.code, p.where, p.severity) for p in problems] == [
        ("other-tool-format", "ws.yaml:1", "error")
    ]
    (problem,) = problems
    assert f"a Blameless {kind} (blameless/v1alpha)" in problem.message
    assert "openslo/v1" in problem.fix
    assert "sliName" in problem.fix  # what its own fields become
