"""`covenant serve` prints its "Covenant API for … at URL" line only once the socket listens:
the URL it prints accepts a connection at once, and names the port actually bound.

Before, the line was printed before the app's start-up (reading the definitions, ~10 s on a
busy machine) and before uvicorn bound the port: a script that waited for the line and then
connected was refused, and `--port 0` (any free port) printed `:0`, a URL nothing listens on.
The server process is stopped (SIGSTOP) the moment the line is read, so it cannot bind after
printing: what the test connects to is what was listening when the line was printed.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
BANNER = re.compile(r"^Covenant API for .* at http://127\.0\.0\.1:(\d+)/api/v1 ")
START_WAIT_S = 120  # how long a start may take on a loaded machine (a wait, not an assertion)


@pytest.mark.parametrize(
    ("port", "workers"), [(0, 1), (None, 1), (0, 2)], ids=["any port", "a port", "2 processes"]
)
def test_the_printed_url_accepts_a_connection_as_it_is_printed(
    tmp_path: Path, port: int | None, workers: int
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVENANT_")}
    env |= {"PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}", "COLUMNS": "300"}
    run = [sys.executable, "-m", "covenant"]
    subprocess.run([*run, "init", "ws"], cwd=tmp_path, env=env, check=True, capture_output=True)
    asked = free_port() if port is None else port
    with subprocess.Popen(
        [*run, "serve", "-w", "ws", "--port", str(asked), "--no-worker", "--workers", str(workers)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as server:
        try:
            assert server.stdout is not None
            line = server.stdout.readline()  # the first line it prints
            server.send_signal(signal.SIGSTOP)  # nothing more happens in it from here on
            found = BANNER.match(line)
            assert found, line
            printed = int(found[1])
            assert printed != 0
            if port is None:
                assert printed == asked
            with socket.create_connection(("127.0.0.1", printed), timeout=START_WAIT_S):
                pass  # refused (ConnectionRefusedError) when nothing listened yet
        finally:
            server.send_signal(signal.SIGCONT)
            server.terminate()  # a stop signal once the line is printed stops it (exit 0)
            assert server.wait(timeout=START_WAIT_S) == 0
