"""What every command prints with, and how a domain error is printed: typer-free.

Kept apart from ``common`` (the typer option types) so the fast ``evaluate`` path
(``covenant.cli.fast``) can run a command without importing typer; the few places that end a
command (``fail``, ``usage``, a bad ``COVENANT_NOW``) import typer when they are reached.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from covenant.config import Settings
from covenant.errors import (
    ClockVariableError,
    CovenantError,
    DefinitionError,
    WorkspaceOptionError,
)

if TYPE_CHECKING:
    import typer
    from rich.console import Console


class _LazyConsole:
    """A rich ``Console`` made on first use: a command that only writes JSON never imports
    rich (tests/cli/test_startup.py checks ``evaluate --format json``).

    Attributes are read from and written to the real console; its size is measured on every
    use (``COLUMNS``, ``LINES``, else the terminal), never fixed when it is made.
    """

    __slots__ = ("_console", "_stderr")

    def __init__(self, *, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    def _real(self) -> Console:
        if self._console is None:
            from rich.console import Console

            made = Console(stderr=self._stderr)
            # Measured on every use (rich reads COLUMNS and LINES then), never fixed at the
            # size the environment had at first use: that depended on which command used
            # the console first in a process (a test run's width leaked into the next).
            made._width = None
            made._height = None
            self._console = made
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _LazyConsole.__slots__:
            object.__setattr__(self, name, value)
        else:
            setattr(self._real(), name, value)

    # ``with console:`` (rich's Live, so every progress bar, enters its console to print)
    # looks the special methods up on the type, past ``__getattr__``: forwarded here.
    def __enter__(self) -> Console:
        return self._real().__enter__()

    def __exit__(self, *exc: object) -> None:
        self._real().__exit__(*exc)


console = cast("Console", _LazyConsole(stderr=False))
err_console = cast("Console", _LazyConsole(stderr=True))

NOW_VARIABLE = "COVENANT_NOW"


def now() -> datetime:
    """The CLI's one clock: the current UTC instant, to the second.

    A testing aid: ``COVENANT_NOW`` (an ISO-8601 instant with Z or an offset) replaces the
    system clock for every default and relative instant (``--at -7d``, ``--period
    this-month``) and for the demo's generated data, so a test can run the README a year
    ahead. Never set it in production.
    """
    fixed = os.environ.get(NOW_VARIABLE)
    if fixed:
        from covenant.core.when import EARLIEST, LATEST

        try:
            parsed = datetime.fromisoformat(fixed)
        except ValueError:
            parsed = None
        example = f"{NOW_VARIABLE}=2026-10-31T09:30:00Z, or unset it to use the system clock"
        problem = ""
        if parsed is None or parsed.tzinfo is None:
            problem, hint = (
                "is not an ISO-8601 instant with Z or an offset",
                f"write e.g. {example}",
            )
        elif not EARLIEST <= parsed < LATEST:  # the range --at takes: windows stay in datetime's
            problem = "is outside the years 1971 to 8999"
            hint = f"write an instant in that range, e.g. {example}"
        if problem:
            fail(ClockVariableError(f"{NOW_VARIABLE}={fixed!r} {problem}", hint=hint))
            # a usage error (exit 2), raised past every `except Exception` so it prints once
            raise SystemExit(2)
        assert parsed is not None
        return parsed.astimezone(UTC).replace(microsecond=0)
    return datetime.now(UTC).replace(microsecond=0)


WORKSPACE_VARIABLE = "COVENANT_WORKSPACE"


def workspace_error(
    workspace: Path, *, from_env: bool = False, paths_too: str = ""
) -> WorkspaceOptionError | None:
    """What is wrong with ``workspace`` as the workspace folder (None when it is a folder the
    command can read): it does not exist, or it is a file, whose folder is the fix.

    ``from_env``: it came from ``$COVENANT_WORKSPACE``, named so. ``paths_too``: the command
    (``covenant validate``) also takes definition files as PATH, offered as the other fix.
    """
    import shlex

    def given(path: Path) -> str:
        quoted = shlex.quote(str(path))
        return f"{WORKSPACE_VARIABLE}={quoted}" if from_env else f"-w {quoted}"

    if workspace.is_dir():
        if os.access(workspace, os.R_OK | os.X_OK):
            return None
        return WorkspaceOptionError(
            f"{given(workspace)}: the folder cannot be read (permission denied)",
            hint="give yourself read access to it, or run Covenant as the user who owns it",
        )
    takes = (
        f"{WORKSPACE_VARIABLE} names" if from_env else "-w takes"
    ) + " the workspace folder (the one that holds your definition files and .covenant/)"
    if workspace.is_file():
        other = f" (or give the file as PATH: {paths_too} {shlex.quote(str(workspace))})"
        return WorkspaceOptionError(
            f"{given(workspace)} is a file, not a folder",
            hint=f"{takes}, not a file in it: {given(workspace.parent)}"
            f"{other if paths_too else ''}",
        )
    other = ", or give definition files as PATH" if paths_too else ""
    if workspace.exists():  # a pipe, a device, a socket
        return WorkspaceOptionError(f"{given(workspace)} is not a folder", hint=f"{takes}{other}")
    if workspace.is_symlink():
        return WorkspaceOptionError(
            f"{given(workspace)} is a symbolic link to a folder that does not exist",
            hint=f"{takes}: fix the link, or give the folder itself{other}",
        )
    return WorkspaceOptionError(
        f"{given(workspace)} does not exist",
        hint=f"{takes}: check the path{other}, or start a workspace there with "
        f"`covenant init {shlex.quote(str(workspace))}`",
    )


def settings_for(workspace: Path) -> Settings:
    return Settings.from_env(workspace)


def store_to_write(workspace: Path, what: str) -> str:
    """The store a command that makes ``what`` (a token, a user) writes to. A folder that is
    no workspace — no definition file, no store — is refused (``invalid-workspace-option``)
    rather than given a new store there that no server reads (a usage error, exit 2);
    ``COVENANT_DATABASE_URL`` (a shared store) is written whatever the folder."""
    from covenant.config import DATABASE_ENV, STATE_DIR
    from covenant.services.workspace import holds_definitions

    url = settings_for(workspace).database_url
    if os.environ.get(DATABASE_ENV) or (workspace / STATE_DIR / "covenant.db").exists():
        return url
    if holds_definitions(workspace):
        return url
    raise usage(
        WorkspaceOptionError(
            f"{workspace.resolve()} is not a Covenant workspace: it holds no definition file "
            f"(*.yaml) and no store ({STATE_DIR}/covenant.db), so {what} made here would be kept "
            "in a new store that no server reads",
            hint="give the workspace `covenant serve` serves: -w DIR (or COVENANT_WORKSPACE=DIR); "
            "`covenant init DIR` starts a new one; several servers on one store: set "
            f"{DATABASE_ENV}",
        )
    )


def fail(error: CovenantError) -> typer.Exit:
    """Print a domain error for a person and return the exit to raise (code 1); a command line
    that asked for JSON gets it on standard output too (``cli.jsonmode``)."""
    import typer

    from covenant.cli import jsonmode

    jsonmode.refuse(error)

    if isinstance(error, DefinitionError):
        for problem in error.problems:
            warning = problem.severity == "warning"
            err_console.print(
                f"warning: {problem}" if warning else str(problem),
                style="yellow" if warning else "red",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
    err_console.print(
        f"error: {error}", style="bold red", markup=False, highlight=False, soft_wrap=True
    )
    err_console.print(
        f"  {explain_hint(error)}", style="dim", markup=False, highlight=False, soft_wrap=True
    )
    return typer.Exit(code=1)


def usage(error: CovenantError) -> typer.Exit:
    """Print a coded usage error (a bad option value) as ``fail`` prints any coded error, and
    return the exit to raise: code 2, as Click's own usage errors."""
    import typer

    fail(error)
    return typer.Exit(code=2)


def explain_hint(error: CovenantError) -> str:
    """Where to read more: ``covenant explain`` works wherever the package is installed."""
    if isinstance(error, DefinitionError):
        codes = list(dict.fromkeys(p.code for p in error.problems if p.severity == "error"))
        if len(codes) == 1:
            return f"run: covenant explain {codes[0]}"
        if codes:
            return f"run: covenant explain CODE (the code in brackets, e.g. {codes[0]})"
    return f"run: {error.explain}"
