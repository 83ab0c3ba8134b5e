"""The ``covenant`` command: parse, call one service function, render.

Exit codes: 0 ok, 1 error, 2 usage, 3 ``evaluate --check`` found a breached or paging SLO,
4 ``evaluate --check`` had nothing to check (no SLO with data), 130 Ctrl-C (typer's; a read
from Prometheus and an ingest of files end saying what stays: ``cli.interrupt``).

Start-up stays fast: the command modules import only typer and light things at module level;
each command imports the services it needs when it runs, and ``main`` registers only the
command module a command line names (``COMMANDS``), so ``covenant evaluate`` neither imports
nor builds the other commands. ``app`` (every command) is what help, completion and tests use.
tests/cli/test_startup.py checks what each command loads.
"""

from __future__ import annotations

import os
import sys

from covenant.cli.commands import (
    COMMANDS,
    COMPLETE_VARIABLE,
    FAST_COMMAND,
    MODULES,
    asks_for_help,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a help page from
if TYPE_CHECKING:  # cli.help_cache is printed without typing, pathlib or collections
    from collections.abc import Sequence
    from typing import Any

    import typer

__all__ = ["COMMANDS", "MODULES", "app", "build_app", "main", "modules_for"]

app: typer.Typer  # every command, built on first use (module __getattr__ below)


def build_app(modules: Sequence[str] = MODULES) -> typer.Typer:
    """The ``covenant`` command with the commands of ``modules`` (default: all of them)."""
    from covenant.cli.app import build_app as build

    return build(modules)


def __getattr__(name: str) -> Any:
    if name == "app":
        globals()["app"] = built = build_app()
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def modules_for(args: Sequence[str]) -> tuple[str, ...]:
    """The command modules a command line needs: the one its command names, or all of them
    (no command, an unknown one, or shell completion, which lists every command)."""
    command = next((a for a in args if not a.startswith("-")), None)
    module = COMMANDS.get(command or "")
    if module is None or COMPLETE_VARIABLE in os.environ:
        return MODULES
    return (module,)


class _WithoutPandas:
    """A ``sys.meta_path`` finder that refuses pandas (pyarrow then goes on without it)."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.partition(".")[0] == "pandas":
            raise ModuleNotFoundError(
                f"No module named {name!r} in the covenant command", name=name
            )


def main() -> None:
    """The ``covenant`` command. Its process never imports pandas: pyarrow imports it (about a
    second) on its first conversion whenever it is installed, and Covenant never needs it.

    ``covenant evaluate`` runs without typer when ``cli.fast`` reads its command line (it
    returns, and typer runs it, for anything it does not read exactly as typer would); help
    and ``--version`` come from ``cli.help_cache`` when typer printed the same page before,
    help otherwise from ``cli.help_render`` (typer's page without typer) when it can."""
    # Covenant uses no pydantic plugins: do not scan every installed package's metadata for
    # them on start-up (set it yourself to anything else to let pydantic look)
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # Covenant does no linear algebra: one BLAS thread, not a pool started with numpy on every
    # run (≈ 30 ms of CPU and more of wall time on each command that loads numpy; set it
    # yourself to have more)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    finder = _WithoutPandas()
    if "pandas" not in sys.modules:
        sys.meta_path.insert(0, finder)
    try:
        recording = None
        if COMPLETE_VARIABLE not in os.environ and asks_for_help(sys.argv[1:]):
            from covenant.cli import help_cache

            recording = help_cache.serve(sys.argv[1:])  # exits when it printed the help
            from covenant.cli import help_render

            request = help_render.page_for(sys.argv[1:])
            if request is not None:  # typer's page without typer (exits), kept by the cache
                if recording is None:
                    help_render.show(request)
                with recording:
                    help_render.show(request)
        if sys.argv[1:2] == [FAST_COMMAND] and COMPLETE_VARIABLE not in os.environ:
            from covenant.cli import fast

            fast.run(sys.argv[2:])  # exits when it ran the command
        if recording is None:
            build_app(modules_for(sys.argv[1:]))()
        else:
            with recording:
                build_app(modules_for(sys.argv[1:]))()
    finally:
        if finder in sys.meta_path:
            sys.meta_path.remove(finder)


if __name__ == "__main__":  # python -m covenant.cli.main
    main()
