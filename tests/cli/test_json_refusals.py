"""A command line that asks for JSON (`-f json`) gets every refusal as one JSON document on
standard output: its own errors (exit 1), the coded usage errors (exit 2), the usage errors
Click reports — an unknown option, a missing argument, a value not among the choices — (exit 2,
`invalid-usage`) and Ctrl-C (exit 130, `interrupted`). Before, only the command's own errors of
`ingest` were on stdout; a usage error or a Ctrl-C left a script that parses stdout with
nothing. A command line that does not ask for JSON, or asks for it wrongly (`-f jsn`), keeps
its words on standard error and an empty stdout.

Every command runs in its own process (`python -m covenant`), the SIGINT is real."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from covenant.cli.jsonmode import asks_for_json
from covenant.services.store import open_store
from covenant.store import buckets
from tests.cli.test_interrupt_ingest import COMMAND, DAY, _batches, _events, _sha

BOUND = 120.0  # how long a wait for the other process lasts at most: a bound, not a timing


def _env() -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("COVENANT_")},
        "COVENANT_HELP_CACHE": "0",
        "COLUMNS": "200",
    }


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "covenant", *args],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=BOUND,
        check=False,
    )


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    done = _run(["init", "ws"], tmp_path)
    assert done.returncode == 0, done.stderr
    return tmp_path / "ws"


@pytest.mark.parametrize(
    ("args", "exit_code", "code", "message"),
    [
        (["evaluate", "-f", "json", "--bogus"], 2, "invalid-usage", "No such option: --bogus"),
        (["evaluate", "--bogus", "--format=json"], 2, "invalid-usage", "No such option: --bogus"),
        (["ingest", "events", "-fjson"], 2, "invalid-usage", "Missing argument 'files'."),
        (
            ["rules", "prometheus", "--format", "json"],  # json is not one of its formats
            2,
            "invalid-usage",
            "Invalid value for '--format' / '-f': Value error, 'json' is not one of 'rules', "
            "'prometheusrule'.",
        ),
        (  # -f table first, the last one counts as for Click
            ["suggest", "slo", "-f", "table", "-f", "json"],
            2,
            "invalid-usage",
            "Missing argument 'slo'.",
        ),
        (
            ["evaluate", "-f", "json", "--at", "yesterday"],
            2,
            "invalid-instant-option",
            "--at 'yesterday' is not an instant",
        ),
        (
            ["lint", "-f", "json", "--margin", "lots"],
            2,
            "invalid-option-value",
            "--margin 'lots' is not a number of percentage points",
        ),
        (["evaluate", "-f", "json", "-w", "nowhere"], 2, "invalid-workspace-option", None),
    ],
)
def test_a_refusal_is_json_on_stdout(
    ws: Path, args: list[str], exit_code: int, code: str, message: str | None
) -> None:
    done = _run(args, ws)
    assert done.returncode == exit_code, done.stderr
    document = json.loads(done.stdout)  # one document, nothing else
    assert list(document) == ["error"]
    assert document["error"]["code"] == code
    assert document["error"]["hint"]
    if message is not None:
        assert document["error"]["message"] == message
    assert done.stderr  # the words for a person stay on stderr
    assert "Traceback" not in done.stderr


def test_the_error_of_an_invalid_workspace_lists_its_problems(ws: Path) -> None:
    (ws / "broken.yaml").write_text("apiVersion: [\n", encoding="utf-8")
    done = _run(["evaluate", "-f", "json"], ws)
    assert done.returncode == 1, done.stderr
    error = json.loads(done.stdout)["error"]
    assert error["code"] == "invalid-definition"
    assert [(p["code"], p["where"]) for p in error["problems"]] == [
        ("yaml-syntax", "broken.yaml:2")
    ]


def test_an_ingest_refusal_is_still_one_document(ws: Path) -> None:
    (ws / "empty.csv").write_text("", encoding="utf-8")
    done = _run(["ingest", "events", "empty.csv", "-f", "json"], ws)
    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)  # the ingest's own document, no second one
    assert document["files"] == []
    assert document["error"]["file"] == "empty.csv"


@pytest.mark.parametrize(
    "args",
    [
        ["evaluate", "--bogus"],
        ["evaluate", "-f", "jsn"],  # a typo is no request for JSON
        ["evaluate", "-f", "JSON"],
        ["evaluate", "-f", "table", "--bogus"],
        ["evaluate", "-f", "json", "-f", "table", "--bogus"],
        ["evaluate", "--at", "yesterday"],
    ],
)
def test_without_json_a_refusal_is_words_on_stderr_only(ws: Path, args: list[str]) -> None:
    done = _run(args, ws)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("args", "asked"),
    [
        (["evaluate", "-f", "json"], True),
        (["evaluate", "--format", "json"], True),
        (["evaluate", "--format=json"], True),
        (["evaluate", "-fjson"], True),
        (["evaluate", "-f", "json", "-f", "table"], False),
        (["evaluate", "-f", "table", "--format=json"], True),
        (["evaluate", "-f"], False),
        (["evaluate", "-f", "JSON"], False),
        (["evaluate", "--", "-f", "json"], False),
        (["evaluate", "--formatx", "json"], False),
        (["evaluate", "json"], False),
    ],
)
def test_what_asks_for_json(args: list[str], asked: bool) -> None:
    assert asks_for_json(args) is asked


HOLD = """
import signal, sys, time
from pathlib import Path
signal.signal(signal.SIGINT, signal.default_int_handler)
import covenant.services.workspace as workspace
marker = Path(sys.argv[1])
def held(*args, **options):
    marker.write_text("held")
    while True:
        time.sleep(60)
workspace.load_workspace = workspace.load_for_evaluation = held
sys.argv = ["covenant", *sys.argv[2:]]
from covenant.cli.main import main
main()
"""
"""``covenant ARGS`` with Ctrl-C as at a terminal, held where the workspace is read (the
stand-in for a long command)."""


def _interrupted(script: str, marker: Path, args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run ``script`` on ``args``, wait for ``marker``, send SIGINT: exit code, stdout, stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(marker), *args],
        cwd=cwd,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + BOUND  # a wait for the other process, not a check
        while time.monotonic() < deadline and proc.poll() is None and not marker.exists():
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=BOUND)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, out, err


@pytest.mark.parametrize(
    "args",
    [
        ["exposure", "-f", "json"],  # a typer command
        ["evaluate", "-f", "json"],  # the fast evaluate, without typer
    ],
)
def test_ctrl_c_is_json_on_stdout(ws: Path, args: list[str]) -> None:
    code, out, err = _interrupted(HOLD, ws.parent / "marker", args, ws)
    assert code == 130, err
    error = json.loads(out)["error"]
    assert error["code"] == "interrupted"
    assert error["hint"] == "run: covenant explain interrupted"
    assert "Traceback" not in err


def test_ctrl_c_without_json_prints_nothing_on_stdout(ws: Path) -> None:
    code, out, err = _interrupted(HOLD, ws.parent / "marker", ["exposure"], ws)
    assert (code, out) == (130, ""), err
    assert "Traceback" not in err


def test_ctrl_c_during_a_json_ingest_says_what_stays_and_writes_nothing_of_the_file(
    ws: Path,
) -> None:
    folder = ws.parent
    (folder / "a.csv").write_text(_events(0, [200, 200, 503]))
    (folder / "big.csv").write_text(_events(1, [200] * 40))  # held after its first row
    marker = folder / "marker"
    args = ["ingest", "events", "a.csv", "big.csv", "-f", "json", "-w", str(ws)]
    proc = subprocess.Popen(
        [sys.executable, "-c", COMMAND, str(marker), *args],
        cwd=folder,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + BOUND  # a wait for the other process, not a check
        while time.monotonic() < deadline and proc.poll() is None:
            found = _batches(ws)
            if found is not None and _sha(folder / "a.csv") in found and marker.exists():
                break
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=BOUND)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    document = json.loads(out)
    assert [(f["file"], f["rows_read"]) for f in document["files"]] == [("a.csv", 3)]
    error = document["error"]
    assert error["code"] == "interrupted"
    assert error["message"] == (
        "interrupted: a.csv is ingested and kept; big.csv was not finished: nothing of it was "
        "written — run the same command again: a file already ingested is skipped"
    )
    assert _batches(ws) == {_sha(folder / "a.csv")}  # nothing of big.csv in the store
    engine = open_store(f"sqlite:///{ws / '.covenant' / 'covenant.db'}")
    try:
        with engine.connect() as conn:
            start = int(DAY.timestamp())
            m = buckets.read_matrix(
                conn, keys=["checkout-availability"], start=start, end=start + 3600
            )
    finally:
        engine.dispose()
    assert (int(m.good.sum()), int(m.total.sum())) == (2, 3)  # a.csv's 3 rows, none of big's
