"""`covenant serve` records the SLOs changed since the last recording in the audit log as it
starts. While another process held the store's lock past ``COVENANT_LOCK_TIMEOUT`` it refused
to start (`store-error`, exit 1): a server restarted during a long ingest stayed down. Now it
says in one line that the changes were not recorded yet and starts; its first request after
the holder let go records them (the server's deferred recording), none lost. The holder is
another process (tests/lock_holder.py); the server is a real `covenant serve` process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from covenant.services.tokens import create_token
from covenant.store import audit
from tests.api.support import AT, EXPIRES
from tests.lock_holder import held

ROOT = Path(__file__).resolve().parents[2]
BANNER = re.compile(r"^Covenant API for .* at (http://127\.0\.0\.1:\d+/api/v1) ")
AUDIT_LOCK = audit.LOCK


def slo_entries(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        found = conn.execute(
            sa.text(
                "SELECT entity_id, action FROM audit_log WHERE entity_kind = 'slo' ORDER BY seq"
            )
        )
        return [(str(r[0]), str(r[1])) for r in found]


def test_serve_starts_on_a_held_store_and_records_later(engine: Engine, tmp_path: Path) -> None:
    url = engine.url.render_as_string(hide_password=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVENANT_")}
    env |= {
        "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
        "COLUMNS": "300",
        "COVENANT_DATABASE_URL": url,
        "COVENANT_LOCK_TIMEOUT": "0.3",
    }
    run = [sys.executable, "-m", "covenant"]
    subprocess.run([*run, "init", "ws"], cwd=tmp_path, env=env, check=True, capture_output=True)
    token = create_token(
        engine, role="viewer", customer=None, expires_at=EXPIRES, at=AT, customers=()
    ).text
    assert slo_entries(engine) == []
    errors = tmp_path / "stderr.txt"
    with errors.open("w") as stderr, held(engine, AUDIT_LOCK):
        server = subprocess.Popen(
            [*run, "serve", "-w", "ws", "--port", "0", "--no-worker"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        assert server.stdout is not None
        line = server.stdout.readline()  # the banner: it started (empty when it exited)
    try:
        found = BANNER.match(line)
        assert found, (line, errors.read_text(encoding="utf-8"))
        shown = engine.url.render_as_string(hide_password=True)
        said = errors.read_text(encoding="utf-8")
        if engine.dialect.name == "sqlite":
            lock = "another process held a lock on the store's write lock (one for the whole "
            lock += f"SQLite file) in the store at {shown} for longer than 0.3 s"
        else:
            lock = "another session held a lock on the audit log (every audited change takes "
            lock += f"it: another issue, an agreements sync) in the store at {shown} for "
            lock += "longer than 0.3 s"
        assert (
            "SLO changes not recorded at start (the server records them at a later request): "
            f"the SLO changes were not recorded: {lock}"
        ) in " ".join(said.split()), said
        assert "Traceback" not in said
        assert slo_entries(engine) == []  # not recorded while held
        request = urllib.request.Request(
            f"{found[1]}/slos", headers={"Authorization": f"Bearer {token}"}
        )
        # the files are looked at once a second (serve's --definitions-check): a request
        # after that records what was not recorded; a deadline only ends a broken test
        deadline = time.monotonic() + 60
        while True:
            with urllib.request.urlopen(request, timeout=120) as answer:
                names = sorted(item["name"] for item in json.load(answer)["items"])
            if slo_entries(engine) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert names  # `covenant init` writes SLOs
        assert sorted(slo_entries(engine)) == [(name, "created") for name in names]
    finally:
        server.terminate()
        assert server.wait(timeout=120) == 0
        server.stdout.close()
