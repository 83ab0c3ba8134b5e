"""What every command shares: consoles, the workspace option, error rendering."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from covenant.config import Settings
from covenant.errors import CovenantError, DefinitionError

console = Console()
err_console = Console(stderr=True)

WorkspaceOption = Annotated[
    Path,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (definitions and .covenant/ store).",
        file_okay=False,
        envvar="COVENANT_WORKSPACE",
    ),
]


def settings_for(workspace: Path) -> Settings:
    return Settings.from_env(workspace)


def fail(error: CovenantError) -> typer.Exit:
    """Print a domain error for a person and return the exit to raise (code 1)."""
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
        f"  see {error.docs}", style="dim", markup=False, highlight=False, soft_wrap=True
    )
    return typer.Exit(code=1)
