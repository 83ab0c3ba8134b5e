"""`covenant demo --force` (or `demo -w`) while `covenant serve` runs on that workspace: the
demo deleted the store's files and wrote a new store, while the server kept its handles on
the deleted ones — it went on answering from data nobody could see any more (the old tokens,
the old counts, its worker's writes lost), with no word on either side. The README suggests
`covenant demo --force` to start over right beside the serve instructions. The demo now
refuses while a process leads the store (the server's worker holds the store's leader lock),
naming that process, and leaves the store as it was."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

from covenant.cli.main import app
from covenant.config import sqlite_url
from covenant.services.leader import Leadership
from tests.cli.starter import runner
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
AT = "2026-10-31T09:30:00Z"


def test_the_demo_will_not_replace_a_store_a_server_is_using(tmp_path: Path) -> None:
    shop = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", shop, ignore=shutil.ignore_patterns(".covenant"))
    demo = ["demo", "-w", str(shop), "--at", AT, "--days", "2"]
    assert runner.invoke(app, demo).exit_code == 0
    store = shop / ".covenant" / "covenant.db"
    before = store.stat().st_ino
    server = Leadership(sqlite_url(shop))  # what `covenant serve`'s worker holds
    assert server.acquire()
    try:
        refused = runner.invoke(app, demo)
        assert refused.exit_code == 1, refused.output
        said = " ".join(refused.stderr.split())
        assert f"is using the store {store}: process {os.getpid()}" in said, said
        assert "stop it" in said
        assert store.stat().st_ino == before  # not deleted and written anew
    finally:
        server.close()
    assert runner.invoke(app, demo).exit_code == 0  # once it stopped, the demo starts over


def test_the_demo_will_not_replace_a_store_a_no_worker_server_is_using(tmp_path: Path) -> None:
    """`covenant serve --no-worker` leads nothing (no leader lock), yet answers from the store:
    every server holds the store's shared serving lock, so the demo refuses, naming it."""
    shop = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", shop, ignore=shutil.ignore_patterns(".covenant"))
    demo = ["demo", "-w", str(shop), "--at", AT, "--days", "2"]
    assert runner.invoke(app, demo).exit_code == 0
    store = shop / ".covenant" / "covenant.db"
    before = store.stat().st_ino
    port = free_port()
    command = [sys.executable, "-m", "covenant", "serve", "-w", str(shop), "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--no-worker"],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):  # until it answers (or it died: the assert below says so)
            assert server.poll() is None, "the server stopped"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        refused = runner.invoke(app, demo)
        assert refused.exit_code == 1, refused.output
        said = " ".join(refused.stderr.split())
        assert (
            f"is using the store {store}: process {server.pid} at http://127.0.0.1:{port}" in said
        ), said
        assert store.stat().st_ino == before  # not deleted and written anew
    finally:
        server.terminate()
        server.wait(timeout=60)
    assert runner.invoke(app, demo).exit_code == 0  # once it stopped, the demo starts over
