"""An ASCII locale (`LC_ALL=C` with Python's UTF-8 coercion turned off, as some CI images and
`env -i` shells have): every command runs, writing what the locale cannot show as `?`.

Before, `covenant demo` stopped with a UnicodeDecodeError reading its own UTF-8 proposal file,
and `evaluate`, `report sla` and others with a UnicodeEncodeError traceback at the first `—`
of a table (after printing half of it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ASCII = {"LC_ALL": "C", "LANG": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}


def _covenant(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHONIO"))}
    env.pop("COVENANT_WORKSPACE", None)
    env.pop("COVENANT_DATABASE_URL", None)
    env.update(ASCII, COLUMNS="80", HOME=str(cwd), COVENANT_HELP_CACHE="0")
    return subprocess.run(
        [sys.executable, "-m", "covenant", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        check=False,
        timeout=600,
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ascii")
    done = _covenant(["demo", "d"], folder)
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    done.stdout.decode("ascii")  # nothing the locale cannot show
    return folder


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["evaluate", "-w", "d/shop"], 0),
        (["evaluate", "-w", "d/shop", "--check"], 3),
        (["report", "sla", "-w", "d/shop", "--customer", "globex", "--period", "last-month"], 0),
        (["exposure", "-w", "d/shop"], 0),
        (["lint", "-w", "d/shop"], 0),
        (["explain", "invalid-period-option"], 0),
    ],
)
def test_commands_run_in_an_ascii_locale(args: list[str], code: int, demo: Path) -> None:
    done = _covenant(args, demo)
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    assert done.returncode == code, done.stderr.decode(errors="replace")
    done.stdout.decode("ascii")
    done.stderr.decode("ascii")


def test_a_path_the_ascii_locale_cannot_name_is_an_error_with_the_fix(tmp_path: Path) -> None:
    """A folder named `wörk` in an ASCII locale: Python holds its name with escapes that
    pyarrow and SQLite cannot encode, and ingest or evaluate ended in a traceback. It is an
    error that says to run with a UTF-8 locale."""
    folder = os.fsencode(tmp_path) + "/wörk".encode()
    os.mkdir(folder)  # noqa: PTH102 - a bytes name, as the ASCII locale will see it
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHONIO"))}
    env.pop("COVENANT_WORKSPACE", None)
    env.pop("COVENANT_DATABASE_URL", None)
    env.update(ASCII, COLUMNS="80", HOME=str(tmp_path), COVENANT_HELP_CACHE="0")
    ws = folder + b"/ws"
    for args, code in (
        ([b"init", ws], 0),
        ([b"ingest", b"events", ws + b"/events/sample.csv", b"-w", ws], 1),
    ):
        done = subprocess.run(
            [os.fsencode(sys.executable), b"-m", b"covenant", *args],
            env=env,
            capture_output=True,
            check=False,
            timeout=600,
        )
        said = done.stderr.decode("ascii")
        assert "Traceback" not in said, said
        assert done.returncode == code, said
    assert "LC_ALL=C.UTF-8" in said
    assert "run: covenant explain invalid-input" in said
