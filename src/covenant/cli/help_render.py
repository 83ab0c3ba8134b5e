"""``covenant … --help`` printed without typer: the help page typer would print, from
``help_model.json`` and rich alone.

Importing typer costs more than a help page is worth: typer imports pydantic, its rich help
imports rich.markdown, markdown-it and rich.traceback, and the page needs every command
module built. ``cli.help_model`` ran typer's own help code for every command once and wrote
down what it prints (the text, styles and spans of every cell); here the same ``Panel``,
``Table`` and ``Padding`` objects are built from that, on a console made as typer's
``rich_utils._get_rich_console`` makes it (its theme and highlighter, ``TERMINAL_WIDTH``,
``FORCE_COLOR``/``PY_COLORS``/``GITHUB_ACTIONS``), and rich lays them out for the terminal at
hand as it would under typer. Of rich, only .console, .text, .table, .panel, .padding,
.align, .columns, .theme and .highlighter are imported (besides the standard library's json
and gettext): no typer, click, pydantic, rich.markdown or command module. After changing a
command, ``python -m covenant.cli.help_model --write`` (a test fails until then).

``main`` asks :func:`page_for` first (after the help cache): ``covenant --help``, ``covenant
WORD… --help`` of a command or group, ``covenant`` alone and a group alone (typer shows the
help and exits 2). Anything else returns None, and typer runs as always: options before
``--help``, an unknown command, a usage line that would wrap, a ``TYPER_…`` setting,
translations of typer's messages, another typer or rich than the file was made with, Windows.
tests/cli/test_help_render.py compares this output with typer's byte for byte for every
command, on pipes and terminals, in colour or not, at several widths.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, Literal, NoReturn

    from rich.console import Console
    from rich.text import Text

MODEL_FILE = "help_model.json"
LAYOUT = 1  # the layout of the file help_model writes; bump with a change of its shape
PROG = "covenant"  # the program name the file was made with
HELP = "--help"
USAGE_PREFIX = "Usage: "
USAGE_MIN_WIDTH = 50  # click's usage line is wrapped at max(min(columns, 80) - 2, 50)
USAGE_MAX_WIDTH = 80

# typer.rich_utils' settings (tests/cli/test_help_render.py compares them with typer's)
THEME = {
    "option": "bold cyan",
    "switch": "bold green",
    "negative_option": "bold magenta",
    "negative_switch": "bold red",
    "types": "bold yellow",
    "types_sep": "dim",
    "usage": "yellow",
}
HIGHLIGHTS = [  # typer.rich_utils.OptionHighlighter
    r"(^|\W)(?P<switch>\-\w+)(?![a-zA-Z0-9])",
    r"(^|\W)(?P<option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
    r"(?P<types>\<[^\>]+\>)",
    r"(?P<usage>Usage: )",
]
STYLE_USAGE_COMMAND = "bold"
STYLE_PANEL_BORDER = "dim"
STYLE_COMMANDS_FIRST_COLUMN = "bold cyan"
ALIGN_PANEL: Literal["left"] = "left"
TABLE_PADDING = (0, 1)
HELP_PADDING = (0, 1, 1, 1)
TYPER_VARIABLES = ("TYPER_", "_TYPER")  # typer settings this module does not reproduce …
FORCE_DISABLE_TERMINAL = "_TYPER_FORCE_DISABLE_TERMINAL"  # … but for this one


class Request:
    """A help page to print: the page, the command's words, and whether it is shown for a
    group named alone (exit 2, no final empty line) rather than for ``--help`` (exit 0)."""

    def __init__(self, page: dict[str, Any], words: Sequence[str], *, bare: bool) -> None:
        self.page = page
        self.words = list(words)
        self.bare = bare


def page_for(args: Sequence[str]) -> Request | None:
    """The page ``covenant ARGS`` shows, when this module prints it as typer would; None when
    typer should run (before anything is printed)."""
    if args and args[-1] == HELP:
        words, bare = list(args[:-1]), False
    elif len(args) <= 1:
        words, bare = list(args), True
    else:
        return None
    if any(word.startswith("-") for word in words) or not setting_reproduced():
        return None
    page = _page(" ".join(words))
    if page is None or (bare and not page["bare"]) or _usage_line(page, words) is None:
        return None
    return Request(page, words, bare=bare)


def setting_reproduced() -> bool:
    """Nothing in the environment makes typer print differently from what is rebuilt here."""
    if os.name == "nt" or sys.stdout is None or sys.stderr is None:
        return False
    for name in os.environ:
        if name.startswith(TYPER_VARIABLES) and name != FORCE_DISABLE_TERMINAL:
            return False
    if _max_width() == "invalid":  # typer fails on it: let it
        return False
    # typer's and click's messages go through gettext (domain "messages"): none translated.
    # Without gettext's default catalog folder there is nothing to look up (the usual case).
    if not os.path.isdir(os.path.join(sys.base_prefix, "share", "locale")):
        return True
    import gettext

    return gettext.find("messages") is None


def _max_width() -> int | str | None:
    value = os.environ.get("TERMINAL_WIDTH")
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return "invalid"


def _page(name: str) -> dict[str, Any] | None:
    """The page of ``covenant NAME`` (its words), when there is one made with the installed
    typer and rich. The file is JSON with a page a line (``help_model.dumps``): only the
    first line and the page's own are parsed."""
    import json

    try:
        with open(os.path.join(os.path.dirname(__file__), MODEL_FILE), encoding="utf-8") as file:
            head = json.loads(file.readline() + "}}")
            if head.get("layout") != LAYOUT:
                return None
            if not (_installed("typer", head["typer"]) and _installed("rich", head["rich"])):
                return None
            start = json.dumps(name) + ": "
            for line in file:
                if line.startswith(start):
                    page: dict[str, Any] = json.loads(line[len(start) :].rstrip().rstrip(","))
                    return page
    except (OSError, ValueError, KeyError, AttributeError):
        return None
    return None


def _installed(name: str, wanted: str) -> bool:
    """The package ``name`` that ``import`` finds first on ``sys.path`` is version ``wanted``."""
    for place in sys.path:
        folder = place or "."
        if os.path.isdir(os.path.join(folder, name)):
            return os.path.isdir(os.path.join(folder, f"{name}-{wanted}.dist-info"))
    return False


def program_name() -> str:
    """What click calls the program in its usage line (``click.utils._detect_program_name``)."""
    main = sys.modules.get("__main__")
    path = sys.argv[0] if sys.argv else ""
    package = getattr(main, "__package__", None)
    if package in (None, ""):
        return os.path.basename(path)
    module = str(package)
    name = os.path.splitext(os.path.basename(path))[0]
    if name != "__main__":
        module = f"{module}.{name}"
    return f"python -m {module.lstrip('.')}"


def _usage_line(page: dict[str, Any], words: Sequence[str]) -> str | None:
    """``Usage: covenant WORD… PIECES`` as click writes it, or None when click would wrap it
    (a long program name, a narrow terminal): typer prints that one."""
    path = " ".join([program_name(), *words]).lstrip()
    prefix = f"{USAGE_PREFIX}{path} "
    pieces: str = page["usage"]
    if not pieces or "\x1b" in prefix or any(c in pieces for c in "\t\n\r\x0b\x0c"):
        return None
    needed = max(len(prefix) + 20, len(prefix) + len(pieces))
    if needed > USAGE_MIN_WIDTH:  # fits at any width: no need to know the terminal's
        import shutil

        width = max(min(shutil.get_terminal_size().columns, USAGE_MAX_WIDTH) - 2, USAGE_MIN_WIDTH)
        if needed > width:
            return None
    return prefix + pieces


def show(request: Request) -> NoReturn:
    """Print the page and exit as typer does: 0 after ``--help`` (and an empty line), 2 for a
    group named alone; 130 on Ctrl-C (a reader of standard output that went away:
    ``cli.main``)."""
    try:
        _print(request)
        if not request.bare:  # click echoes the (empty) help string typer returns
            sys.stdout.write("\n")
            sys.stdout.flush()
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    raise SystemExit(2 if request.bare else 0)


def _print(request: Request) -> None:
    from rich.align import Align
    from rich.console import Group
    from rich.padding import Padding

    page = request.page
    console, highlighter = _console()
    usage = _usage_line(page, request.words)
    assert usage is not None  # page_for checked it
    console.print(Padding(highlighter(usage), 1), style=STYLE_USAGE_COMMAND)
    if page["help"] is not None:
        texts = [_text(item) for item in page["help"]]
        console.print(Padding(Align(Group(*texts, fit=True), pad=False), HELP_PADDING))
    for panel in page["panels"]:
        console.print(_panel(panel))
    if page["epilog"] is not None:
        console.print(Padding(Align(_text(page["epilog"]), pad=False), 1))


def _console() -> tuple[Console, Any]:
    """The console and highlighter typer's ``_get_rich_console`` makes."""
    from rich.console import Console
    from rich.highlighter import RegexHighlighter
    from rich.theme import Theme

    class OptionHighlighter(RegexHighlighter):
        highlights = HIGHLIGHTS

    env = os.environ
    force: bool | None = None
    if env.get("GITHUB_ACTIONS") or env.get("FORCE_COLOR") or env.get("PY_COLORS"):
        force = True
    if env.get(FORCE_DISABLE_TERMINAL):
        force = False
    width = _max_width()
    highlighter = OptionHighlighter()
    console = Console(
        theme=Theme(THEME),
        highlighter=highlighter,
        color_system="auto",
        force_terminal=force,
        width=width if isinstance(width, int) else None,
        stderr=False,
    )
    return console, highlighter


def _text(data: dict[str, Any]) -> Text:
    from rich.text import Span, Text

    return Text(
        data["text"],
        style=data.get("style", ""),
        justify=data.get("justify"),
        overflow=data.get("overflow"),
        no_wrap=data.get("no_wrap"),
        end=data.get("end", "\n"),
        tab_size=data.get("tab_size"),
        spans=[Span(start, end, style) for start, end, style in data.get("spans", ())],
    )


def _cell(data: Any) -> Any:
    if data is None or isinstance(data, str):
        return data
    if "columns" in data:
        from rich.columns import Columns

        return Columns([_text(item) for item in data["columns"]])
    return _text(data)


def _panel(data: dict[str, Any]) -> Any:
    """A panel of typer's ``_print_options_panel`` or ``_print_commands_panel``."""
    from rich.panel import Panel
    from rich.table import Table

    options = data["kind"] == "options"
    table = Table(
        highlight=options,
        show_header=False,
        expand=True,
        box=None,
        show_lines=False,
        leading=0,
        border_style=None,
        row_styles=None,
        pad_edge=False,
        padding=TABLE_PADDING,
    )
    if not options:
        table.add_column(style=STYLE_COMMANDS_FIRST_COLUMN, no_wrap=True, width=data["width"])
        table.add_column("Description", justify="left", no_wrap=False, ratio=10)
    for row in data["rows"]:
        table.add_row(*(_cell(cell) for cell in row))
    return Panel(
        table, border_style=STYLE_PANEL_BORDER, title=data["title"], title_align=ALIGN_PANEL
    )
