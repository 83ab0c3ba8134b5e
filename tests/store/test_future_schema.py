"""A store written by a newer Covenant is refused with a clear error, not a traceback."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from covenant.errors import StoreError
from covenant.services.ingest import open_store


def test_a_newer_schema_is_refused(store_url: str) -> None:
    url = store_url
    engine = open_store(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM alembic_version"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('9999_future')"))
    engine.dispose()
    with pytest.raises(StoreError, match="newer Covenant"):
        open_store(url)
