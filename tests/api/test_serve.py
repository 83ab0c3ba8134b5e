"""`covenant serve` started as a process: it answers over HTTP on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.api.support import AT, Shop
from tests.ports import free_port

V1 = "/api/v1"


def test_covenant_serve_answers_over_http(shop: Shop) -> None:
    port = free_port()
    env = {**os.environ, "COVENANT_NOW": AT.isoformat()}
    command = [str(Path(sys.executable).parent / "covenant"), "serve", "-w", str(shop.workspace)]
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # a readiness wait, not a timing assertion
        while True:
            try:
                document = httpx.get(f"{base}{V1}/openapi.json", timeout=5)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.communicate()[0]
                assert time.monotonic() < deadline, "covenant serve did not start in 60 s"
                time.sleep(0.2)
        assert document.json()["info"]["title"] == "Covenant"
        me = httpx.get(
            f"{base}{V1}/me",
            headers={"Authorization": f"Bearer {shop.tokens['viewer']}"},
            timeout=60,
        )
        assert me.json()["role"] == "viewer"
        customer = {"Authorization": f"Bearer {shop.tokens['customer:initech']}"}
        listed = httpx.get(f"{base}{V1}/agreements", headers=customer, timeout=60).json()
        assert [a["agreement"] for a in listed["items"]] == ["initech-standard"]
        refused = httpx.get(f"{base}{V1}/evaluations", headers=customer, timeout=60)
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
        # the worker runs in the background: /metrics shows its tick once it has made one
        viewer = {"Authorization": f"Bearer {shop.tokens['viewer']}"}
        deadline = time.monotonic() + 120  # a wait for the first tick, not a timing assertion
        while (
            "covenant_worker_objectives"
            not in httpx.get(f"{base}/metrics", headers=viewer, timeout=60).text
        ):
            assert process.poll() is None, process.communicate()[0]
            assert time.monotonic() < deadline, "the worker did not tick in 120 s"
            time.sleep(0.5)
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert f"127.0.0.1:{port}/api/v1" in output
    assert "worker on" in output
