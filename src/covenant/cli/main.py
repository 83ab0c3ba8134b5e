"""The ``covenant`` command: parse, call one service function, render.

Exit codes: 0 ok, 1 error, 2 usage, 3 ``evaluate --check`` found a breached or paging SLO,
4 ``evaluate --check`` had nothing to check (no SLO with data).

Start-up stays fast: the command modules import only typer and light things at module level;
each command imports the services it needs when it runs, and ``main`` registers only the
command module a command line names (``COMMANDS``), so ``covenant evaluate`` neither imports
nor builds the other commands. ``app`` (every command) is what help, completion and tests use.
tests/cli/test_startup.py checks what each command loads.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from importlib import import_module
from typing import Annotated, Any

import typer
import typer.core

MODULES = (  # in the order their commands are listed in help
    "definitions_cmds",
    "import_cmds",
    "ingest_cmds",
    "evaluate_cmds",
    "agreement_cmds",
    "report_cmds",
    "lint_cmds",
    "backtest_cmds",
    "exposure_cmds",
    "explain_cmds",
)
COMMANDS = {  # top-level command or group → the module that registers it
    "validate": "definitions_cmds",
    "init": "definitions_cmds",
    "export": "definitions_cmds",
    "import": "import_cmds",
    "ingest": "ingest_cmds",
    "evaluate": "evaluate_cmds",
    "demo": "evaluate_cmds",
    "agreements": "agreement_cmds",
    "report": "report_cmds",
    "lint": "lint_cmds",
    "backtest": "backtest_cmds",
    "suggest": "backtest_cmds",
    "exposure": "exposure_cmds",
    "explain": "explain_cmds",
}


def _plain_help_types() -> None:
    """Help lists a flag as ``--check``, not ``--check <bool>``, and a repeatable value as
    ``<path>``/``<str>...``, not ``<list[Path]>``.

    Typer's rich help prints a type for every option, flags included, as if ``--help`` took
    a boolean, and spells lists as Python types. tests/cli/test_first_hour.py checks the help
    of every command.
    """
    for name in ("TyperOption", "TyperArgument"):
        kind = getattr(typer.core, name, None)
        original = getattr(kind, "display_type_rich", None)
        if kind is None or original is None or getattr(original, "covenant_patched", False):
            continue
        kind.display_type_rich = _plain(original, argument=name == "TyperArgument")


def _plain(original: Any, *, argument: bool) -> Any:
    def display_type_rich(self: Any, ctx: Any) -> str | None:
        if getattr(self, "is_bool_flag", False) and self.metavar is None:
            return None
        result: str | None = original(self, ctx)
        if result and result.startswith("<list[") and result.endswith("]>"):
            inner = result.removeprefix("<list[").removesuffix("]>").lower()
            # an argument's name already ends in "..."; a repeatable option says so here
            return f"<{inner}>" if argument else f"<{inner}>..."
        return result

    display_type_rich.covenant_patched = True  # type: ignore[attr-defined]
    return display_type_rich


_plain_help_types()


def version_text() -> str:
    from importlib.metadata import PackageNotFoundError, version

    import covenant

    try:
        return version("covenant")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return covenant.__version__


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"covenant {version_text()}")
        raise typer.Exit


def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            help="Print the version and exit.",
            callback=_show_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """SLOs and SLAs managed together: error budgets, burn-rate alerts and contracts.

    Start with `covenant demo`; `covenant explain CODE` explains any error code.
    """


def build_app(modules: Sequence[str] = MODULES) -> typer.Typer:
    """The ``covenant`` command with the commands of ``modules`` (default: all of them)."""
    built = typer.Typer(name="covenant", no_args_is_help=True, pretty_exceptions_enable=False)
    built.callback()(root)
    for name in modules:
        import_module(f"covenant.cli.{name}").register(built)
    return built


app: typer.Typer  # every command, built on first use (module __getattr__ below)


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
    if module is None or "_COVENANT_COMPLETE" in os.environ:
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
    second) on its first conversion whenever it is installed, and Covenant never needs it."""
    # Covenant uses no pydantic plugins: do not scan every installed package's metadata for
    # them on start-up (set it yourself to anything else to let pydantic look)
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    finder = _WithoutPandas()
    if "pandas" not in sys.modules:
        sys.meta_path.insert(0, finder)
    try:
        build_app(modules_for(sys.argv[1:]))()
    finally:
        if finder in sys.meta_path:
            sys.meta_path.remove(finder)
