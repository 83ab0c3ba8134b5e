"""`covenant serve` on an address something already listens on: a coded error naming the
address and the fix, before the banner. It printed `Covenant API for … at http://…` (as if
it served), then uvicorn's own `[Errno 98] … address already in use` log line, and exited 3
(the code `evaluate --check` gives a breached SLO)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.api.serving import cannot_listen
from covenant.cli.main import app
from tests.ports import free_port


def test_a_taken_port_is_a_coded_error_before_the_banner(tmp_path: Path) -> None:
    runner = CliRunner()
    workspace = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(workspace)]).exit_code == 0
    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        result = runner.invoke(
            app, ["serve", "-w", str(workspace), "--port", str(port), "--no-worker"]
        )
    assert result.exit_code == 1, result.output
    assert (
        f"error: cannot listen on 127.0.0.1:{port}: the address is in use — stop what listens "
        "there (another covenant serve?) or choose another --port"
    ) in " ".join(result.stderr.split())
    assert "run: covenant explain serve-start-failed" in result.stderr
    assert "Covenant API for" not in result.output


def test_every_address_the_host_resolves_to_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    # a host name with two addresses (localhost as ::1 and 127.0.0.1 on a dual-stack machine;
    # here two loopback addresses): uvicorn binds both, so the second one taken is refused
    port = free_port()
    resolved = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.2", port)),
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *_, **__: resolved)
    assert cannot_listen("both.example", port) is None  # both free
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.2", port))
        taken.listen()
        found = cannot_listen("both.example", port)
    assert found is not None
    assert found[0] == "the address is in use"
