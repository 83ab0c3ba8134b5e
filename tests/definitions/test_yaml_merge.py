"""YAML 1.1 merge keys (``<<: *base``, ``<<: [*a, *b]``) are applied when definitions are read.

Expected values are written out here, or read from the same text by an independent reader:
PyYAML's ``yaml.safe_load`` (for what is and is not a merge key) and ruamel.yaml's own safe
constructor (for the order of several bases and nested merges: PyYAML 6.0.4 lets the last base
win for keys of two or more characters, yaml/pyyaml#953, against
https://yaml.org/type/merge.html).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import yaml
from ruamel.yaml import YAML

from covenant.definitions import yamlsource
from covenant.definitions.yamlsource import MAX_NODES, read_text

SLO = """\
apiVersion: covenant/v1
kind: SLO
metadata:
  name: checkout-latency
spec:
  service: checkout
  indicatorRef: checkout-latency
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - &obj {displayName: ok, target: 0.99, op: lte}
    - <<: *obj
      displayName: strict
      target: 0.999
"""


def read_one(text: str) -> Any:
    documents, problems = read_text(text, file="f.yaml")
    assert problems == []
    (document,) = documents
    return document


def ruamel_load(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_objective_merged_from_an_anchor_has_the_values_written() -> None:
    document = read_one(SLO)
    assert document.data["spec"]["objectives"] == [
        {"displayName": "ok", "target": Decimal("0.99"), "op": "lte"},
        {"displayName": "strict", "target": Decimal("0.999"), "op": "lte"},
    ]
    assert "<<" not in document.data["spec"]["objectives"][1]


def test_a_merged_field_points_at_the_line_it_is_written_on() -> None:
    document = read_one(SLO)
    anchored = line_of(SLO, "&obj")
    assert document.line_of(("spec", "objectives", 1, "op")) == anchored  # merged from line 13
    assert document.line_of(("spec", "objectives", 1, "target")) == line_of(SLO, "0.999")
    assert document.line_of(("spec", "objectives", 1)) == line_of(SLO, "<<: *obj")
    assert document.line_of(("spec", "objectives", 0, "op")) == anchored


@pytest.mark.parametrize(
    "text",
    [
        "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n",  # own key after <<
        "base: &b {x: 1, y: 2}\nuse:\n  y: 3\n  <<: *b\n",  # own key before <<
        "base: &b {x: 1, y: 2}\nuse: {<<: *b, y: 3}\n",  # flow style
    ],
    ids=["after", "before", "flow"],
)
def test_keys_written_beside_the_merge_key_win(text: str) -> None:
    data = read_one(text).data
    assert data["use"] == {"x": 1, "y": 3}
    assert data == yaml.safe_load(text)  # single-character keys: PyYAML agrees


MANY_BASES = """\
first: &first {targetPercent: 99.9, displayName: first}
second: &second {targetPercent: 99.0, displayName: second, op: lte}
third: &third {targetPercent: 95.0, value: 300}
use:
  <<: [*first, *second, *third]
  displayName: own
reversed:
  <<: [*third, *second, *first]
"""


def test_of_several_bases_the_first_wins() -> None:
    data = read_one(MANY_BASES).data
    assert data["use"] == {
        "targetPercent": Decimal("99.9"),  # first over second and third
        "displayName": "own",  # the own key over every base
        "op": "lte",  # only in second
        "value": 300,  # only in third
    }
    assert data["reversed"] == {
        "targetPercent": Decimal("95.0"),
        "displayName": "second",
        "op": "lte",
        "value": 300,
    }
    expected = ruamel_load(MANY_BASES)
    for key in ("use", "reversed"):
        assert {k: str(v) for k, v in data[key].items()} == {
            k: str(v) for k, v in expected[key].items()
        }


NESTED = """\
root: &root {a: 1, b: 1, c: 1}
middle: &middle
  <<: *root
  b: 2
leaf:
  <<: [*middle, {c: 3, d: 3}]
  a: 4
deep:
  spec:
    <<: *middle
    nested: {<<: *root, c: 5}
"""


def test_merges_inside_a_base_are_applied_first() -> None:
    data = read_one(NESTED).data
    assert data["middle"] == {"a": 1, "b": 2, "c": 1}
    assert data["leaf"] == {"a": 4, "b": 2, "c": 1, "d": 3}  # middle's c (from root) wins
    assert data["deep"] == {"spec": {"a": 1, "b": 2, "c": 1, "nested": {"a": 1, "b": 1, "c": 5}}}
    # PyYAML 6.0.4 gives leaf b: 1 (root's b; middle's own b: 2 is dropped as a key already
    # merged, the same regression), so the second reader here is ruamel.yaml's constructor
    assert data == ruamel_load(NESTED)


@pytest.mark.parametrize(
    ("text", "line", "field", "found"),
    [
        ("scalar: &s 5\nuse:\n  <<: *s\n  x: 1\n", 3, "use.<<", "the value '5' on line 1"),
        ("use:\n  x: 1\n  <<:\n", 3, "use.<<", "an empty value"),
        ("list: &l [[1]]\nuse: {<<: *l}\n", 2, "use.<<", "a list holding a list on line 1"),
        (
            "a: &a {x: 1}\nitems:\n  - y: 2\n    <<: [*a, 3]\n",
            4,
            "items[0].<<",
            "a list holding the value '3' on line 4",
        ),
    ],
    ids=["scalar-alias", "empty", "list-alias", "list-with-scalar"],
)
def test_a_merge_key_that_names_no_mapping_is_a_problem_at_its_line(
    text: str, line: int, field: str, found: str
) -> None:
    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.safe_load(text)  # PyYAML refuses these too
    documents, problems = read_text(text, file="f.yaml")
    (problem,) = problems
    assert (problem.code, problem.where, problem.field) == ("yaml-merge", f"f.yaml:{line}", field)
    assert problem.message.startswith(
        "merge key '<<' must be an alias of a mapping or a list of them, not "
    )
    assert found in problem.message
    assert "<<: *base" in problem.fix
    # nothing is merged, the rest of the mapping is read
    (document,) = documents
    merged_into = document.data["items"][0] if "items" in document.data else document.data["use"]
    assert "<<" not in merged_into


@pytest.mark.parametrize(
    "text",
    [
        "base: &b {x: 1}\nuse: {'<<': *b, y: 2}\n",
        'base: &b {x: 1}\nuse:\n  "<<": *b\n  y: 2\n',
        "use:\n  '<<': {x: 1}\n  y: 2\n",
        "use: {'<<': 5}\n",
    ],
    ids=["single-quoted", "double-quoted", "no-anchor", "scalar"],
)
def test_a_quoted_merge_key_is_an_ordinary_key_as_for_pyyaml(text: str) -> None:
    assert read_one(text).data == yaml.safe_load(text)


def test_a_quoted_merge_key_stays_on_the_fast_path() -> None:
    assert yamlsource._read_fast("use:\n  '<<': {x: 1}\n", "f.yaml") is not None
    # a plain << (even without an anchor) is left to the pure reader, which applies it
    text = "use:\n  <<: {x: 1}\n  y: 2\n"
    assert yamlsource._read_fast(text, "f.yaml") is None
    assert read_one(text).data == {"use": {"x": 1, "y": 2}}


def test_an_explicit_merge_tag_is_a_merge_key() -> None:
    text = "base: &b {x: 1}\nuse: {!!merge <<: *b, y: 2}\n"
    assert (
        read_one(text).data == yaml.safe_load(text) == {"base": {"x": 1}, "use": {"x": 1, "y": 2}}
    )


def test_two_merge_keys_in_one_mapping_are_a_duplicate_key() -> None:
    text = "a: &a {x: 1}\nb: &b {x: 2}\nuse:\n  <<: *a\n  <<: *b\n"
    documents, problems = read_text(text, file="f.yaml")
    assert [(p.code, p.where, p.field) for p in problems] == [
        ("duplicate-key", "f.yaml:5", "use.<<")
    ]
    assert documents[0].data["use"] == {"x": 1}  # the first is kept, as for any key


def test_a_mapping_that_merges_itself_is_refused() -> None:
    documents, problems = read_text("a: &a {<<: *a, x: 1}\n", file="f.yaml")
    assert documents == []
    assert [(p.code, p.where) for p in problems] == [("yaml-alias", "f.yaml:1")]


def test_a_duplicate_key_in_a_base_merged_twice_is_reported_once() -> None:
    text = "base: &b\n  x: 1\n  x: 2\none: {<<: *b}\ntwo: {<<: *b}\n"
    _, problems = read_text(text, file="f.yaml")
    assert [(p.code, p.where) for p in problems] == [("duplicate-key", "f.yaml:3")]


# Billion laughs through merge keys: each merge copies its base, so copies count as values.


def test_a_large_mapping_merged_many_times_is_refused() -> None:
    keys = 1000
    merges = MAX_NODES // keys + 1  # past the cap by copies alone, far under it as written
    lines = ["base: &big"] + [f"  k{i}: {i}" for i in range(keys)] + ["uses:"]
    lines += ["  - <<: *big"] * merges
    text = "\n".join(lines) + "\n"
    assert len(text.splitlines()) < MAX_NODES  # the text itself passes the prescan
    documents, problems = read_text(text, file="bomb.yaml")
    assert documents == []
    assert [p.code for p in problems] == ["yaml-alias"]
    assert f"more than {MAX_NODES:,}" in problems[0].message


def test_one_mapping_merging_a_large_base_many_times_is_refused() -> None:
    # the result would hold 1,000 keys, but merging copies 1,000 keys 100 times
    lines = ["base: &big"] + [f"  k{i}: {i}" for i in range(1000)]
    lines += ["use: {<<: [" + ", ".join(["*big"] * 100) + "]}"]
    documents, problems = read_text("\n".join(lines) + "\n", file="bomb.yaml")
    assert documents == []
    assert [p.code for p in problems] == ["yaml-alias"]


def test_bases_that_merge_bases_are_flattened_once_each() -> None:
    # m{i} merges m{i-1} ten times: 10**30 merges if each were flattened again where it is used
    lines = ["m0: &m0 {" + ", ".join(f"k{i}: {i}" for i in range(10)) + "}"]
    lines += [f"m{i}: &m{i} {{<<: [{', '.join([f'*m{i - 1}'] * 10)}]}}" for i in range(1, 31)]
    document = read_one("\n".join(lines) + "\n")
    assert document.data["m30"] == {f"k{i}": i for i in range(10)}
    assert len(document.data) == 31
