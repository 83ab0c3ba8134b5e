"""`covenant serve` whose app cannot start stops with `serve-start-failed` and exit status 1 —
with `--workers 2`, after a bounded number of failed starts, not in a restart loop.

The fault is a real setting: ``SSL_CERT_FILE`` naming a file that holds no certificate (a
broken CA bundle). The CLI's own checks (the workspace, the store) pass; each server process's
start-up makes delivery's HTTP client, which loads the bundle and fails, so every server
process fails before it serves (``tests/api/test_workers.py`` serves the same way without the
setting). Nothing is mocked."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from covenant.api.workers import QUICK_DEATHS
from tests.api.served import make_workspace
from tests.api.test_workers import COVENANT, WAIT_S
from tests.ports import free_port

BROKEN_BUNDLE = "this is no certificate\n"
REASON = "no certificate or crl found"  # OpenSSL's words for a bundle without a certificate
ENDED = re.compile(r"worker process \d+ ended \(4\)")


def serve(tmp_path: Path, *more: str) -> tuple[int, str]:
    workspace = make_workspace(tmp_path)
    bundle = tmp_path / "ca-bundle.pem"
    bundle.write_text(BROKEN_BUNDLE)
    env = {**os.environ, "SSL_CERT_FILE": str(bundle)}
    env.pop("COVENANT_DATABASE_URL", None)
    command = [COVENANT, "serve", "-w", str(workspace), "--port", str(free_port())]
    done = subprocess.run(
        [*command, "--no-catch-up", *more],
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT_S * 2,  # a restart loop would end here, failing the test
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_server_that_cannot_start_stops_with_a_coded_error(tmp_path: Path, workers: str) -> None:
    code, output = serve(tmp_path, "--workers", workers)
    assert code == 1, output
    assert "serve-start-failed" in output, output
    (last,) = [line for line in output.splitlines() if line.startswith("error:")]
    assert REASON in last, output  # the cause, in the error a person reads
    assert "Traceback" not in output, output
    if workers == "2":
        assert "kept failing at start" in last
        # every failed start is reported once, and the supervisor stops at the limit
        assert len(ENDED.findall(output)) == QUICK_DEATHS, output
