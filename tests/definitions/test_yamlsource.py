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
