"""Migration ``0017_alert_transitions`` on both backends: upgrade from 0016 creates the table
with its unique step and its index, downgrade to 0016 removes it, upgrade again restores it."""

from __future__ import annotations

import sqlalchemy as sa

from covenant.store.db import create_engine_for
from tests.stores import migrate_to


def _shape(url: str) -> tuple[bool, set[str], set[str]]:
    engine = create_engine_for(url)
    try:
        inspector = sa.inspect(engine)
        if not inspector.has_table("alert_transitions"):
            return False, set(), set()
        uniques = {u["name"] or "" for u in inspector.get_unique_constraints("alert_transitions")}
        indexes = {i["name"] or "" for i in inspector.get_indexes("alert_transitions")}
        return True, uniques, indexes
    finally:
        engine.dispose()


def test_upgrade_and_downgrade(store_url: str) -> None:
    migrate_to(store_url, "0016_outbox_target_spec")
    assert _shape(store_url) == (False, set(), set())
    migrate_to(store_url, "0017_alert_transitions")
    there, uniques, indexes = _shape(store_url)
    assert there
    assert "uq_alert_transitions_step" in uniques
    assert "ix_alert_transitions_at" in indexes
    migrate_to(store_url, "0016_outbox_target_spec", down=True)
    assert _shape(store_url) == (False, set(), set())
    migrate_to(store_url, "0017_alert_transitions")
    assert _shape(store_url)[0]
