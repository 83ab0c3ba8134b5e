"""Run Python in a fresh interpreter and read back what it reports: the import checks use it.

A test of what a command imports must start with an empty ``sys.modules``, so it runs the
command in a child interpreter whose last printed line is a JSON report (the modules loaded,
an exit code…). One helper for every such check (tests/cli/test_startup.py,
tests/cli/test_ingest_imports.py, tests/definitions/test_kinds.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Literal


def run_python(
    code: str,
    *args: str,
    stdin: str | None = None,
    cwd: Path | None = None,
    stream: Literal["stdout", "stderr"] = "stdout",
    check: bool = True,
    timeout: float = 120,
) -> Any:
    """Run ``code`` (``python -c code *args``) and return the JSON of the last line it wrote
    on ``stream``. With ``check`` a non-zero exit fails the test (``CalledProcessError``, with
    the child's output)."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        check=check,
        timeout=timeout,
    )
    text = done.stdout if stream == "stdout" else done.stderr
    lines = text.strip().splitlines()
    assert lines, f"the child printed nothing on {stream}: {done.stdout!r} {done.stderr!r}"
    return json.loads(lines[-1])
