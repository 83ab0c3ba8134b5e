"""``covenant explain CODE``: the section of the error reference about one code.

The reference is ``docs/errors.md``; the wheel ships it inside the package, so every hint
(``run: covenant explain CODE``) works for an installed user without the repository.
"""

from __future__ import annotations

import difflib
import re
from typing import Annotated

import typer

from covenant.cli.common import console, err_console

HEADING = re.compile(r"^(#{1,3}) (.+?)\s*$")
LINK = re.compile(r"\[([^\]]+)\]\(#[a-z0-9-]+\)")


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


LIST_ITEM = re.compile(r"^\s*(?:[-*]|\d+\.) ")


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


def complete_code(incomplete: str) -> list[str]:
    """Shell completion of ``covenant explain <TAB>``: the documented codes."""
    from covenant.resources import errors_md

    try:
        text = errors_md().read_text(encoding="utf-8")
    except OSError:
        return []
    return [code for code in sections(text) if code.startswith(incomplete.lower())]


def explain_command(
    code: Annotated[
        str | None,
        typer.Argument(
            help="An error or problem code, e.g. yaml-syntax. Omit to list them all.",
            autocompletion=complete_code,
        ),
    ] = None,
) -> None:
    """Explain an error or problem code: what it means and how to fix it."""
    from covenant.resources import errors_md

    try:
        text = errors_md().read_text(encoding="utf-8")
    except OSError as exc:  # a broken installation: say so rather than a traceback
        err_console.print(
            f"error: the error reference is missing from this installation ({exc.strerror}); "
            "reinstall covenant",
            style="bold red",
            markup=False,
        )
        raise typer.Exit(code=1) from None
    known = sections(text)
    if code is None:
        group = None
        for name, (in_group, body) in known.items():
            if in_group != group:
                group = in_group
                console.print(f"\n{group}", style="bold", markup=False, highlight=False)
            first = body.split("\n", 1)[0]
            room = max(console.width - 33, 20)
            summary = first if len(first) <= room else first[: room - 1] + "…"
            console.print(f"  {name:<30} {summary}", markup=False, highlight=False, crop=True)
        return
    wanted = code.strip().strip("[]").removeprefix("#").lower()
    if wanted not in known:
        suggestions = near(wanted, list(known))
        message = f"error: {code!r} is not a Covenant error or problem code"
        if suggestions:
            message += "; did you mean: " + ", ".join(suggestions) + "?"
        err_console.print(message, style="bold red", markup=False, highlight=False, soft_wrap=True)
        err_console.print(
            "  run `covenant explain` to list every code",
            style="dim",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(code=2)
    group, body = known[wanted]
    console.print(wanted, style="bold", markup=False, highlight=False)
    console.print(f"({group})", style="dim", markup=False, highlight=False)
    console.print(body, markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.command("explain")(explain_command)
