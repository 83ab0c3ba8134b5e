"""YAML reading: lines of every field, exact decimals, syntax errors with a line."""

from __future__ import annotations

from decimal import Decimal

from covenant.definitions.yamlsource import field_path, read_text

TEXT = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: a
spec:
  objectives:
    - target: 0.999
      startTime: 2022-01-01 12:00:00
---
- kind: Service
- kind: SLI
"""


def test_documents_and_lines() -> None:
    docs, problems = read_text(TEXT, file="f.yaml")
    assert problems == []
    assert [d.line for d in docs] == [1, 10, 11]
    first = docs[0]
    assert first.line_of(("spec", "objectives", 0, "target")) == 7
    assert first.where(("spec", "objectives", 0, "missing")) == "f.yaml:7"


def test_floats_are_exact_decimals_and_timestamps_stay_text() -> None:
    docs, _ = read_text(TEXT, file="f.yaml")
    objective = docs[0].data["spec"]["objectives"][0]
    assert objective["target"] == Decimal("0.999")
    assert objective["startTime"] == "2022-01-01 12:00:00"


def test_syntax_error_has_a_line() -> None:
    docs, problems = read_text("a: 1\nb: [1, 2\nc: 3\n", file="bad.yaml")
    assert docs == []
    assert [p.code for p in problems] == ["yaml-syntax"]
    assert problems[0].where.startswith("bad.yaml:")
    assert problems[0].where != "bad.yaml:1"


def test_duplicate_keys_are_reported() -> None:
    _, problems = read_text("a: 1\nb: 2\na: 3\n", file="d.yaml")
    assert [(p.code, p.where, p.field) for p in problems] == [("duplicate-key", "d.yaml:3", "a")]


def test_field_path_quotes_annotation_keys() -> None:
    assert field_path(("spec", "objectives", 0, "target")) == "spec.objectives[0].target"
    assert (
        field_path(("metadata", "annotations", "covenant.dev/alerting"))
        == "metadata.annotations[covenant.dev/alerting]"
    )


def test_a_control_character_is_named_at_its_line_and_column() -> None:
    """A NUL (or another control character) is refused by the YAML reader with only a
    position in the text: it was reported at line 1 as "unacceptable character #x0000 …
    position 1511", without a fix."""
    docs, problems = read_text("a: 1\nb: 2\nc: x\x00y\n", file="nul.yaml")
    assert docs == []
    (problem,) = problems
    assert problem.code == "yaml-syntax"
    assert problem.where == "nul.yaml:3"
    assert problem.message == (
        "invalid YAML: column 5 holds the control character U+0000 (NUL), which YAML does not allow"
    )
    assert problem.fix == (
        "remove it: a NUL byte is no text (the file may be cut short or binary); a tab or a "
        "line break is written as \\t or \\n in a quoted string"
    )


def test_a_bell_character_is_named_with_its_code() -> None:
    _, problems = read_text("name: a\x07b\n", file="bell.yaml")
    (problem,) = problems
    assert (problem.where, problem.message) == (
        "bell.yaml:1",
        "invalid YAML: column 8 holds the control character U+0007, which YAML does not allow",
    )
