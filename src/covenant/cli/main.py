"""The ``covenant`` command: parse, call one service function, render.

Exit codes: 0 ok, 1 error, 2 usage, 3 ``evaluate --check`` found a breached or paging SLO,
4 ``evaluate --check`` had nothing to check (no SLO with data).

Start-up stays fast: the command modules import only typer, rich and light things at module
level; each command imports the services it needs when it runs (tests/cli/test_startup.py).
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
import typer.core

from covenant.cli import (
    agreement_cmds,
    backtest_cmds,
    definitions_cmds,
    evaluate_cmds,
    explain_cmds,
    exposure_cmds,
    ingest_cmds,
    lint_cmds,
    report_cmds,
)


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

app = typer.Typer(
    name="covenant",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


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


@app.callback()
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


definitions_cmds.register(app)
ingest_cmds.register(app)
evaluate_cmds.register(app)
agreement_cmds.register(app)
report_cmds.register(app)
lint_cmds.register(app)
backtest_cmds.register(app)
exposure_cmds.register(app)
explain_cmds.register(app)


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
    finder = _WithoutPandas()
    if "pandas" not in sys.modules:
        sys.meta_path.insert(0, finder)
    try:
        app()
    finally:
        if finder in sys.meta_path:
            sys.meta_path.remove(finder)
