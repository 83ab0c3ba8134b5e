"""Aliases that refer to themselves or expand into huge documents are refused, not followed."""

from __future__ import annotations

from covenant.definitions.yamlsource import read_text


def test_self_referencing_alias_is_a_problem() -> None:
    documents, problems = read_text("a: &a [*a]\n", file="x.yaml")
    assert documents == []
    assert [(p.code, p.where) for p in problems] == [("yaml-alias", "x.yaml:1")]


def test_billion_laughs_is_a_problem() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    documents, problems = read_text("\n".join(lines) + "\n", file="bomb.yaml")
    assert documents == []
    assert problems[0].code == "yaml-alias"
    assert "more than 50,000" in problems[0].message


def test_ordinary_aliases_still_work() -> None:
    documents, problems = read_text("base: &b {x: 1}\ncopy: *b\n", file="ok.yaml")
    assert problems == []
    assert documents[0].data == {"base": {"x": 1}, "copy": {"x": 1}}
