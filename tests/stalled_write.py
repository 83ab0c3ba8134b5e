"""A `covenant` command killed (SIGKILL) while it writes a file: what is on disk afterwards.

The command runs in a child Python in which every file opened for writing through Python
(``open``, ``io.open``, ``Path.open``/``write_text``/``write_bytes``, ``os.fdopen`` of a
``mkstemp`` handle) whose name contains ``stall`` (the target's name: a temporary file beside
it, ``.name.XXXX.tmp``, counts too) writes half of its first piece of data, flushes it to the
disk, leaves a marker file and waits. The test sends SIGKILL once the marker is there — a real
kill of a real process, in the middle of the write, however the command writes the file.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BOUND = 120.0  # how long the test waits for the child at most: a bound, not a timing

_CHILD = r"""
import builtins, io, os, sys, time
from pathlib import Path
marker, stall = Path(sys.argv[1]), sys.argv[2]
real_open = io.open
def named(file):
    if isinstance(file, int):
        try:
            return os.readlink(f"/proc/self/fd/{file}")
        except OSError:
            return ""
    return os.fspath(file) if isinstance(file, (str, bytes, os.PathLike)) else ""
class Stalling:
    def __init__(self, inner):
        self._inner = inner
    def write(self, data):
        if len(data) > 1:
            self._inner.write(data[: len(data) // 2])
            self._inner.flush()
            os.fsync(self._inner.fileno())
            marker.write_text("stalled")
            while True:
                time.sleep(60)
        return self._inner.write(data)
    def __getattr__(self, name):
        return getattr(self._inner, name)
    def __enter__(self):
        self._inner.__enter__()
        return self
    def __exit__(self, *exc):
        return self._inner.__exit__(*exc)
def stalling_open(file, mode="r", *args, **kwargs):
    handle = real_open(file, mode, *args, **kwargs)
    name = named(file)
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    if any(flag in mode for flag in "wax+") and stall in os.path.basename(name):
        return Stalling(handle)
    return handle
io.open = builtins.open = stalling_open
sys.argv = ["covenant", *sys.argv[3:]]
from covenant.cli.main import main
main()
"""


def killed_while_writing(command: list[str], stall: str, *, cwd: Path) -> None:
    """Run ``covenant COMMAND`` (in ``cwd``); SIGKILL it while it writes a file whose name
    contains ``stall``. Fails when the command ends before writing such a file."""
    marker = cwd / ".stalled-marker"
    marker.unlink(missing_ok=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("COVENANT_")},
        "COVENANT_HELP_CACHE": "0",
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(marker), stall, *command],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + BOUND  # a wait for the child, not a check
        while time.monotonic() < deadline and proc.poll() is None and not marker.exists():
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()
        assert marker.exists(), "the command never wrote the file"
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=BOUND)
        assert proc.returncode == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        marker.unlink(missing_ok=True)
