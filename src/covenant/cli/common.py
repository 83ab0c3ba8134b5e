"""What every command shares: consoles, the workspace and instant options, error rendering.

The consoles, the clock and error printing live in ``console`` (no typer there); this module
adds the typer option types the command modules declare their parameters with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from covenant.cli.console import (
    NOW_VARIABLE,
    console,
    err_console,
    explain_hint,
    fail,
    now,
    settings_for,
    usage,
)

__all__ = [
    "NOW_VARIABLE",
    "ActorOption",
    "AtOption",
    "WhenNoPathsOption",
    "WorkspaceOption",
    "cli_actor",
    "console",
    "definition_sources",
    "err_console",
    "explain_hint",
    "fail",
    "now",
    "settings_for",
    "usage",
]

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


WhenNoPathsOption = Annotated[
    Path,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder, when no PATH is given.",
        envvar="COVENANT_WORKSPACE",
    ),
]
"""The workspace of a command that also takes definition paths (validate, lint): checked by
:func:`definition_sources`, and only when no PATH is given."""


def definition_sources(ctx: typer.Context, paths: list[Path] | None, workspace: Path) -> list[Path]:
    """What a command of :data:`WhenNoPathsOption` reads: the PATHs given, else the workspace
    (a folder). A missing one is a usage error naming where it came from (PATH, ``-w`` or
    ``$COVENANT_WORKSPACE``) and the fix."""
    if paths:
        for path in paths:
            if not path.exists():
                raise typer.BadParameter(
                    f"{path} does not exist; give existing definition files or folders",
                    param_hint="PATH",
                )
        return list(paths)
    problem = "is a file" if workspace.is_file() else "" if workspace.exists() else "does not exist"
    if problem:
        source = ctx.get_parameter_source("workspace")
        from_env = source is not None and source.name == "ENVIRONMENT"
        raise typer.BadParameter(
            f"{workspace} {problem}; give the workspace folder (-w DIR) or definition files "
            "as PATH",
            param_hint="$COVENANT_WORKSPACE" if from_env else "'--workspace' / '-w'",
        )
    return [workspace]


ActorOption = Annotated[
    str | None,
    typer.Option(
        "--actor", help="Who makes the change, for the audit log (default: cli:<your user name>)."
    ),
]


def cli_actor(given: str | None) -> str:
    """Who a command's change is recorded as: ``--actor`` as given, else ``cli:<OS user>``."""
    if given and given.strip():
        return given.strip()[:255]
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no user name in this environment (a container)
        return "cli"


AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        metavar="INSTANT",
        help="Instant to evaluate at: 2026-10-31T09:30:00Z (Z or an offset), now, -7d, -3M; "
        "default now.",
    ),
]
