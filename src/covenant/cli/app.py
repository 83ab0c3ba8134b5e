"""The typer application: the ``covenant`` group, its ``--version`` and help, and the commands
of the modules a command line needs (``covenant.cli.main`` decides which)."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module
from typing import Annotated, Any

import typer
import typer.core

from covenant.cli.commands import MODULES


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
