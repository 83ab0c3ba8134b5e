"""YAML read by ruamel.yaml's pure-Python parser: whatever the libyaml fast path declines.

Errors, directives, anchors and aliases, explicit tags, duplicate keys: the composer gives a
node tree with positions, which becomes the same plain data and field lines as the fast path
gives (``yamlsource``), or problems at their file:line. Loaded only when such a file is read.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer, MaxDepthExceededError
from ruamel.yaml.error import MarkedYAMLError, ReusedAnchorWarning, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from covenant.definitions.yamlsource import (
    MAX_DEPTH,
    MAX_NODES,
    PathKey,
    SourceDocument,
    _too_deep,
    _too_large,
    field_path,
    scalar_value,
)
from covenant.errors import Problem


def read_pure(text: str, *, file: str) -> tuple[list[SourceDocument], list[Problem]]:
    """``yamlsource.read_text`` for a text the fast path declined (the size was checked)."""
    yaml = YAML(typ="safe", pure=True)  # nodes with positions; no comment round trip (faster)
    yaml.Composer = _CountingComposer
    yaml.max_depth = MAX_DEPTH
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ReusedAnchorWarning)
            nodes = list(yaml.compose_all(text))
    except ReusedAnchorWarning as exc:
        lines = re.findall(r"line (\d+), column", str(exc))
        return [], [
            Problem(
                code="yaml-alias",
                message="an anchor (&name) is defined twice",
                where=f"{file}:{lines[-1] if lines else 1}",
                fix="give every anchor its own name",
            )
        ]
    except MaxDepthExceededError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else 1
        return [], [_too_deep(f"{file}:{line}")]
    except _TooManyNodesError as exc:
        return [], [_too_large(f"{file}:{exc.line}", f"it holds more than {MAX_NODES:,} values")]
    except RecursionError:
        return [], [_too_deep(f"{file}:1")]
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        reason = exc.problem or exc.context or "invalid YAML"
        return [], [
            Problem(
                code="yaml-syntax",
                message=f"invalid YAML: {reason}",
                where=f"{file}:{line}",
                fix="fix the YAML syntax (indentation, quoting, a missing ':')",
            )
        ]
    except YAMLError as exc:
        return [], [Problem(code="yaml-syntax", message=f"invalid YAML: {exc}", where=f"{file}:1")]
    documents: list[SourceDocument] = []
    problems: list[Problem] = []
    for node in nodes:
        if node is None:
            continue
        roots = node.value if isinstance(node, SequenceNode) else [node]
        for root in roots:
            converter = _Converter(file)
            try:
                data = converter.convert(root, ())
            except _AliasBombError as exc:
                problems.append(
                    Problem(
                        code="yaml-alias",
                        message=str(exc),
                        where=f"{file}:{root.start_mark.line + 1}",
                        fix="write the repeated part out, without anchors that refer to "
                        "themselves or expand into huge documents",
                    )
                )
                continue
            problems.extend(converter.problems)
            documents.append(
                SourceDocument(
                    file=file,
                    index=len(documents),
                    line=root.start_mark.line + 1,
                    data=data,
                    lines=converter.lines,
                )
            )
    return documents, problems


class _TooManyNodesError(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _CountingComposer(Composer):
    """ruamel's composer that stops once a file has composed MAX_NODES values."""

    composed = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.composed += 1
        if self.composed > MAX_NODES:
            raise _TooManyNodesError(self.parser.peek_event().start_mark.line + 1)
        return super().compose_node(parent, index)


class _AliasBombError(Exception):
    """A document whose aliases recurse or expand past MAX_NODES."""


class _Converter:
    """Node tree → plain data, recording the line of every key and list item."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[PathKey, int] = {}
        self.problems: list[Problem] = []
        self.nodes = 0
        self.active: set[int] = set()

    def convert(self, node: Node, path: PathKey) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _AliasBombError(f"the document expands to more than {MAX_NODES:,} values")
        if id(node) in self.active:
            raise _AliasBombError(
                f"an alias on line {node.start_mark.line + 1} refers to a node that contains it"
            )
        if isinstance(node, MappingNode | SequenceNode):
            self.active.add(id(node))
            try:
                return self._convert_collection(node, path)
            finally:
                self.active.discard(id(node))
        assert isinstance(node, ScalarNode)
        return scalar_value(str(node.tag), node.value, plain=not node.style)

    def _convert_collection(self, node: Node, path: PathKey) -> Any:
        if isinstance(node, MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = self.convert(key_node, path)
                key_text = key if isinstance(key, str) else str(key)
                child = (*path, key_text)
                if key_text in result:
                    self.problems.append(
                        Problem(
                            code="duplicate-key",
                            message=f"key {key_text!r} appears twice (first on line "
                            f"{self.lines[child]})",
                            where=f"{self.file}:{key_node.start_mark.line + 1}",
                            field=field_path(child),
                            fix="keep one of them",
                        )
                    )
                    continue
                self.lines[child] = key_node.start_mark.line + 1
                result[key_text] = self.convert(value_node, child)
            return result
        if isinstance(node, SequenceNode):
            items: list[Any] = []
            for index, item in enumerate(node.value):
                self.lines[(*path, index)] = item.start_mark.line + 1
                items.append(self.convert(item, (*path, index)))
            return items
        raise AssertionError(node)
