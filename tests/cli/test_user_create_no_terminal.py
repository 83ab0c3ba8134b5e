"""`covenant user create` without --password-stdin where standard input is no terminal (a script,
CI, `docker exec` without -t): before, getpass warned from the standard library ("GetPassWarning:
Can not control echo on the terminal", with its file and line), read nothing and ended with a bare
"Aborted."; now one error says why and how to give the password."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_no_terminal_asks_for_password_stdin(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "300", "COVENANT_HELP_CACHE": "0"}
    env.pop("COVENANT_DATABASE_URL", None)
    command = ["user", "create", "ann", "--role", "editor", "-w", str(tmp_path)]
    done = subprocess.run(
        [sys.executable, "-m", "covenant", *command],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done
    err = " ".join(done.stderr.split())
    assert "GetPassWarning" not in err, err
    assert "Aborted" not in err, err
    assert (
        "error: cannot ask for the password: standard input is not a terminal — give it on "
        "standard input with --password-stdin"
    ) in err, err
    assert "run: covenant explain invalid-input" in err, err
    assert not (tmp_path / ".covenant").exists()  # nothing was written
