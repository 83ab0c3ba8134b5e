"""``covenant explain CODE``: the section of the error reference about one code.

The reference is ``docs/errors.md``; the wheel ships it inside the package, so every hint
(``run: covenant explain CODE``) works for an installed user without the repository. Reading
it is ``services.error_reference``'s (``GET /api/v1/errors`` answers the same sections).
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from covenant.cli.common import console, err_console


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def sections(text: str) -> dict[str, tuple[str, str]]:
    """Each ``### code`` of the reference: (its ``##`` group, its body as plain text)."""
    from covenant.services.error_reference import sections as read

    return read(text)


def complete_code(incomplete: str) -> list[str]:
    """Shell completion of ``covenant explain <TAB>``: the documented codes."""
    from covenant.services.error_reference import reference

    try:
        known = reference()
    except OSError:
        return []
    return [code for code in known if code.startswith(incomplete.lower())]


def explain_command(
    code: Annotated[
        str | None,
        typer.Argument(
            help="An error or problem code, e.g. yaml-syntax. Omit to list them all.",
            autocompletion=complete_code,
        ),
    ] = None,
    output: FormatOption = Format.TABLE,
) -> None:
    """Explain an error or problem code: what it means and how to fix it.

    With -f json: the codes, or one code's text, as GET /api/v1/errors answers them."""
    from covenant.services.error_reference import reference, unknown_code, wanted_code

    try:
        known = reference()
    except OSError as exc:  # a broken installation: say so rather than a traceback
        err_console.print(
            f"error: the error reference is missing from this installation ({exc.strerror}); "
            "reinstall covenant",
            style="bold red",
            markup=False,
        )
        raise typer.Exit(code=1) from None
    as_json = output is Format.JSON
    if code is None and as_json:
        rows = [{"code": e.code, "group": e.group, "summary": e.summary} for e in known.values()]
        typer.echo(json.dumps({"errors": rows}, indent=2))
        return
    if code is None:
        group = None
        for name, found in known.items():
            if found.group != group:
                group = found.group
                console.print(f"\n{group}", style="bold", markup=False, highlight=False)
            first = found.summary
            room = max(console.width - 33, 20)
            summary = first if len(first) <= room else first[: room - 1] + "…"
            console.print(f"  {name:<30} {summary}", markup=False, highlight=False, crop=True)
        return
    wanted = wanted_code(code)
    if wanted not in known:
        from covenant.cli import jsonmode
        from covenant.errors import NotFoundError

        message = unknown_code(code, list(known))
        jsonmode.refuse(NotFoundError(message, hint="run `covenant explain` to list every code"))
        err_console.print(
            f"error: {message}",
            style="bold red",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        err_console.print(
            "  run `covenant explain` to list every code",
            style="dim",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(code=2)
    found = known[wanted]
    if as_json:
        document = {"code": found.code, "group": found.group, "text": found.text}
        typer.echo(json.dumps(document, indent=2))
        return
    console.print(wanted, style="bold", markup=False, highlight=False)
    console.print(f"({found.group})", style="dim", markup=False, highlight=False)
    console.print(found.text, markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.command("explain")(explain_command)
