"""A field that takes a value or a mapping (``minimumCredit``) reports what is wrong with the
form written, not also that the other form was not written."""

from __future__ import annotations

import pytest

from covenant.definitions.workspace import analyse_text
from tests.conftest import ROOT

CONTRACTS = (ROOT / "examples" / "shop" / "contracts.yaml").read_text(encoding="utf-8")
WRITTEN = 'minimumCredit: "50.00"'
FIELD = "spec.versions[0].availability[0].minimumCredit"


def _about_minimum_credit(written: str) -> list[tuple[str, str]]:
    assert CONTRACTS.count(WRITTEN) == 1
    _, problems = analyse_text(CONTRACTS.replace(WRITTEN, f"minimumCredit: {written}"))
    return [(p.code, p.field) for p in problems if "minimumCredit" in p.field]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        # a value: its own error, not "should be a valid dictionary" from the mapping form
        ('"-50.00"', [("invalid-money", FIELD)]),
        # a mapping: the error inside it, not "should be a number" from the value form
        ('{atLeast: "x"}', [("invalid-type", f"{FIELD}.atLeast")]),
        ('{atLeast: "5.00", above: "1.00"}', [("conflicting-fields", f"{FIELD}.above")]),
        # neither form: still one error at the field (nothing is lost)
        ("[1, 2]", [("invalid-type", FIELD)]),
        # both forms valid: nothing
        ('"10.00"', []),
        ('{above: "1.00"}', []),
    ],
)
def test_one_error_for_the_form_written(written: str, expected: list[tuple[str, str]]) -> None:
    assert _about_minimum_credit(written) == expected
