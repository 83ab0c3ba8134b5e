"""`make run` as written in the Makefile: its recipe (``make -n run``, with this environment's
``covenant`` and a demo folder of the test's own) sets up the demo, prints an admin token and a
customer token, and serves; the printed tokens work over HTTP with their roles: the admin reads
the evaluations and the tokens, Globex's customer token only Globex's agreement."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.availability import unavailable
from tests.conftest import ROOT
from tests.ports import free_port

TOKEN = re.compile(r"\bcvt_[A-Za-z0-9_.-]+")


def recipe(demo: Path, port: int) -> list[str]:
    """The shell lines of `make run`, as make would run them."""
    if shutil.which("make") is None:
        unavailable("make is not installed")  # pragma: no cover
    bin_dir = Path(sys.executable).parent
    printed = subprocess.run(
        ["make", "-s", "-n", "run", f"BIN={bin_dir}", "STAMP=", f"DEMO={demo}", f"PORT={port}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return printed.stdout.replace("\\\n", " ").splitlines()


def test_make_run_prints_an_admin_and_a_customer_token_that_work(tmp_path: Path) -> None:
    lines = recipe(tmp_path / "covenant-demo", free_port())
    assert "covenant serve" in lines[-1]
    setup = subprocess.run(
        ["bash", "-e", "-c", "\n".join(lines[:-1])],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert setup.returncode == 0, setup.stderr
    after = setup.stdout.split("Demo API tokens", 1)[1]
    admin, customer = TOKEN.findall(after)[:2]
    # the port is found as the server is about to bind it, not before the set-up's minute
    port = free_port()
    serve = recipe(tmp_path / "covenant-demo", port)[-1]
    assert f"--port {port}" in serve
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        ["bash", "-c", f"exec {serve.split('  #')[0]}"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60  # a readiness wait, not a timing assertion
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, "covenant serve stopped"
            assert time.monotonic() < deadline, "covenant serve was not ready in 60 s"
            time.sleep(0.2)

        def get(path: str, token: str) -> httpx.Response:
            headers = {"Authorization": f"Bearer {token}"}
            return httpx.get(f"{base}/api/v1{path}", headers=headers, timeout=60)

        assert get("/me", admin).json()["role"] == "admin"
        assert get("/evaluations", admin).status_code == 200
        assert get("/tokens", admin).status_code == 200
        me = get("/me", customer).json()
        assert (me["role"], me["customer"]) == ("customer", "globex")
        assert get("/evaluations", customer).status_code == 403
        agreements = get("/agreements", customer).json()["items"]
        assert [(a["agreement"], a["customer"]) for a in agreements] == [
            ("globex-enterprise", "globex")
        ]
    finally:
        server.terminate()
        server.wait(timeout=60)
