"""The ``covenant`` command: parse, call one service function, render.

Exit codes: 0 ok, 1 error, 2 usage, 3 ``evaluate --check`` found a breached or paging SLO,
4 ``evaluate --check`` had nothing to check (no SLO with data).

Start-up stays fast: the command modules import only typer, rich and light things at module
level; each command imports the services it needs when it runs (tests/cli/test_startup.py).
"""

from __future__ import annotations

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


def _flags_take_no_value() -> None:
    """Help lists a flag as ``--check``, not ``--check <bool>``.

    Typer's rich help prints a type for every option, flags included, as if ``--help`` took
    a boolean. A flag takes no value; show none (tests/cli/test_help.py checks every command).
    """
    option = getattr(typer.core, "TyperOption", None)
    original = getattr(option, "display_type_rich", None)
    if option is None or original is None or getattr(original, "covenant_patched", False):
        return

    def display_type_rich(self: typer.core.TyperOption, ctx: Any) -> str | None:
        if self.is_bool_flag and self.metavar is None:
            return None
        result: str | None = original(self, ctx)
        return result

    display_type_rich.covenant_patched = True  # type: ignore[attr-defined]
    option.display_type_rich = display_type_rich


_flags_take_no_value()

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


def main() -> None:
    app()
