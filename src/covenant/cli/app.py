"""The typer application: the ``covenant`` group, its ``--version`` and help, and the commands
of the modules a command line needs (``covenant.cli.main`` decides which)."""

from __future__ import annotations

import inspect
import sys
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


def flowing(doc: str) -> str:
    """A docstring with each paragraph on one line, for the terminal to wrap.

    Typer's rich help keeps the line breaks inside every paragraph after the first, so a
    docstring wrapped at 100 columns printed ragged lines on an 80-column terminal (a few
    words alone on every other line). A paragraph with an indented or bulleted line, or
    click's ``\\b`` (keep as written), stays as it is.
    """
    paragraphs = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(
        paragraph if _laid_out(paragraph) else " ".join(paragraph.split("\n"))
        for paragraph in paragraphs
    )


def _laid_out(paragraph: str) -> bool:
    lines = paragraph.split("\n")
    return paragraph.startswith("\b") or any(
        line[:1].isspace() or line.startswith(("- ", "* ")) for line in lines[1:]
    )


def _flow_help(app: typer.Typer) -> None:
    """Every command's help as ``flowing`` text (groups' helps are one line a paragraph)."""
    for command in app.registered_commands:
        doc = command.help if command.help is not None else inspect.getdoc(command.callback)
        if doc:
            command.help = flowing(doc)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            _flow_help(group.typer_instance)


# Click's exceptions as typer raises them: its own copy of Click (typer 0.29) or Click itself
_CLICK = sys.modules[typer.BadParameter.__module__]


class CovenantGroup(typer.core.TyperGroup):
    """The ``covenant`` group: a command line that asks for JSON (``cli.jsonmode``) gets a
    usage error Click reports, and a Ctrl-C, as a JSON document on standard output too; what
    standard error says and the exit code stay typer's own (2, 130)."""

    def main(self, args: Sequence[str] | None = None, *more: Any, **options: Any) -> Any:
        from covenant.cli import jsonmode
        from covenant.cli.jsonmode_click import asks_for_json_in

        words = sys.argv[1:] if args is None else list(args)
        jsonmode.start(words)
        jsonmode.decide(asks_for_json_in(self, words))
        return super().main(args, *more, **options)

    def make_context(self, *args: Any, **options: Any) -> Any:
        try:
            return super().make_context(*args, **options)
        except _CLICK.ClickException as error:
            _refuse_usage(error)
            raise

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except _CLICK.ClickException as error:
            _refuse_usage(error)
            raise
        except KeyboardInterrupt:  # typer ends it with 130
            from covenant.cli import jsonmode

            jsonmode.interrupted("")
            raise


def _refuse_usage(error: Exception) -> None:
    """Click's usage error as the coded ``invalid-usage`` on standard output, for JSON."""
    from covenant.cli import jsonmode
    from covenant.errors import CommandUsageError

    if not jsonmode.asked():
        return
    context = getattr(error, "ctx", None)
    hint = ""
    if context is not None:
        below = context.command_path.removeprefix(context.find_root().command_path).strip()
        hint = f"run: {' '.join(('covenant', below, '--help')) if below else 'covenant --help'}"
    message = getattr(error, "format_message", lambda: str(error))()
    jsonmode.refuse(CommandUsageError(str(message), hint=hint))


def build_app(modules: Sequence[str] = MODULES) -> typer.Typer:
    """The ``covenant`` command with the commands of ``modules`` (default: all of them)."""
    built = typer.Typer(
        name="covenant", cls=CovenantGroup, no_args_is_help=True, pretty_exceptions_enable=False
    )
    built.callback()(root)
    for name in modules:
        import_module(f"covenant.cli.{name}").register(built)
    _flow_help(built)
    return built
