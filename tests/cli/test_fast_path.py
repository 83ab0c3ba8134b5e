"""``covenant evaluate`` read without typer (``cli.fast``) prints and exits exactly as typer does.

Each command line runs twice as a real ``covenant`` process: first with the fast path switched
off (typer reads it, and the definitions are loaded in full, then cached), then as installed
(the fast path, from the cache where it applies). Standard output, standard error and the exit
code must be the same, and the probe says whether the typer application was built, so a line
the fast path was meant to run that fell back to typer is noticed too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.fast import read_evaluate
from covenant.cli.main import app

AT = "2026-10-01T01:00:00Z"

PROBE = """
import atexit, os, sys
def report():
    with open(os.environ["PROBE_OUT"], "w") as out:
        out.write("typer" if "covenant.cli.app" in sys.modules else "fast")
atexit.register(report)
sys.argv = ["covenant", *sys.argv[1:]]
import covenant.cli.help_render  # `evaluate --help` from typer here (test_help_render.py: not)
covenant.cli.help_render.page_for = lambda args: None
if os.environ.get("PROBE_TYPER"):
    import covenant.cli.fast
    covenant.cli.fast.run = lambda args: None
from covenant.cli.main import main
main()
"""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The starter workspace with its sample events: one SLO breached, one without data."""
    ws = tmp_path_factory.mktemp("fast") / "ws"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(ws)]).exit_code == 0
    events = ws / "events" / "sample.csv"
    assert runner.invoke(app, ["ingest", "events", str(events), "-w", str(ws)]).exit_code == 0
    return ws


def run(args: list[str], *, typer: bool, env: dict[str, str], tmp: Path) -> tuple[object, ...]:
    probe = tmp / "probe.txt"
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("COVENANT_")},
        "COLUMNS": "100",
        "COVENANT_HELP_CACHE": "0",  # `evaluate --help` is typer's, not the help cache's
        "PROBE_OUT": str(probe),
        **({"PROBE_TYPER": "1"} if typer else {}),
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "evaluate", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr, probe.read_text()


def cases(ws: Path, tmp: Path) -> list[tuple[list[str], dict[str, str], bool]]:
    """(arguments, environment, read by the fast path)."""
    broken = tmp / "broken"
    broken.mkdir(exist_ok=True)
    (broken / "slo.yaml").write_text("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\n")
    a_file = tmp / "file.txt"
    a_file.write_text("not a folder")
    bare = tmp / "bare"  # definitions, no store yet
    bare.mkdir(exist_ok=True)
    shutil.copy(ws / "slos.yaml", bare / "slos.yaml")
    w = str(ws)
    return [
        (["-w", str(bare), "--at", AT, "-f", "json"], {}, True),
        (["-w", w, "--at", AT, "--format", "json"], {}, True),
        (["-w", w, "--at", AT], {}, True),
        ([f"--workspace={w}", f"--at={AT}", "-f", "json", "--check"], {}, True),
        (["-w", w, "--at", AT, "--slo", "chekout-availability", "--check"], {}, True),
        (["-w", w, "--at", AT, "--status", "no-data", "--wide", "--status", "ok"], {}, True),
        (["--at", AT, "-f", "json"], {"COVENANT_WORKSPACE": w}, True),
        (["-w", w, "--at", AT, "--no-read", "-f", "json"], {}, True),
        (["-w", w, "--at", AT, "--read"], {}, True),
        (["-w", w, "--at", AT, "--read=yes"], {}, False),
        (["-w", str(tmp / "missing"), "--at", AT], {}, False),  # typer names it (exit 2)
        (["-w", str(broken), "--at", AT], {}, True),
        (["-w", w, "--at", "yesterday"], {}, False),
        (["-w", w, "--at", AT, "--status", "bogus"], {}, False),
        (["-w", w, "--format", "yaml"], {}, False),
        (["-w", w, "--bogus"], {}, False),
        (["-w", str(a_file)], {}, False),
        (["-w", w, "--at"], {}, False),
        (["--help"], {}, False),
        # a bad clock is a coded usage error printed once, wherever it is read first
        (["-w", w], {"COVENANT_NOW": "tomorrow"}, True),
    ]


def test_the_fast_path_prints_and_exits_as_typer_does(workspace: Path, tmp_path: Path) -> None:
    fast_ran = 0
    codes = set()
    for args, env, fast in cases(workspace, tmp_path):
        slow = run(args, typer=True, env=env, tmp=tmp_path)
        quick = run(args, typer=False, env=env, tmp=tmp_path)
        assert slow[:3] == quick[:3], args
        assert slow[3] == "typer", args
        assert quick[3] == ("fast" if fast else "typer"), args
        fast_ran += fast
        codes.add(quick[0])
    assert fast_ran == 11
    assert codes == {0, 1, 2, 3, 4}  # every exit is compared


@pytest.mark.parametrize(
    ("args", "read"),
    [
        (["-w", ".", "--at", "now"], True),
        (["--check", "--wide", "--slo", "a", "--slo", "b"], True),
        (["--format=json", "--format", "table"], True),  # the last one counts, as in typer
        (["--slo", "--check"], True),  # a value may start with a dash, as in typer
        (["-w=."], False),  # typer reads "=." as the folder
        (["-wx"], False),
        (["-fjson"], False),
        (["--", "x"], False),
        (["extra"], False),
        (["--check=yes"], False),
        (["--format", "JSON"], False),
        (["--workspace="], False),
        (["-h"], False),
        (["--slo"], False),
        (["--no-read=1"], False),
    ],
)
def test_what_the_fast_path_reads(args: list[str], read: bool) -> None:
    assert (read_evaluate(args, {}) is not None) is read


def test_options_as_typer_passes_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the folders exist: typer reports one that does not (exit 2)
    for folder in ("ws", "mine"):
        (tmp_path / folder).mkdir()
    assert read_evaluate(["-w", "missing"], {}) is None
    line = read_evaluate(
        ["--slo", "a", "--format=json", "--slo", "b", "--at", "-7d", "-f", "table"],
        {"COVENANT_WORKSPACE": "ws"},
    )
    assert line is not None
    assert (line.workspace, line.at, line.output, line.check, line.wide) == (
        "ws",
        "-7d",
        "table",
        False,
        False,
    )
    assert line.repeated == {"slo": ["a", "b"]}
    assert line.read is None  # the default: catch up what was read before
    reads = [read_evaluate([flag], {}) for flag in ("--read", "--no-read")]
    assert [r.read if r else "typer" for r in reads] == [True, False]
    given = read_evaluate(["-w", "mine"], {"COVENANT_WORKSPACE": "ws"})
    assert given is not None
    assert given.workspace == "mine"
    empty_env = read_evaluate([], {"COVENANT_WORKSPACE": ""})
    assert empty_env is not None
    assert empty_env.workspace == "."
