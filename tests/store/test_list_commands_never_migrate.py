"""`covenant token list` and `covenant user list` only read: like every other command that
only reads, they never migrate a shared (PostgreSQL) store behind this version's schema — they
refuse with store-read-only and the fix (`covenant db upgrade`), leaving it as it was — and
they never create a store where there is none.

Before, both opened the store as a writing command does: they migrated the older store (added
the newer tables, moved its revision) and created a SQLite file where none was.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.store.test_reads_never_migrate import OLDER, migrate_to, snapshot
from tests.stores import postgres_schemas

ROOT = Path(__file__).resolve().parents[2]
LISTS = [["token", "list"], ["user", "list"]]


@pytest.fixture
def shared_url(postgres_url: str) -> Iterator[str]:
    with postgres_schemas(postgres_url) as (url,):
        yield url


def covenant(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVENANT_")}
    env |= {
        "COVENANT_DATABASE_URL": database_url,
        "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
        "COLUMNS": "300",
    }
    return subprocess.run(
        [sys.executable, "-m", "covenant", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("command", LISTS, ids=" ".join)
def test_a_list_leaves_a_shared_store_behind_unmigrated(
    shared_url: str, tmp_path: Path, command: list[str]
) -> None:
    migrate_to(shared_url, OLDER)
    before = snapshot(shared_url)
    done = covenant(*command, "-w", str(tmp_path), database_url=shared_url)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert f"is at schema revision {OLDER}, behind this version's" in done.stderr
    assert "run `covenant db upgrade` once" in done.stderr
    assert "covenant explain store-read-only" in done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(shared_url) == before  # not migrated, no table added


@pytest.mark.parametrize("command", LISTS, ids=" ".join)
def test_a_list_without_a_store_creates_none(tmp_path: Path, command: list[str]) -> None:
    store = tmp_path / "covenant.db"
    done = covenant(*command, "-w", str(tmp_path), database_url=f"sqlite:///{store}")
    assert done.returncode == 0, done.stderr
    assert f"no {'API token' if command[0] == 'token' else 'user'} yet" in done.stdout
    assert not store.exists()
