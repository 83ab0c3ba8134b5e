"""``covenant serve``'s reader of day minutes when the store itself does not answer: a coded
store error (here ``store-unreachable``) naming what it was doing (the API and the UI answer
it as 503), never a raw driver error (a 500 with a traceback)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from covenant.errors import DaySumsOnlyError, StoreError
from covenant.services.day_minutes_serve import MinutesReader


def test_a_store_that_does_not_answer_is_a_store_error(tmp_path: Path) -> None:
    gone = sa.create_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'store.db'}")
    reader = MinutesReader(
        engine=lambda: gone, reads=lambda: [], clock=lambda: datetime(2026, 12, 1, tzinfo=UTC)
    )
    refused = DaySumsOnlyError("day sums only", needed=((1, 1_764_547_200),))
    with pytest.raises(StoreError) as raised:
        reader.answer(refused)
    # the folder does not exist, so the database cannot be opened at all: the store is
    # unreachable (a StoreError, answered 503), and the message says so with SQLite's reason
    assert raised.value.code == "store-unreachable"
    assert "unable to open database file" in str(raised.value)
    assert "cannot find the series of the days to read" in str(raised.value)
