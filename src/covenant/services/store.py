"""Open the store: the one use case every command that reads or writes data starts with.

Kept apart from ``services.ingest`` so a command that only reads (``evaluate``) does not load
the event-file readers (pyarrow) to open it.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from covenant.store.db import create_engine_for, migrate


def open_store(database_url: str) -> Engine:
    """An engine on the store at ``database_url``, migrated to the newest schema."""
    engine = create_engine_for(database_url)
    migrate(engine)
    return engine
