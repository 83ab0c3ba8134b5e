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
    store_to_write,
    usage,
    workspace_error,
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
    "store_to_write",
    "usage",
    "workspace_folder",
]


def _from_env(ctx: typer.Context, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source is not None and source.name == "ENVIRONMENT"


def workspace_folder(ctx: typer.Context, param: typer.CallbackParam, value: Path) -> Path:
    """``-w`` checked before the command runs: a folder, else the coded usage error naming the
    fix (its folder, for a file) that every command gives alike."""
    if ctx.resilient_parsing or value is None:  # shell completion
        return value
    error = workspace_error(value, from_env=_from_env(ctx, param.name or "workspace"))
    if error is not None:
        raise usage(error)
    return value


WorkspaceOption = Annotated[
    Path,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (definitions and .covenant/ store).",
        metavar="<dir>",
        callback=workspace_folder,
        envvar="COVENANT_WORKSPACE",
    ),
]


def _command_line(ctx: typer.Context) -> str:
    """``covenant export openslo``: the command as a person types it (not ``python -m``)."""
    below = ctx.command_path.removeprefix(ctx.find_root().command_path)
    return f"covenant {below.strip()}"


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
    ``$COVENANT_WORKSPACE``) and the fix; the workspace's is the coded one of every ``-w``."""
    if paths:
        for path in paths:
            if not path.exists():
                raise typer.BadParameter(
                    f"{path} does not exist; give existing definition files or folders",
                    param_hint="PATH",
                )
        return list(paths)
    error = workspace_error(
        workspace, from_env=_from_env(ctx, "workspace"), paths_too=_command_line(ctx)
    )
    if error is not None:
        raise usage(error)
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
