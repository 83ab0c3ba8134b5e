"""YAML files → plain documents that remember the line of every field.

The composer of ruamel.yaml gives a node tree with positions; this module turns it into plain
Python data (``dict``, ``list``, ``str``, ``int``, ``bool``, ``None`` and :class:`~decimal.Decimal`
for every YAML float, so ``0.999`` stays exactly ``0.999``) plus a table from field path to line.
Timestamps are kept as the string written in the file (``2022-01-01 12:00:00``).

A file holds one or more YAML documents (``---``); a document is a mapping (one definition) or a
sequence of mappings (several definitions, as the OpenSLO SDK writes them).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer, MaxDepthExceededError
from ruamel.yaml.error import MarkedYAMLError, ReusedAnchorWarning, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver

from covenant.errors import Problem

PathKey = tuple[str | int, ...]
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceDocument:
    """One definition as read from a file: its data and where each field was written."""

    file: str
    index: int  # position of the definition in the file, 0-based
    line: int  # 1-based line where the definition starts
    data: Any
    lines: Mapping[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: Iterable[str | int]) -> int:
        """The line of the deepest written prefix of ``path`` (a missing field: its parent)."""
        best = self.line
        prefix: PathKey = ()
        for part in path:
            prefix = (*prefix, part)
            found = self.lines.get(prefix)
            if found is None:
                break
            best = found
        return best

    def where(self, path: Iterable[str | int] = ()) -> str:
        return f"{self.file}:{self.line_of(path)}"


def field_path(path: Iterable[str | int]) -> str:
    """``("spec", "objectives", 0, "target")`` → ``spec.objectives[0].target``."""
    text = ""
    for part in path:
        if isinstance(part, int) or "." in part or "/" in part or " " in part:
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def discover_files(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Files to read: ``*.yaml``/``*.yml`` under folders (skipping hidden ones), or files."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(_walk(path)))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(
                Problem(
                    code="path-not-found",
                    message=f"{path} does not exist",
                    where=str(path),
                    fix="give an existing workspace folder or definition file",
                )
            )
    return files, problems


def _walk(folder: Path) -> Iterator[Path]:
    for entry in folder.iterdir():
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _walk(entry)
        elif entry.suffix in YAML_SUFFIXES and entry.is_file():
            yield entry


def read_file(path: Path) -> tuple[list[SourceDocument], list[Problem]]:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return [], [_too_large(str(path), f"the file is {size:,} bytes")]
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem = Problem(
            code="unreadable-file",
            message=f"cannot read {path}: {exc}",
            where=str(path),
            fix="check the file exists, is readable and is UTF-8",
        )
        return [], [problem]
    return read_text(text, file=str(path))


def read_text(text: str, *, file: str) -> tuple[list[SourceDocument], list[Problem]]:
    """Every definition in ``text``; a YAML syntax error is one Problem and no documents.

    Size, value count and nesting depth are bounded before and while parsing (see MAX_BYTES,
    MAX_NODES, MAX_DEPTH), so a hostile file is refused in milliseconds, never a traceback.
    """
    too_large = _prescan(text, file)
    if too_large is not None:
        return [], [too_large]
    yaml = YAML(typ="safe", pure=True)  # nodes with positions; no comment round trip (faster)
    yaml.Composer = _CountingComposer
    yaml.max_depth = MAX_DEPTH
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ReusedAnchorWarning)
            fast = _compose_fast(text)  # None: let the pure parser judge it
            nodes = fast if fast is not None else list(yaml.compose_all(text))
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


MAX_BYTES = 1 << 20
"""A definition file is at most 1 MiB: real workspaces are a few kilobytes per file."""
MAX_NODES = 50_000
"""A definition file holds (and expands to, aliases included) at most this many values."""
MAX_DEPTH = 64
"""Collections nest at most this deep (OpenSLO's deepest path is about 12 levels)."""
_ITEM_MARKS = re.compile(r"[,\n]")


def _prescan(text: str, file: str) -> Problem | None:
    """Refuse a text too large to parse quickly, before the (pure Python) parser sees it.

    Every value after the first in a collection follows a comma (flow style) or a line break
    (block style), so their count bounds the number of values from above: a file under the
    bound is parsed, one over it could not have been within MAX_NODES anyway unless most of
    its commas sit inside strings, which real definitions do not do by the hundred thousand.
    """
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_BYTES:
        return _too_large(file, f"the text is {size:,} bytes")
    marks = len(_ITEM_MARKS.findall(text))
    if marks > MAX_NODES:
        return _too_large(file, f"it holds about {marks:,} values")
    return None


def _too_large(where: str, detail: str) -> Problem:
    return Problem(
        code="yaml-too-large",
        message=f"the definition file is too large to read: {detail} (at most "
        f"{MAX_BYTES:,} bytes and {MAX_NODES:,} values)",
        where=where,
        fix="split the definitions into several smaller files; a data set belongs in "
        "`covenant ingest`, not in a definition file",
    )


def _too_deep(where: str) -> Problem:
    return Problem(
        code="yaml-too-deep",
        message=f"collections nest more than {MAX_DEPTH} levels deep",
        where=where,
        fix="flatten the document; OpenSLO definitions nest about 12 levels at most",
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


class _Fallback(Exception):  # noqa: N818 - not an error: "let ruamel.yaml do it"
    """The C parser met something the pure parser should judge (errors, caps, directives)."""


def _compose_fast(text: str) -> list[Node] | None:
    """The node tree ruamel.yaml composes, parsed by libyaml (C) instead of pure Python.

    libyaml (through PyYAML's ``CParser``) only tokenises and parses; tags are resolved with
    ruamel.yaml's own YAML 1.2 resolver and nodes are ruamel's, so the tree is the one the pure
    parser builds (tests/definitions/test_yaml_fast.py compares them on every file we have).
    Anything unusual (a syntax error, a directive, an unknown or reused anchor, more than
    MAX_NODES values or MAX_DEPTH levels) returns None: the pure parser then reads the text
    and reports exactly what it always did. Without PyYAML's C extension, always None.
    """
    try:
        from yaml import YAMLError as CError  # noqa: PLC0415
        from yaml import events  # noqa: PLC0415
        from yaml.cyaml import CParser  # noqa: PLC0415
    except ImportError:  # pragma: no cover - PyYAML is a dependency; its C part may be missing
        return None
    resolver = _resolver()
    parser = CParser(text)
    nodes: list[Node] = []
    count = 0

    def compose(depth: int, anchors: dict[str, Node]) -> Node:
        nonlocal count
        count += 1
        if count > MAX_NODES or depth > MAX_DEPTH:
            raise _Fallback
        event = parser.get_event()
        if isinstance(event, events.AliasEvent):
            if event.anchor not in anchors:
                raise _Fallback
            return anchors[event.anchor]
        tag = event.tag
        node: Node
        if isinstance(event, events.ScalarEvent):
            if tag is None or tag == "!":
                tag = resolver.resolve(ScalarNode, event.value, event.implicit)
            node = ScalarNode(
                tag, event.value, event.start_mark, event.end_mark, style=event.style or None
            )
        elif isinstance(event, events.SequenceStartEvent):
            if tag is None or tag == "!":
                tag = resolver.resolve(SequenceNode, None, event.implicit)
            node = SequenceNode(tag, [], event.start_mark, None, flow_style=event.flow_style)
        elif isinstance(event, events.MappingStartEvent):
            if tag is None or tag == "!":
                tag = resolver.resolve(MappingNode, None, event.implicit)
            node = MappingNode(tag, [], event.start_mark, None, flow_style=event.flow_style)
        else:  # pragma: no cover - libyaml emits nothing else here
            raise _Fallback
        anchor = event.anchor
        if anchor is not None:
            if anchor in anchors:
                raise _Fallback
            anchors[anchor] = node
        if isinstance(node, SequenceNode):
            while not parser.check_event(events.SequenceEndEvent):
                node.value.append(compose(depth + 1, anchors))
            node.end_mark = parser.get_event().end_mark
        elif isinstance(node, MappingNode):
            while not parser.check_event(events.MappingEndEvent):
                key = compose(depth + 1, anchors)
                node.value.append((key, compose(depth + 1, anchors)))
            node.end_mark = parser.get_event().end_mark
        return node

    try:
        parser.get_event()  # stream start
        while not parser.check_event(events.StreamEndEvent):
            start = parser.get_event()
            if start.version is not None or start.tags:  # directives: the pure parser's job
                return None
            nodes.append(compose(1, {}))
            parser.get_event()  # document end
    except (_Fallback, CError, RecursionError):
        return None
    finally:
        parser.dispose()
    return nodes


@cache
def _resolver() -> VersionedResolver:
    return VersionedResolver()


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


def scalar_value(tag: str, text: str, *, plain: bool = True) -> Any:
    """A YAML scalar as plain data; floats become exact ``Decimal``s."""
    if not plain:
        return text
    if tag.endswith(":null"):
        return None
    if tag.endswith(":bool"):
        return text.lower() in {"true", "yes", "on"}
    if tag.endswith(":int"):
        try:
            return int(text.replace("_", ""), 0)
        except ValueError:
            return text
    if tag.endswith(":float"):
        try:
            return Decimal(text.replace("_", ""))
        except InvalidOperation:
            return text  # .inf / .nan: left as text, rejected as a number later
    return text
