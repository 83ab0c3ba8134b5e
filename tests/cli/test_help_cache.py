"""``covenant … --help`` and ``--version`` from the help cache print what typer prints.

A child interpreter runs ``main()`` for every help command line of the full application three
times, with standard output a pipe or an 80-column terminal (a pseudo-terminal), in colour or
with ``NO_COLOR``: typer with the cache off (written straight to the stream, no recording), then
with the cache on and empty (typer runs and its output is kept), then again (the stored text,
without typer: the probe replaces the typer application by one that fails). The three must be
byte for byte the same, and a setting must not be answered from another setting's file. Then a
command is added to (and a help text edited in) a copy of the package: the next help must be
typer's new one, not the stored page. (The probe turns ``cli.help_render`` off, so that typer
renders every miss; tests/cli/test_help_render.py compares that renderer with typer.)
"""

from __future__ import annotations

import fcntl
import gettext
import json
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
import typer.main

from covenant.cli import help_cache
from covenant.cli.commands import COMMANDS, GROUPS, asks_for_help
from covenant.cli.main import build_app

SEPARATOR = b"\x1e"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
COLOUR = re.compile(rb"\x1b\[(?:[0-9]+;)*(?:3[0-8]|9[0-7])(?:;[0-9]+)*m")  # not bold or dim

PROBE = """
import json, os, sys
from covenant.cli import help_render, main as m
help_render.page_for = lambda args: None  # typer renders each miss (test_help_render.py: not)
lines = json.loads(open(os.environ["PROBE_ARGS"]).read())
typer_runs = []
real_build = m.build_app
def counting(*args, **kwargs):
    typer_runs.append(1)
    return real_build(*args, **kwargs)
m.build_app = counting
def once(args, cache):
    os.environ["COVENANT_HELP_CACHE"] = "1" if cache else "0"
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
report = [[once(args, False), once(args, True), once(args, True)] for args in lines]
import covenant
print(json.dumps({"runs": report, "package": covenant.__file__}), file=sys.stderr)
"""

SOURCE = str(Path(help_cache.__file__).parents[2])  # the folder the tested covenant is in
CLEAN = {  # what decides width and colour: set by each setting, nothing inherited
    *help_cache.ENVIRONMENT,
    "COVENANT_HELP_CACHE",
    "_TYPER_FORCE_DISABLE_TERMINAL",
}


def help_lines() -> list[list[str]]:
    """``--help`` of the top level, every group and every command, and the version."""
    found: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        found.append([*path, "--help"])
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(build_app()), [])
    return [*found, ["--version"], ["-V"], [], *([group] for group in GROUPS)]


def environment(
    cache: Path, extra: dict[str, str], pythonpath: str | None = None
) -> dict[str, str]:
    """The child's environment: the cache in ``cache``, the code under test (this checkout's,
    or ``pythonpath``) first on its path."""
    env = {k: v for k, v in os.environ.items() if k not in CLEAN and k != "PYTHONPATH"}
    env.update({"XDG_CACHE_HOME": str(cache), "LANG": "C.UTF-8", **extra})
    env["PYTHONPATH"] = pythonpath or SOURCE
    return env


def on_terminal(
    command: list[str], env: dict[str, str], cwd: Path, columns: int
) -> tuple[bytes, str]:
    """Run ``command`` with standard output an ``columns``-wide pseudo-terminal."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    with subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE, env=env, cwd=cwd
    ) as child:
        os.close(slave)
        chunks, deadline = [], time.monotonic() + 300
        try:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 1.0)
                if not ready:
                    if child.poll() is not None:
                        break
                    continue
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
        finally:
            os.close(master)
        assert child.stderr is not None
        err = child.stderr.read().decode()
        assert child.wait(timeout=60) == 0, err
    return b"".join(chunks), err


def probe(
    lines: list[list[str]],
    tmp: Path,
    *,
    terminal: int | None,
    extra: dict[str, str],
    pythonpath: str | None = None,
) -> tuple[list[bytes], dict[str, object]]:
    """The outputs (three per line) and the probe's report of one setting."""
    (tmp / "args.json").write_text(json.dumps(lines), encoding="utf-8")
    env = environment(tmp / "cache", {"PROBE_ARGS": str(tmp / "args.json"), **extra}, pythonpath)
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
    report: dict[str, object] = json.loads(err.strip().splitlines()[-1])
    assert len(parts[:-1]) == 3 * len(lines)
    return parts[:-1], report


def check_setting(lines: list[list[str]], outputs: list[bytes], report: dict[str, object]) -> None:
    runs = report["runs"]
    assert isinstance(runs, list)
    for index, (args, (plain, miss, hit)) in enumerate(zip(lines, runs, strict=True)):
        typer_text, recorded, served = outputs[3 * index : 3 * index + 3]
        assert typer_text, args
        assert recorded == typer_text, args
        assert served == typer_text, args
        # typer ran for the first two, the third came from the cache; all exit the same way:
        # 0, or 2 for no command at all or a group alone (typer shows the help)
        code = 0 if args and args[-1].startswith("-") else 2
        assert [plain, miss, hit] == [[code, True], [code, True], [code, False]], args


SETTINGS = {  # name: (terminal columns or None for a pipe, environment)
    "pipe": (None, {}),
    "terminal, 80 columns, colour": (80, {"TERM": "xterm-256color"}),
    "terminal, 80 columns, NO_COLOR": (80, {"TERM": "xterm-256color", "NO_COLOR": "1"}),
    "pipe, COLUMNS=120, FORCE_COLOR": (None, {"COLUMNS": "120", "FORCE_COLOR": "1"}),
}


def widest(text: bytes) -> int:
    return max(len(ANSI.sub("", line.rstrip("\r"))) for line in text.decode().split("\n"))


def test_every_help_from_the_cache_is_typers_own(tmp_path: Path) -> None:
    """One cache folder for all settings: each setting misses first (its own file), then hits."""
    lines = help_lines()
    assert len(lines) > 40  # every command and group, not an empty walk
    assert (tmp_path / "cache").mkdir() is None
    top = lines.index(["--help"])
    for name, (terminal, extra) in SETTINGS.items():
        outputs, report = probe(lines, tmp_path, terminal=terminal, extra=extra)
        check_setting(lines, outputs, report)
        page = outputs[3 * top]
        colour = COLOUR.search(page) is not None
        assert colour is (name.endswith("colour") or "FORCE_COLOR" in name), name
        assert widest(page) == (120 if "120" in name else 80), name
        assert b"\r\n" in page if terminal else b"\r\n" not in page, name
    stored = list((tmp_path / "cache" / "covenant" / "help").iterdir())
    assert len(stored) == 1  # one fingerprint …
    assert len(list(stored[0].iterdir())) == len(SETTINGS) * len(lines)  # … a file per page


def test_a_changed_command_is_not_served_from_the_cache(tmp_path: Path) -> None:
    """Adding a command (a bigger file) or editing a help text in place (the same size) is
    noticed: typer renders again, and the new page is then what the cache serves."""
    package = tmp_path / "code" / "covenant"
    shutil.copytree(
        Path(help_cache.__file__).parent.parent,
        package,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (tmp_path / "cache").mkdir()
    lines = [["--help"], ["explain", "--help"]]
    code = str(tmp_path / "code")

    def run() -> list[bytes]:
        outputs, report = probe(lines, tmp_path, terminal=None, extra={}, pythonpath=code)
        assert str(report["package"]).startswith(code)  # the copy ran, not the checkout
        check_setting(lines, outputs, report)
        return outputs

    before = run()
    assert b"hello" not in before[0]

    commands = package / "cli" / "explain_cmds.py"
    text = commands.read_text(encoding="utf-8")
    commands.write_text(
        text + "\n\n_register = register\n\n\ndef register(app: typer.Typer) -> None:\n"
        "    _register(app)\n\n    @app.command('hello')\n    def hello() -> None:\n"
        '        """Say hello to a new command."""\n',
        encoding="utf-8",
    )
    added = run()
    assert b"Say hello to a new command" in added[0]

    old = "Explain an error or problem code"
    new = "Explain an error or problem CODE"
    edited_text = commands.read_text(encoding="utf-8")
    assert edited_text.count(old) == 1
    size = commands.stat().st_size
    commands.write_text(edited_text.replace(old, new), encoding="utf-8")
    assert commands.stat().st_size == size  # only the time of the change tells
    edited = run()
    assert new.encode() in edited[3]
    assert old.encode() not in edited[3]
    # the stale folders are gone: one fingerprint remains
    assert len(list((tmp_path / "cache" / "covenant" / "help").iterdir())) == 1


ENV_READ = re.compile(r"""(?:environ\.get|getenv|environ\[)\(?\s*["']([A-Za-z_][A-Za-z0-9_]*)""")
NOT_FOR_HELP = {  # read by typer, and why they need not name a stored page
    "COMP_WORDS",  # shell completion: main never uses the cache while completing
    "COMP_CWORD",
    "PYDANTIC_DISABLE_PLUGINS",  # main sets it before anything runs
}


@pytest.mark.parametrize("library", ["rich", "typer"])
def test_the_key_names_every_variable_the_renderer_reads(library: str) -> None:
    """Every environment variable rich and typer read is part of a stored page's name, so a
    new one in an upgrade fails here rather than serving another setting's page."""
    root = Path(__import__(library).__file__).parent
    names = {
        name
        for source in root.rglob("*.py")
        for name in ENV_READ.findall(source.read_text(encoding="utf-8"))
    }
    assert {"COLUMNS", "TERMINAL_WIDTH"} & names  # the scan finds what it looks for
    missing = {
        name
        for name in names - NOT_FOR_HELP
        if name not in help_cache.ENVIRONMENT and not name.startswith(help_cache.PREFIXES)
    }
    assert missing == set()


def test_the_key_names_the_locale_gettext_reads() -> None:
    source = Path(gettext.__file__).read_text(encoding="utf-8")
    assert "('LANGUAGE', 'LC_ALL', 'LC_MESSAGES', 'LANG')" in source
    assert {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"} <= help_cache.ENVIRONMENT


MAIN_PROBE = """
import json, sys
sys.argv = ["covenant", *{args!r}]
from covenant.cli.main import main
try:
    main()
except SystemExit as exit:
    code = exit.code
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & {{"typer", "rich", "click"}})
print(json.dumps({{"code": code, "heavy": heavy}}), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--help"], ["ingest", "events", "--help"], ["--version"]])
def test_a_stored_page_is_printed_without_typer_or_rich(tmp_path: Path, args: list[str]) -> None:
    env = environment(tmp_path / "cache", {"COVENANT_HELP_CACHE": "1"})
    (tmp_path / "cwd").mkdir()
    found = []
    for _ in range(2):  # (a folder of its own to run in: `python -c` puts it on sys.path)
        done = subprocess.run(
            [sys.executable, "-c", MAIN_PROBE.format(args=args)],
            capture_output=True,
            env=env,
            cwd=tmp_path / "cwd",
            timeout=120,
            check=True,
        )
        found.append((done.stdout, json.loads(done.stderr.decode().splitlines()[-1])))
    (first, cold), (second, warm) = found
    # a miss: help from cli.help_render (rich, no typer), the version from typer
    assert cold == {"code": 0, "heavy": ["typer"] if args == ["--version"] else ["rich"]}
    assert warm == {"code": 0, "heavy": []}
    assert first == second


@pytest.mark.parametrize(
    ("args", "asks"),
    [
        (["--help"], True),
        (["ingest", "events", "--help"], True),
        (["--version"], True),
        (["-V"], True),
        (["evaluate", "-w", "ws", "--help"], True),  # options before --help: kept if help
        (["evaluate", "-w", "ws", "--format", "json", "--slo", "a", "--help"], True),
        (["evaluate", "--help", "--wide"], False),
        (["--version", "--help"], True),  # typer prints the version: not kept (no Usage)
        (["../x", "-w", "ws", "--help"], False),
        (["a", "b", "c", "d", "e", "-w", "ws", "--help"], False),
        (["evaluate", *["-w", "ws"] * 8, "--help"], False),  # more than 16 words
        ([], True),  # typer prints the help (exit 2)
        (["ingest"], True),  # a group alone: its help (exit 2)
        (["evaluate"], False),  # runs the evaluation
        (["explain"], False),
        (["a", "b", "c", "d", "e", "--help"], False),
        (["../x", "--help"], False),
    ],
)
def test_which_command_lines_the_cache_may_answer(args: list[str], asks: bool) -> None:
    assert asks_for_help(args) is asks


def test_a_failing_command_line_is_not_stored(tmp_path: Path) -> None:
    """`covenant evalute --help` is typer's usage error (exit 2): nothing is kept."""
    env = environment(tmp_path, {"COVENANT_HELP_CACHE": "1"})
    command = [sys.executable, "-c", MAIN_PROBE.format(args=["evalute", "--help"])]
    done = subprocess.run(
        command, capture_output=True, env=env, cwd=tmp_path, timeout=120, check=False
    )
    assert json.loads(done.stderr.decode().splitlines()[-1])["code"] == 2
    folders = list((tmp_path / "covenant" / "help").glob("*"))
    assert [list(f.iterdir()) for f in folders] in ([], [[]])


def test_the_groups_are_groups_of_the_application() -> None:
    """Every name in ``GROUPS`` (answered from the cache when alone) is a top-level group: a
    command there would be run through the cache's recording. A group missing from it is only
    not answered from the cache (typer prints its help, as before)."""
    full = build_app()
    groups = {g.name for g in full.registered_groups}
    assert set(GROUPS) <= groups
    assert len(GROUPS) >= 14  # the groups there were when the cache was written
    assert set(GROUPS) < set(COMMANDS)


def test_shell_completion_is_never_answered_from_the_cache(tmp_path: Path) -> None:
    """While the shell completes `covenant <TAB>` the command line is empty, as for help: the
    completions are typer's each time, and nothing is stored."""
    env = environment(
        tmp_path / "cache",
        {
            "COVENANT_HELP_CACHE": "1",
            "_COVENANT_COMPLETE": "complete_bash",
            "COMP_WORDS": "covenant ",
            "COMP_CWORD": "1",
        },
    )
    (tmp_path / "cwd").mkdir()
    outputs = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", MAIN_PROBE.format(args=[])],
            capture_output=True,
            env=env,
            cwd=tmp_path / "cwd",
            timeout=120,
            check=True,
        )
        outputs.append(done.stdout.decode())
        assert json.loads(done.stderr.decode().splitlines()[-1])["heavy"] == ["typer"]
    assert outputs[0] == outputs[1]
    assert set(outputs[0].split()) >= {"evaluate", "ingest", "explain"}  # the commands
    assert "Usage" not in outputs[0]
    assert not (tmp_path / "cache").exists()
