"""A migration waits for the store's lock longer than other writes: of several processes
opening a new store at once, the first holds the lock for seconds while it migrates. It waited
60 s whatever ``COVENANT_LOCK_TIMEOUT`` said, so a longer setting (to let a long ingest finish,
say) did not reach it, though its refusal's fix says to raise the setting. Now it waits the
longer of the two. The 60 s floor is shortened to 0.3 s here, the setting is 0.5 s; another
process holds the lock (tests/lock_holder.py): on PostgreSQL the migration's advisory lock."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from covenant.config import LOCK_TIMEOUT_ENV
from covenant.errors import StoreError
from covenant.store import lock_wait
from covenant.store.db import upgrade_with_alembic
from tests.lock_holder import held

MIGRATION_LOCK = lock_wait.MIGRATION_LOCK


@pytest.mark.parametrize(("setting", "waited"), [("0.5", "0.5"), ("0.1", "0.3")])
def test_a_migration_waits_the_longer_of_its_floor_and_the_setting(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, setting: str, waited: str
) -> None:
    monkeypatch.setattr(lock_wait, "MIGRATION_WAIT_S", 0.3)
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, setting)
    with held(engine, MIGRATION_LOCK), pytest.raises(StoreError) as caught:
        upgrade_with_alembic(engine)
    assert f"for longer than {waited} s (" in caught.value.message, caught.value.message
    upgrade_with_alembic(engine)  # let go: it finds the store at head
