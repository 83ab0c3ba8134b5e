"""Composite weights from YAML: too fine to be exact is a validation problem with a fix."""

from __future__ import annotations

import pytest

from covenant.definitions.workspace import analyse_text
from tests.services.test_corrections import COMPOSITE, SLO


@pytest.mark.parametrize(
    ("search", "pay", "fix"),
    [
        ("0.3333333333333", "0.6666666666667", "e.g. 1, 2"),
        ("1e13", "1", "under a millionth"),
        ("1e308", "1", "under a millionth"),
    ],
)
def test_weights_that_overflowed_are_refused_at_validation(search: str, pay: str, fix: str) -> None:
    text = (SLO + COMPOSITE).replace("compositeWeight: 1", f"compositeWeight: {search}")
    text = text.replace("compositeWeight: 3", f"compositeWeight: {pay}")
    ws, problems = analyse_text(text, file="ws.yaml")
    assert ws is None
    (problem,) = [p for p in problems if p.severity == "error"]
    assert problem.code == "invalid-composite"
    assert problem.where.startswith("ws.yaml:")
    assert "reduce to whole-number ratios" in problem.message
    assert fix in problem.fix


def test_weights_written_simply_are_accepted() -> None:
    text = (SLO + COMPOSITE).replace("compositeWeight: 1", "compositeWeight: 0.5")
    ws, problems = analyse_text(text, file="ws.yaml")
    assert ws is not None, [str(p) for p in problems]
    (composite,) = ws.composites
    assert composite.integer_weights == (1, 6)
