"""An up-to-date store opens without Alembic, and so does a new SQLite store (created from the
schema snapshot); the heads it compares with are Alembic's own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from covenant.store.db import alembic_config, head_revisions
from tests.store.test_reads_never_migrate import migrate_to


def test_head_revisions_are_alembics_heads() -> None:
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    assert heads  # there is something to compare
    assert head_revisions() == heads


PROBE = """
import sys
from covenant.services.store import open_store
open_store({url!r}).dispose()
print("alembic" in sys.modules)
"""


def alembic_loaded(url: str) -> bool:
    """Whether opening the store at ``url`` in a new process loaded Alembic."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(url=url)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout.strip().splitlines()[-1] == "True"


def test_only_a_store_behind_the_heads_loads_alembic(store_url: str) -> None:
    # a new store: created from the schema snapshot on SQLite, migrated on PostgreSQL
    assert alembic_loaded(store_url) is store_url.startswith("postgresql")
    assert not alembic_loaded(store_url)  # the same store, now at the heads: one query


def test_a_sqlite_store_behind_the_heads_loads_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'covenant.db'}"
    migrate_to(url, "0016_outbox_target_spec")
    assert alembic_loaded(url)
    assert not alembic_loaded(url)
