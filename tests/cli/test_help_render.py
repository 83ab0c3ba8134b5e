"""``covenant … --help`` from ``cli.help_render`` (no typer) prints what typer prints.

The committed ``help_model.json`` must be what ``cli.help_model`` writes from the application
today. Then a child interpreter runs ``main()`` for the help of every command and group (and
the top level and each group alone, which typer answers with help and exit 2) twice, the help
cache off: once with the renderer turned off (typer prints), once with it. The two outputs and
exit codes must be byte for byte the same, on a pipe and on pseudo-terminals of several
widths, in colour, without (``NO_COLOR``, ``TERM=dumb``) and forced (``FORCE_COLOR``,
``PY_COLORS``, ``TERMINAL_WIDTH``), and typer must not have run for the second.
"""

from __future__ import annotations

import gettext
import json
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
import typer.main
from typer import rich_utils
from typer._click.utils import _detect_program_name

from covenant.cli import help_model, help_render
from covenant.cli.main import build_app
from tests.cli.test_help_cache import ANSI, SEPARATOR, environment, help_lines, on_terminal

PROBE = """
import json, os, sys
from covenant.cli import help_render, main as m
lines = json.loads(open(os.environ["PROBE_ARGS"]).read())
typer_runs = []
real_build, real_page_for = m.build_app, help_render.page_for
def counting(*args, **kwargs):
    typer_runs.append(1)
    return real_build(*args, **kwargs)
m.build_app = counting
def once(args, fast):
    help_render.page_for = real_page_for if fast else (lambda args: None)
    sys.argv = ["covenant", *args]
    before = len(typer_runs)
    try:
        m.main()
    except SystemExit as exit:
        code = exit.code
    else:
        code = "returned"
    sys.stdout.flush()
    os.write(1, b"\\x1e")
    return [code, len(typer_runs) > before]
report = [[once(args, False), once(args, True)] for args in lines]
print(json.dumps(report), file=sys.stderr)
"""

COLOUR = {"TERM": "xterm-256color"}
SETTINGS = {  # name: (terminal columns or None for a pipe, environment)
    "pipe": (None, {}),
    "terminal, 80 columns, colour": (80, COLOUR),
    "terminal, 80 columns, NO_COLOR": (80, {**COLOUR, "NO_COLOR": "1"}),
    "terminal, 120 columns, truecolor": (120, {**COLOUR, "COLORTERM": "truecolor"}),
    "terminal, 200 columns": (200, COLOUR),
    "terminal, 40 columns": (40, COLOUR),  # click wraps a long usage line: typer prints it
    "terminal, TERM=dumb": (80, {"TERM": "dumb"}),
    "pipe, FORCE_COLOR": (None, {"FORCE_COLOR": "1"}),
    "pipe, PY_COLORS, TERMINAL_WIDTH=100": (None, {"PY_COLORS": "1", "TERMINAL_WIDTH": "100"}),
    "pipe, COLUMNS=60, FORCE_COLOR, _TYPER_FORCE_DISABLE_TERMINAL": (
        None,
        {"COLUMNS": "60", "FORCE_COLOR": "1", "_TYPER_FORCE_DISABLE_TERMINAL": "1"},
    ),
}
NARROW_USAGE = 50  # click's usage line is never narrower: a longer one wraps on 40 columns


def test_the_committed_help_model_is_todays() -> None:
    committed = help_model.model_path().read_text(encoding="utf-8")
    fresh = help_model.dumps(help_model.generate())
    assert committed == fresh, (
        f"{help_render.MODEL_FILE} is out of date (a command's help changed, or typer or rich "
        f"was upgraded): run `{help_model.REGENERATE}` and commit it"
    )


def test_the_renderer_uses_typers_settings() -> None:
    """The console, highlighter and table settings help_render copies from typer.rich_utils."""
    assert help_render.THEME == {
        "option": rich_utils.STYLE_OPTION,
        "switch": rich_utils.STYLE_SWITCH,
        "negative_option": rich_utils.STYLE_NEGATIVE_OPTION,
        "negative_switch": rich_utils.STYLE_NEGATIVE_SWITCH,
        "types": rich_utils.STYLE_TYPES,
        "types_sep": rich_utils.STYLE_TYPES_SEPARATOR,
        "usage": rich_utils.STYLE_USAGE,
    }
    assert rich_utils.OptionHighlighter.highlights == help_render.HIGHLIGHTS
    assert help_render.STYLE_USAGE_COMMAND == rich_utils.STYLE_USAGE_COMMAND
    assert help_render.STYLE_PANEL_BORDER == rich_utils.STYLE_OPTIONS_PANEL_BORDER
    assert help_render.STYLE_PANEL_BORDER == rich_utils.STYLE_COMMANDS_PANEL_BORDER
    assert help_render.ALIGN_PANEL == rich_utils.ALIGN_OPTIONS_PANEL
    assert help_render.ALIGN_PANEL == rich_utils.ALIGN_COMMANDS_PANEL
    assert help_render.STYLE_COMMANDS_FIRST_COLUMN == rich_utils.STYLE_COMMANDS_TABLE_FIRST_COLUMN
    assert help_render.TABLE_PADDING == rich_utils.STYLE_OPTIONS_TABLE_PADDING
    assert help_render.TABLE_PADDING == rich_utils.STYLE_COMMANDS_TABLE_PADDING
    assert rich_utils.STYLE_OPTIONS_TABLE_BOX == rich_utils.STYLE_COMMANDS_TABLE_BOX == ""
    assert rich_utils.COLOR_SYSTEM == "auto"


def probe(lines: list[list[str]], tmp: Path, *, terminal: int | None, extra: dict[str, str]):
    """Typer's output and the renderer's (two per line), and the exit codes and typer runs."""
    (tmp / "args.json").write_text(json.dumps(lines), encoding="utf-8")
    env = environment(
        tmp / "cache", {"PROBE_ARGS": str(tmp / "args.json"), "COVENANT_HELP_CACHE": "0", **extra}
    )
    command = [sys.executable, "-c", PROBE]
    cwd = tmp / "cwd"
    cwd.mkdir(exist_ok=True)
    if terminal is None:
        done = subprocess.run(
            command, capture_output=True, env=env, cwd=cwd, timeout=300, check=False
        )
        assert done.returncode == 0, done.stderr.decode()
        out, err = done.stdout, done.stderr.decode()
    else:
        out, err = on_terminal(command, env, cwd, terminal)
    parts = out.split(SEPARATOR)
    assert parts[-1] == b""
    assert len(parts) - 1 == 2 * len(lines)
    return parts[:-1], json.loads(err.strip().splitlines()[-1])


def usage_length(args: list[str], page: bytes) -> int:
    """The width click needs to write the usage line of a help page typer printed on a pipe
    (80 columns) on one line: all of it, and at least 20 beyond ``Usage: PROGRAM WORD… ``."""
    text = ANSI.sub("", page.decode())
    usage = next(line for line in text.split("\n") if line.strip().startswith("Usage:"))
    words = [word for word in args if word != "--help"]
    prefix = " ".join(["Usage:", "covenant", *words, ""])
    assert usage.strip().startswith(prefix)
    return max(len(usage.strip()), len(prefix) + 20)


@pytest.fixture(scope="module")
def lines() -> list[list[str]]:
    found = [args for args in help_lines() if args not in (["--version"], ["-V"])]
    assert len(found) > 60  # every command and group, alone and with --help
    return found


@pytest.fixture(scope="module")
def usage_lengths(lines: list[list[str]], tmp_path_factory: pytest.TempPathFactory) -> list[int]:
    outputs, _ = probe(lines, tmp_path_factory.mktemp("usage"), terminal=None, extra={})
    return [usage_length(args, page) for args, page in zip(lines, outputs[::2], strict=True)]


@pytest.mark.parametrize("setting", SETTINGS)
def test_every_help_page_is_typers_own(
    setting: str, lines: list[list[str]], usage_lengths: list[int], tmp_path: Path
) -> None:
    terminal, extra = SETTINGS[setting]
    outputs, runs = probe(lines, tmp_path, terminal=terminal, extra=extra)
    fell_back = []
    for index, (args, ((typer_code, typer_ran), (code, ran))) in enumerate(
        zip(lines, runs, strict=True)
    ):
        typer_page, page = outputs[2 * index : 2 * index + 2]
        assert typer_page, args
        assert page == typer_page, (setting, args)
        # 0 for --help; 2 for no command at all or a group alone (typer shows the help)
        assert code == typer_code == (0 if args and args[-1].startswith("-") else 2), args
        assert typer_ran, args
        if ran:
            fell_back.append(args)
    if terminal == 40:  # click wraps a usage line on its narrowest (50): typer prints those
        wrapped = [a for a, n in zip(lines, usage_lengths, strict=True) if n > NARROW_USAGE]
        assert wrapped  # the setting tests something
        assert fell_back == wrapped
    else:
        assert fell_back == []


MAIN_PROBE = """
import json, sys
sys.argv = ["covenant", *{args!r}]
from covenant.cli.main import main
try:
    main()
except SystemExit as exit:
    code = exit.code
loaded = set(sys.modules)
heavy = sorted(name for name in {heavy!r} if name in loaded)
print(json.dumps({{"code": code, "heavy": heavy}}), file=sys.stderr)
"""
HEAVY = (  # what a help page printed without typer must not load
    "typer",
    "click",
    "pydantic",
    "rich.markdown",
    "markdown_it",
    "rich.traceback",
    "covenant.cli.app",
    "covenant.cli.help_model",
)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--help"], 0),
        (["evaluate", "--help"], 0),
        (["ingest", "events", "--help"], 0),
        ([], 2),
        (["agreements"], 2),
    ],
)
def test_a_help_miss_loads_neither_typer_nor_pydantic(
    args: list[str], code: int, tmp_path: Path
) -> None:
    """Printed without typer on a miss of the help cache, and kept by it: the next run prints
    the same bytes from the cache."""
    (tmp_path / "cwd").mkdir()
    found = []
    for cache in ("0", "1", "1"):
        done = subprocess.run(
            [sys.executable, "-c", MAIN_PROBE.format(args=args, heavy=HEAVY)],
            capture_output=True,
            env=environment(tmp_path / "cache", {"COVENANT_HELP_CACHE": cache}),
            cwd=tmp_path / "cwd",
            timeout=120,
            check=False,
        )
        found.append((done.stdout, json.loads(done.stderr.decode().splitlines()[-1])))
    (off, off_report), (miss, miss_report), (hit, hit_report) = found
    assert off_report == miss_report == hit_report == {"code": code, "heavy": []}
    assert b"Usage: covenant" in off
    assert off == miss == hit
    stored = list((tmp_path / "cache" / "covenant" / "help").glob("*/*"))
    assert len(stored) == 1  # the miss was kept


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["-V"],
        ["evaluate"],  # runs the evaluation
        ["explain"],  # a command alone is no help
        ["evaluate", "-w", "ws", "--help"],  # options before --help: typer reads them
        ["--version", "--help"],
        ["evalute", "--help"],  # typer's usage error
        ["explain", "E101", "--help"],  # an argument before --help
        ["ingest", "events", "extra", "--help"],
        ["ingest", "--help", "--help"],
    ],
)
def test_command_lines_typer_answers(args: list[str]) -> None:
    assert help_render.page_for(args) is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TYPER_USE_RICH", "0"),  # typer's plain help
        ("TYPER_USE_RICH", "1"),
        ("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1"),  # other completion options
        ("TERMINAL_WIDTH", "wide"),  # typer fails on it
    ],
)
def test_settings_typer_answers(name: str, value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert help_render.page_for(["evaluate", "--help"]) is not None
    monkeypatch.setenv(name, value)
    assert help_render.page_for(["evaluate", "--help"]) is None


def test_translated_messages_are_typers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A catalog for typer's and click's messages ("Options", "Show this message and exit.")
    in gettext's default folder, for the language asked for: typer prints the page."""
    locale = tmp_path / "share" / "locale"
    (locale / "de" / "LC_MESSAGES").mkdir(parents=True)
    monkeypatch.setattr(sys, "base_prefix", str(tmp_path))
    monkeypatch.setattr(gettext, "_default_localedir", str(locale))
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert help_render.page_for(["--help"]) is not None  # a folder, no catalog
    (locale / "fr" / "LC_MESSAGES").mkdir(parents=True)
    (locale / "fr" / "LC_MESSAGES" / "messages.mo").write_bytes(b"")
    assert gettext.find("messages") is not None
    assert help_render.page_for(["--help"]) is None


def test_another_typer_or_rich_is_typers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages written with one typer are not printed under another found first on sys.path."""
    assert help_render.page_for(["--help"]) is not None
    (tmp_path / "typer").mkdir()
    (tmp_path / "typer-0.0.1.dist-info").mkdir()
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    assert help_render.page_for(["--help"]) is None


def test_a_usage_line_click_would_wrap_is_typers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["/bin/" + "c" * 70])
    assert help_render.page_for(["--help"]) is None


@pytest.mark.parametrize(
    ("argv0", "package"),
    [
        ("/usr/bin/covenant", None),
        ("/usr/bin/covenant", ""),
        ("/src/covenant/__main__.py", "covenant"),
        ("/src/covenant/cli/main.py", "covenant.cli"),
    ],
)
def test_the_program_name_is_clicks(
    argv0: str, package: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    main = types.ModuleType("__main__")
    main.__package__ = package
    monkeypatch.setitem(sys.modules, "__main__", main)
    monkeypatch.setattr(sys, "argv", [argv0])
    assert help_render.program_name() == _detect_program_name(argv0, main)


def test_every_command_has_a_page() -> None:
    """The pages are the application's commands and groups (no other, none missing)."""
    names = set()

    def walk(command: object, path: list[str]) -> None:
        names.add(" ".join(path))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(build_app()), [])
    model = json.loads(help_model.model_path().read_text(encoding="utf-8"))
    assert set(model["pages"]) == names
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", model["typer"])
