"""What typer's help shows for every command, written down once so ``help_render`` can print it
without typer (``python -m covenant.cli.help_model --write`` after changing a command).

Typer's rich help works out each row of its tables — an option's names, its type, default,
environment variable, required mark, the highlighting of all of them — from the click objects
of the built application, which costs importing typer (and pydantic, and rich.markdown) and
building every command. None of it depends on the terminal: this module runs typer's own
``rich_format_help`` for every command and group with a console that only records what it is
asked to print, and keeps those renderables as data (``help_model.json`` beside it): the usage
line's pieces, the help text, every panel's title and rows, the epilog. A cell is rich ``Text``
kept as its plain text, style and spans; ``help_render`` builds the same ``Panel``/``Table``
objects from them and lets rich lay them out for the terminal at hand.

The file names the typer and rich versions it was made with: ``help_render`` prints nothing
from it under others. tests/cli/test_help_render.py fails when the committed file differs from
a fresh one (a command changed, typer or rich upgraded) and compares the two renderings byte
for byte.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from collections.abc import Iterator, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import typer.core
import typer.main
from rich.align import Align
from rich.columns import Columns
from rich.console import Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from typer import rich_utils
from typer._click import exceptions as click_exceptions

from covenant.cli.help_render import LAYOUT, MODEL_FILE, PROG

REGENERATE = "python -m covenant.cli.help_model --write"
_TEXT_DEFAULTS = {"justify": None, "overflow": None, "no_wrap": None, "end": "\n", "tab_size": None}


class _Recorder:
    """A console that keeps what typer prints (typer only calls ``print`` on it)."""

    def __init__(self) -> None:
        self.printed: list[tuple[Any, str | None]] = []

    def print(self, renderable: Any, *, style: str | None = None) -> None:
        self.printed.append((renderable, style))


def text_data(text: Text) -> dict[str, Any]:
    """A ``Text`` as data: plain text, style and spans (styles must be names, not objects)."""
    spans = []
    for span in text.spans:
        if not isinstance(span.style, str):
            raise TypeError(f"a span styled with an object, not a name: {span!r}")
        spans.append([span.start, span.end, span.style])
    if not isinstance(text.style, str):
        raise TypeError(f"a text styled with an object, not a name: {text!r}")
    data: dict[str, Any] = {"text": text.plain}
    if text.style:
        data["style"] = text.style
    if spans:
        data["spans"] = spans
    for name, default in _TEXT_DEFAULTS.items():
        value = getattr(text, name)
        if value != default:
            data[name] = value
    return data


def _a_text(renderable: object) -> Text:
    if not isinstance(renderable, Text):
        raise TypeError(f"help text help_render cannot rebuild: {renderable!r}")
    return renderable


def _cell(cell: object) -> Any:
    if cell is None or isinstance(cell, str):
        return cell
    if isinstance(cell, Text):
        return text_data(cell)
    if isinstance(cell, Columns):
        return {"columns": [text_data(_a_text(item)) for item in cell.renderables]}
    raise TypeError(f"a help table cell help_render cannot rebuild: {cell!r}")


def _panel(panel: Panel) -> dict[str, Any]:
    table = panel.renderable
    assert isinstance(table, Table), panel
    assert isinstance(panel.title, str), panel
    rows = [[_cell(column._cells[at]) for column in table.columns] for at in range(table.row_count)]
    if table.highlight:  # an options (or arguments) panel: columns come with the rows
        return {"title": panel.title, "kind": "options", "rows": rows}
    width = table.columns[0].width
    return {"title": panel.title, "kind": "commands", "width": width, "rows": rows}


def _page(obj: Any, ctx: Any, printed: Sequence[tuple[Any, str | None]]) -> dict[str, Any]:
    """One command's help page from what typer printed for it."""
    (usage, usage_style), *rest = printed
    assert isinstance(usage, Padding), usage
    assert usage_style == rich_utils.STYLE_USAGE_COMMAND, usage_style
    path = ctx.command_path
    assert path == PROG or path.startswith(PROG + " "), path
    pieces = " ".join(obj.collect_usage_pieces(ctx))
    line = usage.renderable
    assert isinstance(line, Text), line
    assert line.plain == f"Usage: {path} {pieces}", (line.plain, pieces)  # when not wrapped
    assert ctx.terminal_width is None, path  # click's usage width: help_render's
    assert ctx.max_content_width is None, path
    page: dict[str, Any] = {"usage": pieces, "help": None, "panels": [], "epilog": None}
    for renderable, style in rest:
        assert style is None, renderable
        if isinstance(renderable, Panel):
            page["panels"].append(_panel(renderable))
            continue
        assert isinstance(renderable, Padding), renderable
        assert isinstance(renderable.renderable, Align), renderable
        inner = renderable.renderable.renderable
        if isinstance(inner, Group):  # the help text, before the panels
            assert page["help"] is None, path
            assert not page["panels"], path
            page["help"] = [text_data(_a_text(item)) for item in inner.renderables]
        else:  # the epilog, after them
            assert page["epilog"] is None, path
            page["epilog"] = text_data(_a_text(inner))
    return page


@contextlib.contextmanager
def _recording(pages: dict[str, Any]) -> Iterator[None]:
    original = rich_utils.rich_format_help

    def record(*, obj: Any, ctx: Any, markup_mode: Any) -> None:
        recorder = _Recorder()
        consoles = rich_utils._get_rich_console
        rich_utils._get_rich_console = lambda stderr=False: recorder  # type: ignore[assignment,return-value]
        try:
            original(obj=obj, ctx=ctx, markup_mode=markup_mode)
        finally:
            rich_utils._get_rich_console = consoles
        pages["last"] = _page(obj, ctx, recorder.printed)

    rich_utils.rich_format_help = record
    try:
        yield
    finally:
        rich_utils.rich_format_help = original


def _run(command: Any, args: list[str]) -> tuple[object, str]:
    """Run ``covenant ARGS`` as ``main`` does (not standalone); its outcome and its output."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            outcome: object = command.main(args=args, prog_name=PROG, standalone_mode=False)
        except click_exceptions.NoArgsIsHelpError:
            outcome = "no-args-is-help"
    return outcome, out.getvalue()


def generate() -> dict[str, Any]:
    """The help of every command and group of the full application, as ``help_render`` reads
    it: ``{"layout", "typer", "rich", "pages": {"ingest events": page, …}}``; a page's
    ``bare`` is true for a group (and the top level) whose name alone shows its help."""
    from covenant.cli import help_render
    from covenant.cli.main import build_app

    if not help_render.setting_reproduced():  # TYPER_… set, or typer's messages translated
        raise RuntimeError("write the help model where help_render would print it (no TYPER_…)")
    command = typer.main.get_command(build_app())
    pages: dict[str, Any] = {}
    found: dict[str, Any] = {}

    def walk(sub: Any, path: list[str]) -> None:
        with _recording(found):
            outcome, out = _run(command, [*path, "--help"])
            assert outcome == 0, (path, outcome)
            assert out == "\n", (path, out)  # help, then click echoes the empty help string
            page = found.pop("last")
            bare = bool(getattr(sub, "no_args_is_help", False))
            if isinstance(sub, typer.core.TyperGroup):  # a word after it is a command's name
                assert not any(isinstance(p, typer.core.TyperArgument) for p in sub.params), path
            if bare:  # the name alone shows the same page, without the final empty line
                outcome, out = _run(command, path)
                assert outcome == "no-args-is-help", (path, outcome)
                assert out == "", (path, out)
                assert found.pop("last") == page, path
        page["bare"] = bare
        pages[" ".join(path)] = page
        for name, child in getattr(sub, "commands", {}).items():
            walk(child, [*path, name])

    walk(command, [])
    return {"layout": LAYOUT, "typer": version("typer"), "rich": version("rich"), "pages": pages}


def dumps(model: dict[str, Any]) -> str:
    """The file's text, JSON: the versions on the first line, then one page a line (a changed
    command shows as a changed line; ``help_render`` parses only the page it prints)."""
    head = json.dumps({key: model[key] for key in ("layout", "typer", "rich")})
    lines = [head.removesuffix("}") + ', "pages": {']
    pages = model["pages"]
    for at, (name, page) in enumerate(pages.items()):
        comma = "," if at < len(pages) - 1 else ""
        lines.append(f"{json.dumps(name)}: {json.dumps(page, ensure_ascii=False)}{comma}")
    lines.append("}}")
    return "\n".join(lines) + "\n"


def model_path() -> Path:
    return Path(__file__).with_name(MODEL_FILE)


def main(argv: Sequence[str]) -> int:
    text = dumps(generate())
    if list(argv) == ["--write"]:
        model_path().write_text(text, encoding="utf-8")
        print(f"wrote {model_path()}")
        return 0
    if list(argv) == ["--check"]:
        if model_path().read_text(encoding="utf-8") == text:
            return 0
        print(f"{model_path().name} is out of date: run `{REGENERATE}`", file=sys.stderr)
        return 1
    print("usage: python -m covenant.cli.help_model --write | --check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
