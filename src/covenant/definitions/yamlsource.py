"""YAML files → plain documents that remember the line of every field.

libyaml (PyYAML's C parser) reads a plain definition file straight into plain Python data
(``dict``, ``list``, ``str``, ``int``, ``bool``, ``None`` and :class:`~decimal.Decimal` for every
YAML float, so ``0.999`` stays exactly ``0.999``) plus a table from field path to line.
Timestamps are kept as the string written in the file (``2022-01-01 12:00:00``).

A file holds one or more YAML documents (``---``); a document is a mapping (one definition) or a
sequence of mappings (several definitions, as the OpenSLO SDK writes them). A file with
anything unusual (errors, anchors, merge keys, tags, directives) is read by ruamel.yaml's pure
parser (``yaml_pure``), which positions every problem and applies YAML 1.1 merge keys
(``<<: *base``) as PyYAML's SafeLoader does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from covenant.definitions.vendor_formats import terraform_file
from covenant.errors import Problem
from covenant.filekinds import not_text

PathKey = tuple[str | int, ...]
YAML_SUFFIXES = (".yaml", ".yml")
YAML11_BOOLEANS: dict[str, bool] = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "off", "Off", "OFF"), False),
}
"""The YAML 1.1 booleans Go's YAML libraries read into a boolean field (gopkg.in/yaml.v3's
decoder; yaml.v2's resolver, which sigs.k8s.io/yaml and so the OpenSLO SDK and oslo use).
Plain scalars only: a quoted ``"yes"`` is text in YAML 1.1 too."""


NO_PATHS: frozenset[PathKey] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceDocument:
    """One definition as read from a file: its data and where each field was written."""

    file: str
    index: int  # position of the definition in the file, 0-based
    line: int  # 1-based line where the definition starts
    data: Any
    lines: Mapping[PathKey, int] = field(default_factory=dict)
    converted_from: str | None = None  # the apiVersion written, when read as openslo/v1
    # a converted document's paths as read (openslo/v1) → as written (definitions.alpha)
    written_as: Mapping[PathKey, PathKey] = field(default_factory=dict)
    quoted_words: frozenset[PathKey] = NO_PATHS
    """Where a quoted (or block) scalar's text is a YAML 1.1 boolean word (``"yes"``): text
    in every YAML version, so never read as a boolean (``field_rules.with_yaml11_flags``)."""
    broken: frozenset[PathKey] = NO_PATHS
    """Fields the schema refused, stood in for while the document's checks run
    (``definitions.partial``): a check that reads one of them skips it."""

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

    def broken_at(self, *paths: PathKey) -> bool:
        """True when a field at or around one of ``paths`` was refused by the schema (or
        something inside it was): the check reading it has nothing to go on."""
        return bool(self.broken) and any(
            b[: len(path)] == path or path[: len(b)] == b for b in self.broken for path in paths
        )

    def refused(self, path: PathKey) -> bool:
        """True when the field at ``path``, or one holding it, was refused by the schema."""
        return bool(self.broken) and any(path[: len(b)] == b for b in self.broken)

    def where(self, path: Iterable[str | int] = ()) -> str:
        return f"{self.file}:{self.line_of(path)}"

    def field_of(self, path: Iterable[str | int]) -> str:
        """``path`` as the file writes it: in a converted document the deepest prefix that
        was renamed (``spec.indicator`` read from ``spec.sli``) written as it was."""
        parts = tuple(path)
        for size in range(len(parts), 0, -1) if self.written_as else ():
            written = self.written_as.get(parts[:size])
            if written is not None:
                return field_path((*written, *parts[size:]))
        return field_path(parts)


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
    """Files to read: ``*.yaml``/``*.yml`` under folders (skipping hidden ones and the files
    ``covenant rules prometheus`` generated there), or files."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = list(_walk(path))
            files.extend(sorted(f for f in found if isinstance(f, Path)))
            problems.extend(f for f in found if isinstance(f, Problem))
        elif path.is_file():
            files.append(path)
        elif path.is_symlink() or path.exists():
            problems.append(_not_a_file(path))
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


def _walk(folder: Path) -> Iterator[Path | Problem]:
    for entry in folder.iterdir():
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _walk(entry)
        elif entry.suffix not in YAML_SUFFIXES:
            continue
        elif not entry.is_file():
            # a broken link, a link loop, a pipe or a device: its definitions would be missing
            # without a word (a pipe would also block the read)
            yield _not_a_file(entry)
        elif not _generated(entry):
            yield entry


def _not_a_file(path: Path) -> Problem:
    if path.is_symlink():
        try:
            target = str(path.readlink())
        except OSError:
            target = "?"
        found = (
            "which is not a regular file" if path.exists() else "which does not exist (or loops)"
        )
        what = f"a symbolic link to {target}, {found}"
        fix = "fix the link or remove it"
    else:
        what = "not a regular file (a pipe, socket or device)"
        fix = "give a definition file or a folder, or move it out of the workspace folder"
    return Problem(
        code="unreadable-file",
        message=f"cannot read {path}: it is {what}",
        where=str(path),
        fix=fix,
    )


GENERATED = b"# Generated by Covenant (covenant rules prometheus"
"""How the files ``covenant rules prometheus`` writes (rules, PrometheusRule, promtool tests)
begin. Written into the workspace (``--out rules.yml`` run in it, as ``-w .`` is the default)
they are output, not definitions: a folder's walk skips them, where each made every command fail
with ``other-tool-format``. A file named on its own is still read (and reported)."""


def _generated(file: Path) -> bool:
    try:
        with file.open("rb") as opened:
            return opened.read(len(GENERATED)) == GENERATED
    except OSError:
        return False  # read_file reports it


FileRead = tuple[list[SourceDocument], list[Problem]]
"""What :func:`read_file` returns: a file's documents and its syntax problems."""


def read_file(path: Path) -> FileRead:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return [], [_too_large(str(path), f"the file is {size:,} bytes")]
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        kind = not_text(exc.object[:4096], name=path.name, text="YAML text")
        if kind is not None:
            problem = Problem(
                code="unreadable-file",
                message=f"{path} is {kind.what}, not YAML text",
                where=str(path),
                fix=kind.fix,
            )
            return [], [problem]
        utf16 = exc.object[:2] in (b"\xff\xfe", b"\xfe\xff")
        problem = Problem(
            code="unreadable-file",
            message=f"{path} is not UTF-8: "
            + (
                "it is UTF-16 (it starts with a byte-order mark)"
                if utf16
                else f"byte {exc.object[exc.start]:#04x} on line {line} is not UTF-8 text"
            ),
            where=f"{path}:{line}",
            fix=f"save it as UTF-8 (e.g. iconv -f {'UTF-16' if utf16 else 'LATIN1'} -t UTF-8 "
            f"{path.name} > fixed.yaml)",
        )
        return [], [problem]
    except OSError as exc:
        problem = Problem(
            code="unreadable-file",
            message=f"cannot read {path}: {exc.strerror or exc}",
            where=str(path),
            fix="check the file exists and is readable",
        )
        return [], [problem]
    terraform = terraform_file(text, str(path))
    if terraform is not None:  # HCL read as YAML is one long string: say what it is
        return [], [terraform]
    return read_text(text, file=str(path))


def read_text(text: str, *, file: str) -> tuple[list[SourceDocument], list[Problem]]:
    """Every definition in ``text``; a YAML syntax error is one Problem and no documents.

    Size, value count and nesting depth are bounded before and while parsing (see MAX_BYTES,
    MAX_NODES, MAX_DEPTH), so a hostile file is refused in milliseconds, never a traceback.
    Plain definitions are read by libyaml straight into data (:func:`_read_fast`); anything
    unusual is read by ruamel.yaml's pure parser (``yaml_pure``), which reports problems.
    """
    too_large = _prescan(text, file)
    if too_large is not None:
        return [], [too_large]
    fast = _read_fast(text, file)
    if fast is not None:
        return fast, []
    from covenant.definitions.yaml_pure import read_pure  # noqa: PLC0415 - unusual texts only

    return read_pure(text, file=file)


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


# YAML 1.2 implicit resolution of plain scalars, as ruamel.yaml's VersionedResolver does it for
# version 1.2 (the same expressions, tried in its order by first character). Only the tags
# ``scalar_value`` turns into something other than text matter here: null, bool, int, float.
# tests/definitions/test_yaml_fast.py checks them against ruamel.yaml's resolver.
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_FLOAT = re.compile(
    r"""^(?:
     [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)
_INT = re.compile(
    r"""^(?:[-+]?0b[0-1_]+
    |[-+]?0o?[0-7_]+
    |[-+]?[0-9_]+
    |[-+]?0x[0-9a-fA-F_]+)$""",
    re.X,
)
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_TAG = "tag:yaml.org,2002:"


def plain_tag(value: str) -> str:
    """The YAML 1.2 tag ruamel.yaml resolves a plain scalar to (``str`` for the tags that
    stay text here: timestamps, ``<<``, ``=``)."""
    first = value[:1]
    if first and first in "tTfF" and _BOOL.match(value):
        return _TAG + "bool"
    if first and first in "-+0123456789." and _FLOAT.match(value):
        return _TAG + "float"
    if first and first in "-+0123456789" and _INT.match(value):
        return _TAG + "int"
    if first in ("", "~", "n", "N") and _NULL.match(value):
        return _TAG + "null"
    return _TAG + "str"


_KEY: PathKey = ("<key>",)
"""The path :func:`_read_fast` reads a mapping's key at (compared by identity): a key is no
value, so its text is never a quoted word (``SourceDocument.quoted_words``)."""


class _Fallback(Exception):  # noqa: N818 - not an error: "let ruamel.yaml do it"
    """libyaml met something the pure parser should judge (errors, caps, directives, anchors,
    merge keys, tags, duplicate or collection keys)."""


def _read_fast(text: str, file: str) -> list[SourceDocument] | None:
    """The documents of ``text`` read by libyaml (C) straight into plain data and lines.

    The result is what the pure parser path gives (tests/definitions/test_yaml_fast.py reads
    every YAML file we have both ways). Anything unusual (a syntax error, a directive, an
    anchor, alias, merge key or explicit tag, a duplicate key, a collection as a key, more
    than MAX_NODES values or MAX_DEPTH levels) returns None: ruamel.yaml's pure parser then
    reads the text and reports exactly what it always did. Without PyYAML's C extension,
    always None.
    """
    try:
        from yaml import YAMLError as CError  # noqa: PLC0415
        from yaml.cyaml import CParser  # noqa: PLC0415
        from yaml.events import (  # noqa: PLC0415
            MappingEndEvent,
            MappingStartEvent,
            ScalarEvent,
            SequenceEndEvent,
            SequenceStartEvent,
            StreamEndEvent,
        )
    except ImportError:  # pragma: no cover - PyYAML is a dependency; its C part may be missing
        return None
    parser = CParser(text)
    next_event = parser.get_event
    count = 0
    quoted: list[PathKey] = []  # the current document's quoted YAML 1.1 boolean words
    key_path, words = _KEY, YAML11_BOOLEANS  # (closure cells: read once per scalar)

    def value(event: Any, path: PathKey, depth: int, lines: dict[PathKey, int]) -> Any:
        nonlocal count
        count += 1
        if count > MAX_NODES or depth > MAX_DEPTH or event.anchor is not None:
            raise _Fallback
        if event.__class__ is ScalarEvent:
            if event.tag is not None:
                raise _Fallback
            if event.style:  # quoted or block: always text
                if path is not key_path and event.value in words:
                    quoted.append(path)
                return event.value
            return scalar_value(plain_tag(event.value), event.value)
        if event.tag is not None:
            raise _Fallback
        if event.__class__ is MappingStartEvent:
            result: dict[str, Any] = {}
            while True:
                key_event = next_event()
                if key_event.__class__ is MappingEndEvent:
                    return result
                if key_event.__class__ is not ScalarEvent:
                    raise _Fallback  # a collection or an alias as a key
                if not key_event.style and key_event.value == "<<":
                    raise _Fallback  # a merge key: the pure path applies it
                key = value(key_event, key_path, depth + 1, lines)
                key_text = key if isinstance(key, str) else str(key)
                if key_text in result:
                    raise _Fallback  # the pure path reports it where it is
                child = (*path, key_text)
                lines[child] = key_event.start_mark.line + 1
                result[key_text] = value(next_event(), child, depth + 1, lines)
        if event.__class__ is SequenceStartEvent:
            items: list[Any] = []
            index = 0
            while True:
                item_event = next_event()
                if item_event.__class__ is SequenceEndEvent:
                    return items
                child = (*path, index)
                lines[child] = item_event.start_mark.line + 1
                items.append(value(item_event, child, depth + 1, lines))
                index += 1
        raise _Fallback  # an alias

    documents: list[SourceDocument] = []

    def add(event: Any, depth: int) -> None:
        lines: dict[PathKey, int] = {}
        data = value(event, (), depth, lines)
        documents.append(
            SourceDocument(
                file=file,
                index=len(documents),
                line=event.start_mark.line + 1,
                data=data,
                lines=lines,
                quoted_words=frozenset(quoted) if quoted else NO_PATHS,
            )
        )
        quoted.clear()

    try:
        next_event()  # stream start
        while True:
            start = next_event()
            if start.__class__ is StreamEndEvent:
                break
            if start.version is not None or start.tags:  # directives: the pure parser's job
                return None
            root = next_event()
            if root.__class__ is SequenceStartEvent:  # several definitions in one document
                count += 1
                if root.anchor is not None or root.tag is not None:
                    return None
                while True:
                    item = next_event()
                    if item.__class__ is SequenceEndEvent:
                        break
                    add(item, 2)
            else:
                add(root, 1)
            next_event()  # document end
    except (_Fallback, CError, RecursionError):
        return None
    finally:
        parser.dispose()
    return documents


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
