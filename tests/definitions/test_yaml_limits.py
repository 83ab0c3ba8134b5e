"""Hostile definition files are refused with a code before or while parsing, never a traceback.

Today's failures these guard: a 2 MB flow list of a million items took 41 s and 886 MB to
validate (the value cap was checked after parsing), and deeply nested YAML raised
RecursionError.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.definitions.workspace import analyse
from covenant.definitions.yamlsource import MAX_BYTES, MAX_DEPTH, MAX_NODES, read_text


def test_a_million_item_flow_list_is_refused_by_size(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("items: [" + ", ".join(["1"] * 1_000_000) + "]\n")
    assert path.stat().st_size > MAX_BYTES
    workspace, problems = analyse([path])
    assert workspace is None
    assert [(p.code, p.where) for p in problems] == [("yaml-too-large", str(path))]


def test_a_long_flow_list_under_the_byte_cap_is_refused_by_count() -> None:
    text = "items: [" + ",".join(["1"] * (MAX_NODES + 1)) + "]\n"
    assert len(text) < MAX_BYTES
    documents, problems = read_text(text, file="many.yaml")
    assert documents == []
    assert [p.code for p in problems] == ["yaml-too-large"]
    assert f"{MAX_NODES:,}" in problems[0].message


def test_a_long_block_list_is_refused_by_count() -> None:
    text = "items:\n" + "- 1\n" * (MAX_NODES + 1)
    documents, problems = read_text(text, file="block.yaml")
    assert documents == []
    assert [p.code for p in problems] == ["yaml-too-large"]


def test_a_list_just_under_the_count_is_read() -> None:
    text = "items: [" + ",".join(["1"] * 1000) + "]\n"
    documents, problems = read_text(text, file="ok.yaml")
    assert problems == []
    assert len(documents[0].data["items"]) == 1000


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 5000 + "]" * 5000 + "\n",  # flow sequences
        "a: " + "{b: " * 5000 + "1" + "}" * 5000 + "\n",  # flow mappings
        "a:\n" + "- " * 5000 + "x\n",  # block sequences on one line
        "".join("  " * i + f"k{i}:\n" for i in range(300)) + "  " * 300 + "v\n",  # block maps
    ],
    ids=["flow-seq", "flow-map", "block-seq", "block-map"],
)
def test_deep_nesting_is_a_coded_problem(text: str) -> None:
    documents, problems = read_text(text, file="deep.yaml")
    assert documents == []
    assert [p.code for p in problems] == ["yaml-too-deep"]
    assert problems[0].where.startswith("deep.yaml:")
    assert str(MAX_DEPTH) in problems[0].message


def test_nesting_at_the_limit_is_read() -> None:
    # the document mapping is level 1, so MAX_DEPTH - 1 sequences fit inside it
    text = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    documents, problems = read_text(text, file="edge.yaml")
    assert problems == []
    value = documents[0].data["a"]
    depth = 0
    while isinstance(value, list):
        depth += 1
        value = value[0] if value else None
    assert depth == MAX_DEPTH - 1


def test_deep_definition_through_the_workspace_has_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "slo.yaml"
    path.write_text(
        "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: x\nspec:\n  description: "
        + "[" * 3000
        + "]" * 3000
        + "\n"
    )
    workspace, problems = analyse([path])
    assert workspace is None
    assert [(p.code, p.where) for p in problems] == [("yaml-too-deep", f"{path}:6")]
