"""An up-to-date store opens without Alembic; the heads it compares with are Alembic's own."""

from __future__ import annotations

import subprocess
import sys

from alembic.script import ScriptDirectory

from covenant.store.db import alembic_config, head_revisions


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


def test_only_a_store_behind_the_heads_loads_alembic(store_url: str) -> None:
    url = store_url

    def alembic_loaded() -> bool:
        done = subprocess.run(
            [sys.executable, "-c", PROBE.format(url=url)],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return done.stdout.strip().splitlines()[-1] == "True"

    assert alembic_loaded()  # a new store is migrated
    assert not alembic_loaded()  # the same store, now at the heads: one query, no Alembic
