"""YAML read by ruamel.yaml's pure-Python parser: whatever the libyaml fast path declines.

Errors, directives, anchors and aliases, merge keys, explicit tags, duplicate keys: the
composer gives a node tree with positions, which becomes the same plain data and field lines as
the fast path gives (``yamlsource``), or problems at their file:line. Loaded only when such a
file is read.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer, MaxDepthExceededError
from ruamel.yaml.error import MarkedYAMLError, ReusedAnchorWarning, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from covenant.definitions.yamlsource import (
    MAX_DEPTH,
    MAX_NODES,
    YAML11_BOOLEANS,
    PathKey,
    SourceDocument,
    _too_deep,
    _too_large,
    field_path,
    scalar_value,
)
from covenant.errors import Problem

_UNDEFINED_ALIAS = re.compile(r"found undefined alias '(.+)'")
_DOCUMENT_START = re.compile(r"^---(?=[ \t\r\n]|$)", re.MULTILINE)


def _syntax_fix(reason: str, text: str, at: int) -> str:
    """The fix for the composer's ``reason`` at character ``at`` of ``text``: an undefined
    alias (often an anchor of an earlier document: anchors end with their document) and a tab
    in the indentation are named; anything else gets the general advice."""
    if reason.startswith("found character '\\t'"):
        return "indent with spaces: YAML does not allow tabs in indentation"
    alias = _UNDEFINED_ALIAS.match(reason)
    if alias is None:
        return "fix the YAML syntax (indentation, quoting, a missing ':')"
    name = alias.group(1)
    starts = [m.start() for m in _DOCUMENT_START.finditer(text, 0, at)]
    earlier = text[: starts[-1]] if starts else ""
    if re.search(rf"&{re.escape(name)}(?![^\s,\]}}])", earlier):
        return (
            f"&{name} is in an earlier document, and an anchor reaches only to the end of its "
            f"document ('---'): write the part out again here, or define &{name} in this "
            "document"
        )
    return f"define the anchor (&{name}) before the alias (*{name}), or fix the alias's name"


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
                fix=_syntax_fix(reason, text, mark.index if mark is not None else 0),
            )
        ]
    except ReaderError as exc:
        return [], [_unacceptable(text, file, exc)]
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
            except RecursionError:  # aliases nested into each other past the stack
                problems.append(_too_deep(f"{file}:{root.start_mark.line + 1}"))
                continue
            problems.extend(converter.problems)
            documents.append(
                SourceDocument(
                    file=file,
                    index=len(documents),
                    line=root.start_mark.line + 1,
                    data=data,
                    lines=converter.lines,
                    quoted_words=frozenset(converter.quoted),
                )
            )
    return documents, problems


def _unacceptable(text: str, file: str, exc: ReaderError) -> Problem:
    """A character YAML does not allow in a file (a control character: NUL, BEL, …), which the
    reader gives only as an offset in the text: named at its line and column."""
    position = min(max(int(getattr(exc, "position", 0) or 0), 0), len(text))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    character = exc.character
    code = ord(character) if isinstance(character, str) else int(character or 0)
    said = f"U+{code:04X}" + (" (NUL)" if code == 0 else "")
    return Problem(
        code="yaml-syntax",
        message=f"invalid YAML: column {column} holds the control character {said}, which YAML "
        "does not allow",
        where=f"{file}:{line}",
        fix="remove it: a NUL byte is no text (the file may be cut short or binary); a tab or "
        "a line break is written as \\t or \\n in a quoted string",
    )


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


MERGE_TAG = "tag:yaml.org,2002:merge"
"""The tag of a plain ``<<`` key (or one tagged ``!!merge``); a quoted ``'<<'`` is text."""
Entries = dict[str, tuple[Node, Node]]
T = TypeVar("T")


class _Converter:
    """Node tree → plain data, recording the line of every key and list item.

    YAML 1.1 merge keys (https://yaml.org/type/merge.html; ``<<: *base``, ``<<: [*a, *b]``) are
    applied as the type's text and ruamel.yaml apply them: keys written beside ``<<`` win over
    merged ones, of several bases the first wins, and a base's own merge keys are applied
    first. A merged field's line is the line where it is written in the base (its field path
    names where it was merged to).
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[PathKey, int] = {}
        self.quoted: set[PathKey] = set()  # quoted YAML 1.1 boolean words (SourceDocument)
        self.problems: list[Problem] = []
        self.nodes = 0
        self.active: set[int] = set()
        self.entries: dict[int, Entries] = {}  # a mapping's keys, merges applied, once each

    def count(self, values: int = 1) -> None:
        self.nodes += values
        if self.nodes > MAX_NODES:
            raise _AliasBombError(f"the document expands to more than {MAX_NODES:,} values")

    def convert(self, node: Node, path: PathKey, *, key: bool = False) -> Any:
        self.count()
        if isinstance(node, MappingNode | SequenceNode):
            return self._inside(node, lambda: self._convert_collection(node, path))
        assert isinstance(node, ScalarNode)
        if node.style and not key and node.value in YAML11_BOOLEANS:
            self.quoted.add(path)
        return scalar_value(str(node.tag), node.value, plain=not node.style)

    def _inside(self, node: Node, work: Callable[[], T]) -> T:
        """``work()`` while ``node`` is open; an alias back into an open node is refused."""
        if id(node) in self.active:
            raise _AliasBombError(
                f"an alias on line {node.start_mark.line + 1} refers to a node that contains it"
            )
        self.active.add(id(node))
        try:
            return work()
        finally:
            self.active.discard(id(node))

    def _convert_collection(self, node: Node, path: PathKey) -> Any:
        if isinstance(node, MappingNode):
            result: dict[str, Any] = {}
            for key_text, (key_node, value_node) in self._entries(node, path).items():
                child = (*path, key_text)
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

    def _entries(self, node: MappingNode, path: PathKey) -> Entries:
        """The mapping's key → (key node, value node), its merge keys applied.

        As PyYAML's ``flatten_mapping`` then ``construct_mapping`` (up to 6.0.3: 6.0.4 lets
        the last of several bases win, yaml/pyyaml#953): the merged pairs come first (of
        ``[*a, *b]``, b's then a's, so a's win), then the mapping's own, which win; a key keeps
        the position it was first given. Each mapping is flattened once per document.
        """
        known = self.entries.get(id(node))
        if known is not None:
            return known
        own: Entries = {}
        merged: Entries = {}
        merge_key: Node | None = None
        for key_node, value_node in node.value:
            if str(key_node.tag) == MERGE_TAG:
                if merge_key is not None:
                    self._duplicate("<<", merge_key, key_node, path)
                    continue
                merge_key = key_node
                for base in reversed(self._bases(key_node, value_node, path)):
                    entries = self._merged(base, path)
                    self.count(1 + len(entries))  # merging copies them: bounded like values
                    merged.update(entries)
                continue
            key = self.convert(key_node, path, key=True)
            key_text = key if isinstance(key, str) else str(key)
            if key_text in own:
                self._duplicate(key_text, own[key_text][0], key_node, path)
                continue
            own[key_text] = (key_node, value_node)
        entries = {**merged, **own} if merged else own
        self.entries[id(node)] = entries
        return entries

    def _merged(self, base: MappingNode, path: PathKey) -> Entries:
        return self._inside(base, lambda: self._entries(base, path))

    def _bases(self, key_node: Node, value: Node, path: PathKey) -> list[MappingNode]:
        """The mappings a ``<<`` merges; a problem (and none) unless it names only mappings."""
        items: list[Node] = value.value if isinstance(value, SequenceNode) else [value]
        mappings = [item for item in items if isinstance(item, MappingNode)]
        wrong = [item for item in items if not isinstance(item, MappingNode)]
        if not wrong:
            return mappings
        found = wrong[0]
        what = f"{_kind(found)} on line {found.start_mark.line + 1}"
        if isinstance(value, SequenceNode):
            what = f"a list holding {what}"
        self._report(
            Problem(
                code="yaml-merge",
                message="merge key '<<' must be an alias of a mapping or a list of them, "
                f"not {what}",
                where=f"{self.file}:{key_node.start_mark.line + 1}",
                field=field_path((*path, "<<")),
                fix="mark a mapping with an anchor (`base: &base {…}`) and merge it with "
                "`<<: *base` or `<<: [*base, *other]`, or write the fields out",
            )
        )
        return []

    def _duplicate(self, key_text: str, first: Node, again: Node, path: PathKey) -> None:
        self._report(
            Problem(
                code="duplicate-key",
                message=f"key {key_text!r} appears twice (first on line "
                f"{first.start_mark.line + 1})",
                where=f"{self.file}:{again.start_mark.line + 1}",
                field=field_path((*path, key_text)),
                fix="keep one of them",
            )
        )

    def _report(self, problem: Problem) -> None:
        """A problem once, though a base merged in several places is read again for each."""
        seen = {(p.code, p.where, p.message) for p in self.problems}
        if (problem.code, problem.where, problem.message) not in seen:
            self.problems.append(problem)


def _kind(node: Node) -> str:
    if not isinstance(node, ScalarNode):
        return "a list"
    value = scalar_value(str(node.tag), node.value, plain=not node.style)
    return "an empty value" if value is None else f"the value {node.value!r}"
