"""The error reference (``docs/errors.md``) read by code: each ``### code`` section, its group,
and the codes spelled like an unknown one. ``covenant explain`` prints it; ``GET /errors`` and
``GET /errors/{code}`` answer it (one reading for both)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from covenant.errors import NotFoundError
from covenant.resources import errors_md

HEADING = re.compile(r"^(#{1,3}) (.+?)\s*$")
LINK = re.compile(r"\[([^\]]+)\]\(#[a-z0-9-]+\)")
LIST_ITEM = re.compile(r"^\s*(?:[-*]|\d+\.) ")


@dataclass(frozen=True, slots=True, kw_only=True)
class Explained:
    """One code's section: the ``##`` group it is in and its body as plain text."""

    code: str
    group: str
    text: str

    @property
    def summary(self) -> str:
        """The first line of the body (``covenant explain`` lists it beside the code)."""
        return self.text.split("\n", 1)[0]


def sections(text: str) -> dict[str, tuple[str, str]]:
    """Each ``### code`` of the reference: (the ``##`` group it is in, its body as plain text).

    A code documented twice keeps its first section.
    """
    out: dict[str, tuple[str, str]] = {}
    group = ""
    code: str | None = None
    body: list[str] = []

    def close() -> None:
        if code is not None and code not in out:
            out[code] = (group, reflow(LINK.sub(r"\1", "\n".join(body).strip())))

    for line in text.splitlines():
        heading = HEADING.match(line)
        if heading is None:
            if code is not None:
                body.append(line)
            continue
        close()
        level, title = heading.groups()
        code, body = None, []
        if len(level) == 2:
            group = title
        elif len(level) == 3:
            code = title
    close()
    return out


def reflow(text: str) -> str:
    """Markdown paragraphs as single lines (the terminal wraps them); lists, tables and code
    keep their lines."""
    paragraphs = []
    for paragraph in text.split("\n\n"):
        lines = paragraph.splitlines()
        if any(line.startswith(("|", "```", "    ")) for line in lines):
            paragraphs.append(paragraph)
            continue
        joined: list[str] = []
        for line in lines:
            if joined and not LIST_ITEM.match(line):
                joined[-1] += " " + line.strip()
            else:
                joined.append(line.rstrip())
        paragraphs.append("\n".join(joined))
    return "\n\n".join(paragraphs)


def near(code: str, known: list[str]) -> list[str]:
    """Codes like ``code``: close spellings first, then codes containing it (or a word of it)."""
    close = difflib.get_close_matches(code, known, n=5, cutoff=0.6)
    words = [w for w in code.split("-") if len(w) > 2]
    containing = [k for k in known if code in k or any(w in k.split("-") for w in words)]
    return list(dict.fromkeys([*close, *containing]))[:8]


def reference() -> dict[str, Explained]:
    """Every documented code's section, in the reference's order (``OSError`` when the
    reference is missing: a broken installation)."""
    text = errors_md().read_text(encoding="utf-8")
    return {
        code: Explained(code=code, group=group, text=body)
        for code, (group, body) in sections(text).items()
    }


def wanted_code(given: str) -> str:
    """A code as a person may paste it (``[yaml-syntax]``, ``#yaml-syntax``), as documented."""
    return given.strip().strip("[]").removeprefix("#").lower()


def unknown_code(given: str, known: list[str]) -> str:
    """What to say of a code the reference does not document, with the codes spelled like it."""
    message = f"{given!r} is not a Covenant error or problem code"
    suggestions = near(wanted_code(given), known)
    if suggestions:
        message += "; did you mean: " + ", ".join(suggestions) + "?"
    return message


def explain(given: str) -> Explained:
    """The section of ``given`` (as ``wanted_code`` reads it); ``NotFoundError`` naming the
    codes spelled like it otherwise."""
    known = reference()
    found = known.get(wanted_code(given))
    if found is None:
        raise NotFoundError(
            unknown_code(given, list(known)), hint="GET /api/v1/errors lists every code"
        )
    return found
