"""A command line that asks for JSON gets its refusals as JSON on standard output too.

The rule (docs/errors.md, "Exit codes"): a command line asks for JSON when the last
``--format``/``-f`` it gives before ``--`` is ``json`` (``--format json``, ``--format=json``,
``-f json``, ``-fjson``), whether or not the rest of it is valid. Then every refusal — an error
of the command (exit 1), a usage error (exit 2: an unknown option, a missing argument or value,
a bad option value, even ``json`` given to a command whose ``--format`` has no such choice) and
Ctrl-C (exit 130) — prints one JSON document on standard output, ``{"error": {"code",
"message", "hint", …}}`` (the API's error body), besides the words on standard error. A format
value that is not exactly ``json`` (``-f jsn``, ``-f JSON``) is no request for JSON: that usage
error is words on standard error only, as in a command line without ``--format``.

The ``--format`` is the one the command reads: a value of another option that looks like one
(``--slo -fjson``, ``report sla -o -f``) is no request. ``asks_for_json`` guesses from the words
alone, for what happens before typer is imported; the group decides again with each command's
own options once it is built (``cli.jsonmode_click``), and so does the fast ``evaluate``.

Typer-free and light: ``main`` and the fast ``evaluate`` read it before typer is imported.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from covenant.errors import CovenantError

_LONG = "--format"
_SHORT = "-f"


class _State:
    asked = False  # the command line asks for JSON (``asks_for_json``)
    shown = False  # a JSON document with the error is on standard output already


def asks_for_json(args: Sequence[str]) -> bool:
    """Whether the command line ``args`` (without the program name) asks for JSON output."""
    value: str | None = None
    rest = list(args)
    while rest:
        token = rest.pop(0)
        if token == "--":
            break
        if token in (_LONG, _SHORT):
            value = rest.pop(0) if rest else None
        elif token.startswith(f"{_LONG}="):
            value = token.partition("=")[2]
        elif token.startswith(_SHORT) and not token.startswith("--") and len(token) > 2:
            value = token[2:]
    return value == "json"


def start(args: Sequence[str]) -> None:
    """Read the command line about to run: whether its refusals are JSON too."""
    _State.asked = asks_for_json(args)
    _State.shown = False


def decide(asks: bool) -> None:
    """What the command line asks, as the command's own options read it (``cli.jsonmode_click``,
    the fast ``evaluate``): ``start`` only guessed from its words."""
    _State.asked = asks


def asked() -> bool:
    return _State.asked


def shown() -> None:
    """The command printed its own JSON document holding the error (``ingest``): the refusal
    prints no second one."""
    _State.shown = True


def error_json(error: CovenantError, **more: Any) -> dict[str, Any]:
    """An error as the API's error body: ``code``, ``message``, ``hint`` (and ``more``)."""
    return {
        "code": error.code,
        "message": error.message,
        "hint": error.hint or f"run: {error.explain}",
        **more,
    }


def refuse(error: CovenantError) -> None:
    """Print ``{"error": …}`` on standard output when the command line asked for JSON and no
    document with the error is there yet; an invalid definition adds its ``problems``."""
    if not _State.asked or _State.shown:
        return
    from covenant.errors import DefinitionError
    from covenant.services.report_json import definition_problems

    more: dict[str, Any] = {}
    if isinstance(error, DefinitionError):
        more["problems"] = definition_problems(error)
    _write({"error": error_json(error, **more)})


def interrupted(what: str, *, files: list[Any] | None = None) -> None:
    """The JSON document of a Ctrl-C, when the command line asked for JSON: an ingest's
    (``files`` given) lists the reports of the files ingested and kept, as when it ends."""
    if not _State.asked or _State.shown:
        return
    from covenant.errors import CommandInterruptedError

    message = f"interrupted: {what}" if what else "interrupted before the command finished"
    document: dict[str, Any] = {} if files is None else {"files": files}
    _write({**document, "error": error_json(CommandInterruptedError(message))})


def _write(document: dict[str, Any]) -> None:
    import sys

    from covenant.render.jsonout import write_json

    _State.shown = True
    with suppress(OSError, ValueError):  # no reader, or a closed stdout: stderr still says it
        sys.stdout.flush()
        write_json(document)
