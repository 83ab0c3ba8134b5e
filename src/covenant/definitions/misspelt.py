"""A misspelt required key is one problem: the unknown key, and the required key it likely is.

Validation finds a misspelling twice: the key as written is unknown ("did you mean
'objectives'?") and the key it stands for is missing (pydantic's "required field", or a
check's "the objective has no target"). Said twice, the second points at the parent's line,
away from the mistake. :func:`one_per_misspelling` folds the second into the first, at the
misspelt key's ``file:line``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import replace

from covenant.definitions.v2alpha_names import NAME_MESSAGE
from covenant.definitions.yamlsource import SourceDocument, field_path
from covenant.errors import Problem

_GUESS = re.compile(r"did you mean '([^']+)'\?")
_FOLDED = re.compile(r"rename \S+ to (\S+)$")  # told once already (a document's own pass)
_WORD = r"(?<![\w.]){}(?![\w])"


def one_per_misspelling(
    problems: Sequence[Problem], sources: Sequence[SourceDocument]
) -> list[Problem]:
    """``problems`` with each unknown key whose suggestion is a key reported missing in the
    same mapping of the same document told once: "unknown field 'objectves': likely the
    required field 'objectives', misspelt" at the unknown key's line. A missing key's problem
    is folded only when that key is absent from the document as written. A warning at the
    absent key (an optional key's default, "no timeWindow given") is folded too: "likely the
    field 'timeWindow', misspelt"."""
    documents = Documents(sources)
    kept = list(problems)
    dropped: set[int] = set()
    for i, unknown in enumerate(problems):
        if unknown.code != "unknown-field" or unknown.severity != "error":
            continue
        # folded when its document was read, it may still fold what the workspace finds
        found = _GUESS.match(unknown.fix) or _FOLDED.match(unknown.fix)
        doc = documents.of(unknown)
        if found is None or doc is None:
            continue
        parent, wrong = _split(unknown.field)
        meant = found.group(1)
        missing = _join(parent, meant)
        if missing in documents.written(doc):
            continue  # the key is there too: the unknown one is just unknown
        folded = [
            j
            for j, other in enumerate(problems)
            if j != i
            and j not in dropped
            and documents.of(other) is doc
            and (
                _reports_missing(other, parent=parent, missing=missing, meant=meant)
                if other.severity == "error"
                else other.field == missing  # an optional key's default: "no timeWindow given"
            )
        ]
        if not folded:
            continue
        dropped.update(folded)
        required = any(problems[j].severity == "error" for j in folded)
        required = required or "the required field" in unknown.message
        misspelt = (
            f"unknown field {wrong!r}: likely the {'required ' if required else ''}"
            f"field {meant!r}, misspelt"
        )
        renamed = NAME_MESSAGE in unknown.message  # another version's name: said so already
        kept[i] = replace(
            unknown,
            message=unknown.message if renamed else misspelt,
            fix=f"rename {wrong} to {meant}",
        )
    return [p for j, p in enumerate(kept) if j not in dropped]


def _reports_missing(problem: Problem, *, parent: str, missing: str, meant: str) -> bool:
    """Whether ``problem`` says that ``meant`` (at ``missing``, absent) is missing: any error
    at its path, or a ``missing-field`` at its parent that names it."""
    if problem.field == missing:
        return True
    if problem.field != parent or problem.code != "missing-field":
        return False
    word = re.compile(_WORD.format(re.escape(meant)))
    return bool(word.search(problem.message) or word.search(problem.fix))


def _split(field: str) -> tuple[str, str]:
    """``spec.timeWindow[0].duratin`` → (``spec.timeWindow[0]``, ``duratin``)."""
    if field.endswith("]"):
        cut = field.rindex("[")
        return field[:cut], field[cut + 1 : -1]
    parent, _, last = field.rpartition(".")
    return parent, last


def _join(parent: str, key: str) -> str:
    """The field path of ``key`` inside ``parent``, as :func:`field_path` writes it."""
    tail = field_path((key,))
    return parent + tail if tail.startswith("[") or not parent else f"{parent}.{tail}"


class Documents:
    """Which document of its file a problem's ``file:line`` lies in, and what it writes."""

    def __init__(self, sources: Sequence[SourceDocument]) -> None:
        self._by_file: dict[str, list[SourceDocument]] = {}
        for doc in sorted(sources, key=lambda d: d.line):
            self._by_file.setdefault(doc.file, []).append(doc)
        self._written: dict[int, set[str]] = {}

    def of(self, problem: Problem) -> SourceDocument | None:
        file, _, line = problem.where.rpartition(":")
        docs = self._by_file.get(file)
        if not docs or not line.isdigit():
            return None
        at = bisect.bisect_right([d.line for d in docs], int(line)) - 1
        return docs[at] if at >= 0 else None

    def written(self, doc: SourceDocument) -> set[str]:
        """The field paths the document writes (every key, at any depth)."""
        key = id(doc)
        if key not in self._written:
            self._written[key] = {field_path(path) for path in doc.lines}
        return self._written[key]
